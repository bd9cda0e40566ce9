// @vitest-environment jsdom
/**
 * The engine card's start parts (EngineStart.tsx) in jsdom: stages as done / current (with a <progress>) /
 * pending / skipped and the elapsed time; adapters by their task name with the LoRA id beside; the command
 * line only behind "details".
 */
import { act, createElement } from 'react';
import { describe, expect, it } from 'vitest';

import { Schema } from '../src/transport/types';
import { AdapterList, CommandDetails, StartStages } from '../src/views/EngineStart';
import { mountDom } from './harness';

type EngineStatus = Schema<'EngineStatus'>;

const loading = (over: Partial<EngineStatus>): EngineStatus =>
  ({
    status: 'loading',
    adapters: [],
    adapter_labels: [],
    argv: [],
    stages: [
      { name: 'starting', state: 'done' },
      { name: 'materialising', state: 'skipped' },
      { name: 'loading weights', state: 'current' },
      { name: 'warming up', state: 'pending' }
    ],
    stage: 'loading weights',
    progress: 0.5,
    stage_detail: '136/272 tensors',
    elapsed_s: 12.4,
    ...over
  }) as EngineStatus;

const dom = mountDom();

async function show(el: React.ReactElement) {
  await act(async () => dom.root.render(el));
}

describe('StartStages', () => {
  it('lists each stage with its state and a progress bar on the current one', async () => {
    await show(createElement(StartStages, { engine: loading({}) }));
    const states = [...dom.container.querySelectorAll('li')].map(li => [
      li.getAttribute('data-stage'),
      li.getAttribute('data-state')
    ]);
    expect(states).toEqual([
      ['starting', 'done'],
      ['materialising', 'skipped'],
      ['loading weights', 'current'],
      ['warming up', 'pending']
    ]);
    const bar = dom.container.querySelectorAll('progress');
    expect(bar.length).toBe(1);
    expect((bar[0] as HTMLProgressElement).value).toBe(0.5);
    expect(dom.container.textContent).toContain('136/272 tensors');
    expect(dom.container.textContent).toContain('starting for 12 s');
  });

  it('shows an indeterminate bar while the fraction is unknown, nothing without stages', async () => {
    await show(createElement(StartStages, { engine: loading({ progress: null }) }));
    expect(dom.container.querySelector('progress')?.hasAttribute('value')).toBe(false);
    await show(createElement(StartStages, { engine: loading({ stages: [] }) }));
    expect(dom.container.querySelector('.sage-engine-stages')).toBeNull();
  });
});

describe('AdapterList and CommandDetails', () => {
  it('names adapters by their task, with the LoRA id as a detail', async () => {
    const labels = [
      {
        id: 'ft-20261206-075716-aacc59',
        label: 'password-lora',
        task_id: 'ft-20261206-075716-aacc59'
      },
      { id: 'by-hand', label: 'by-hand', task_id: null }
    ];
    await show(createElement(AdapterList, { engine: loading({ adapter_labels: labels }) }));
    const rows = dom.container.querySelectorAll('li[data-adapter]');
    expect(rows[0].querySelector('.sage-adapter-label')?.textContent).toBe('password-lora');
    expect(rows[0].textContent).toContain('ft-20261206-075716-aacc59');
    expect(rows[1].textContent).toBe('by-hand');
  });

  it('falls back to the served ids from a server without labels', async () => {
    await show(
      createElement(AdapterList, { engine: loading({ adapters: ['mine'], adapter_labels: [] }) })
    );
    expect(dom.container.querySelector('li[data-adapter="mine"]')?.textContent).toBe('mine');
  });

  it('keeps the command line behind "details"', async () => {
    const argv = ['python', '-m', 'sage_studio_lab.engine.serve'];
    await show(createElement(CommandDetails, { engine: loading({ argv }) }));
    expect(dom.container.textContent).not.toContain('sage_studio_lab.engine.serve');
    await act(async () => (dom.container.querySelector('button') as HTMLElement).click());
    expect(dom.container.querySelector('pre')?.textContent).toBe(argv.join(' '));
  });
});
