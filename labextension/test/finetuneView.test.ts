// @vitest-environment jsdom
/**
 * The fine-tune view against the Studio API's shapes, the same over both transports: `task_id` arguments, the
 * flat TaskConfig of `finetune.create`, rows derived from the core's task dicts of `finetune.events`, the loss
 * history of `finetune.progress`, and the raw messages of one task's `finetune.watch` stream.
 * Rendered in jsdom against a fake Transport whose streams the test drives (no server).
 */
import { act, createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { Result, StudioEvent, Transport } from '../src/transport/types';
import { Dialogs, DialogsContext } from '../src/views/dialogs';
import { ADVICE_DELAY_MS } from '../src/views/FinetuneAdvice';
import { FinetuneView } from '../src/views/FinetuneView';
import { SettingsContext, SettingsStore } from '../src/views/settings';
import { click, FakeTransport, provide, type, mountDom } from './harness';

const task = (status: string, extra: Record<string, unknown> = {}) => ({
  id: 'ft-1',
  name: 'tiny',
  status,
  error: null,
  base_model: 'SmolLM2-135M-Instruct',
  dataset_id: 'd1',
  config: {},
  progress: { type: 'progress', step: 3, total_steps: 4, epoch: 0.75, loss: 2.5, eta_s: 20 },
  eval: { type: 'eval', step: 2, eval_loss: 2.75 },
  adapter_path: null,
  ...extra
});

/** The widget transport of the Lab, answering the fine-tune view's calls; `push` feeds its one open stream. */
class FinetuneTransport extends FakeTransport {
  kind = 'widget' as const;

  async push(method: string, ...events: StudioEvent[]) {
    const open = this.open(method);
    expect(open).toHaveLength(1);
    await act(async () => events.forEach(e => open[0].push(e)));
    await act(async () => undefined);
  }
}

const fake = () =>
  new FinetuneTransport({
    'finetune.models': {
      models: [
        {
          id: 'SmolLM2-135M-Instruct',
          name: 'SmolLM2-135M-Instruct',
          type: 'base',
          source: 'bundled',
          path: null,
          base_model: null,
          details: {}
        }
      ]
    },
    'gpu.info': { available: false, devices: [] },
    'finetune.get': task('running'),
    'finetune.logs': { task_id: 'ft-1', lines: ['loading'] } satisfies Result<'finetune.logs'>,
    'finetune.progress': {
      id: 'ft-1',
      status: 'running',
      progress: 0.25,
      step: 1,
      total_steps: 4,
      loss: 3,
      eval_loss: null,
      eta_s: 30,
      history: [{ step: 1, loss: 3, eval_loss: null, lr: 0.001, epoch: 0.25 }]
    } satisfies Result<'finetune.progress'>,
    'finetune.upload': { id: 'd1', name: 'd.jsonl', format: 'alpaca', rows: 8, preview: [] },
    'finetune.create': task('queued', { progress: null, eval: null }),
    'finetune.use_in_chat': { current: { model: 'ft-1' }, load_time_s: 0.5, restarted: false }
  });

const dom = mountDom();

/** The dialogs the Lab provides (JupyterLab's own there): records each question, answers `answer`. */
const asked: { title: string; body: string; danger?: boolean }[] = [];
let answer = true;
const dialogs: Dialogs = {
  confirm: async (title, body, options) => {
    asked.push({ title, body, danger: options?.danger });
    return answer;
  },
  prompt: async () => null
};

const render = (view: React.ReactElement, transport: Transport) =>
  dom.render(
    transport,
    view,
    provide(DialogsContext, dialogs),
    provide(SettingsContext, new SettingsStore())
  );
const button = dom.button;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('FinetuneView', () => {
  it('shows the task table and a task followed by task_id, its curve and logs', async () => {
    const t = fake();
    await render(createElement(FinetuneView, { taskId: 'ft-1' }), t);
    expect(t.argsOf('finetune.get')).toEqual([{ task_id: 'ft-1' }]);
    expect(t.argsOf('finetune.logs')).toEqual([{ task_id: 'ft-1', lines: 200 }]);
    expect(t.argsOf('finetune.progress')).toEqual([{ task_id: 'ft-1' }]);
    const opened = Object.fromEntries(t.streams.map(s => [s.method, s.args]));
    expect(opened).toEqual({
      'finetune.events': {},
      'finetune.watch': { task_id: 'ft-1', logs: 1 }
    });
    const detail = () => dom.container.querySelector('.sage-task-detail')!;
    const curve = () => dom.container.querySelector('svg.sage-loss')!;
    // The history of finetune.progress draws the curve before the stream replays anything.
    expect(curve().getAttribute('data-points')).toBe('1');
    expect(detail().querySelector('.sage-logs')!.textContent).toBe('loading');

    // The table: the core's task dicts (latest events nested), shown as flat rows.
    await t.push('finetune.events', { type: 'snapshot', tasks: [task('running')] });
    const row = () => dom.container.querySelector('tr[data-task-id="ft-1"]')!;
    expect(row().textContent).toContain('75%');
    expect(row().textContent).toContain('2.500 / eval 2.750');
    await t.push('finetune.events', {
      type: 'progress',
      task_id: 'ft-1',
      status: 'running',
      step: 4,
      total_steps: 4,
      epoch: 1,
      loss: 2.25,
      eta_s: 0,
      eval_loss: 2.5,
      progress: { type: 'progress', step: 4, total_steps: 4, loss: 2.25 },
      eval: { type: 'eval', step: 4, eval_loss: 2.5 }
    });
    expect(row().textContent).toContain('100%');
    expect(row().textContent).toContain('2.250 / eval 2.500');

    // The task's stream: its raw events (replayed from the start), log lines, then the terminal status.
    await t.push(
      'finetune.watch',
      { task_id: 'ft-1', type: 'start', step: 0, total_steps: 4 },
      { task_id: 'ft-1', type: 'progress', step: 1, total_steps: 4, loss: 3 },
      { task_id: 'ft-1', type: 'progress', step: 2, total_steps: 4, loss: 2.75 },
      { task_id: 'ft-1', type: 'eval', step: 2, eval_loss: 2.8 },
      { task_id: 'ft-1', type: 'checkpoint', step: 2, path: 'checkpoints/checkpoint-2' },
      { task_id: 'ft-1', type: 'log', line: 'step 2' },
      { task_id: 'ft-1', type: 'task_status', status: 'completed', error: null }
    );
    expect(curve().getAttribute('data-points')).toBe('2'); // step 1 once, though history and stream both had it
    expect(curve().querySelectorAll('circle')).toHaveLength(1); // the eval point
    expect(detail().getAttribute('data-status')).toBe('completed');
    expect(detail().querySelector('.sage-logs')!.textContent).toBe('step 2');
    expect(row().getAttribute('data-status')).toBe('completed');
    expect(t.argsOf('finetune.get')).toHaveLength(2); // reloaded at the end

    await click(button('Use in chat'));
    expect(t.argsOf('finetune.use_in_chat')).toEqual([{ task_id: 'ft-1' }]);
    expect(dom.container.querySelector('.sage-notice')!.textContent).toContain(
      'Chat now uses ft-1'
    );
    await click(button('Merge & export'));
    expect(t.argsOf('finetune.merge')).toEqual([{ task_id: 'ft-1' }]);
    await click(button('Download adapter'));
    expect(t.argsOf('finetune.download')).toEqual([{ task_id: 'ft-1' }]);
    // Delete asks through the provided dialogs (JupyterLab's in the Lab), never window.confirm.
    const confirm = vi.spyOn(window, 'confirm');
    asked.length = 0;
    answer = false;
    await click(button('Delete'));
    expect(t.argsOf('finetune.delete')).toEqual([]);
    answer = true;
    await click(button('Delete'));
    expect(asked).toHaveLength(2);
    expect(asked[1]).toMatchObject({ title: 'Delete fine-tune task', danger: true });
    expect(asked[1].body).toContain('tiny');
    expect(confirm).not.toHaveBeenCalled();
    expect(t.argsOf('finetune.delete')).toEqual([{ task_id: 'ft-1' }]);
    expect(dom.container.querySelector('.sage-task-detail')).toBeNull();
  });

  it('a task deleted elsewhere closes its detail', async () => {
    const t = fake();
    await render(createElement(FinetuneView, { taskId: 'ft-1' }), t);
    await t.push('finetune.watch', { type: 'deleted', task_id: 'ft-1' });
    expect(dom.container.querySelector('.sage-task-detail')).toBeNull();
  });

  it('creates a task with one flat TaskConfig', async () => {
    const t = fake();
    await render(createElement(FinetuneView, {}), t);
    const input = dom.container.querySelector(
      'input[aria-label="dataset file"]'
    ) as HTMLInputElement;
    const file = { name: 'd.jsonl', text: async () => '{"instruction": "q", "output": "a"}\n' };
    Object.defineProperty(input, 'files', { value: [file] });
    await act(async () => input.dispatchEvent(new Event('change', { bubbles: true })));
    await act(async () => undefined);
    expect(t.argsOf('finetune.upload')).toEqual([
      { name: 'd.jsonl', content: '{"instruction": "q", "output": "a"}\n' }
    ]);
    await click(dom.container.querySelector('input[type="checkbox"]')!); // DoRA
    await click(button('Start fine-tune'));
    expect(t.argsOf('finetune.create')).toEqual([
      {
        name: 'my-adapter',
        model: 'SmolLM2-135M-Instruct',
        dataset_id: 'd1',
        epochs: 1,
        batch_size: 4,
        learning_rate: 0.0002,
        lora: { rank: 8, alpha: 16, use_dora: true }
      }
    ]);
    // The new task is followed by its id.
    expect(t.streams.find(s => s.method === 'finetune.watch')!.args).toEqual({
      task_id: 'ft-1',
      logs: 1
    });
  });
  it('resumes a cancelled task and follows the new run with a fresh stream', async () => {
    const t = fake();
    t.answers['finetune.get'] = task('cancelled');
    t.answers['finetune.resume'] = task('queued');
    await render(createElement(FinetuneView, { taskId: 'ft-1' }), t);
    const detail = () => dom.container.querySelector('.sage-task-detail')!;
    expect(detail().getAttribute('data-status')).toBe('cancelled');
    await click(button('Resume'));
    expect(t.argsOf('finetune.resume')).toEqual([{ task_id: 'ft-1' }]);
    expect(detail().getAttribute('data-status')).toBe('queued');
    expect(dom.container.querySelector('.sage-notice')!.textContent).toContain('last checkpoint');
    const watches = t.streams.filter(s => s.method === 'finetune.watch');
    expect(watches).toHaveLength(2);
    expect(watches[0].cancelled).toBe(true);
    expect(watches[1].args).toEqual({ task_id: 'ft-1', logs: 1 });
    expect(button('Resume')).toBeUndefined();
    // The fresh stream replays the earlier run's events.jsonl statuses: only the store's task_status counts.
    await t.push(
      'finetune.watch',
      { type: 'status', status: 'running' },
      { type: 'status', status: 'cancelled' },
      { type: 'task_status', status: 'running', error: null }
    );
    expect(detail().getAttribute('data-status')).toBe('running');
    await t.push('finetune.watch', { type: 'task_status', status: 'completed', error: null });
    expect(detail().getAttribute('data-status')).toBe('completed');
  });

  it('shows steps as a table, the measured speed and hides library warnings unless asked', async () => {
    const t = fake();
    await render(createElement(FinetuneView, { taskId: 'ft-1' }), t);
    await t.push(
      'finetune.watch',
      {
        type: 'progress',
        step: 2,
        total_steps: 4,
        loss: 2.75,
        lr: 0.0002,
        epoch: 0.5,
        eta_s: 6,
        tokens_per_s: 310.4
      },
      { type: 'eval', step: 2, eval_loss: 2.8, epoch: 0.5 },
      { type: 'log', line: 'x.py:1: FutureWarning: deprecated' },
      { type: 'log', line: "{'loss': 2.75, 'learning_rate': 0.0002, 'epoch': 0.5}" },
      { type: 'log', line: 'training' }
    );
    const cells = Array.from(dom.container.querySelectorAll('.sage-step-table tbody tr')).map(r =>
      Array.from(r.querySelectorAll('td')).map(td => td.textContent)
    );
    expect(cells).toEqual([
      ['1', '3', '–', '1.00e-3', '0.25'],
      ['2', '2.7500', '2.8000', '2.00e-4', '0.50']
    ]);
    expect(dom.container.querySelector('.sage-speed')!.textContent).toBe(
      'step 2 / 4 · 3.00 s/step · 310 tokens/s · about 6 s left'
    );
    const logs = () => dom.container.querySelector('.sage-logs')!.textContent;
    expect(logs()).toBe('training');
    const toggle = Array.from(dom.container.querySelectorAll('label')).find(l =>
      l.textContent!.startsWith('Show all log lines')
    )!;
    expect(toggle.textContent).toBe('Show all log lines (2 hidden)');
    await click(toggle.querySelector('input')!);
    expect(logs()).toContain('FutureWarning');
  });

  it('sends the advanced settings that differ from the defaults; validation says it is ready', async () => {
    const t = fake();
    await render(createElement(FinetuneView, {}), t);
    const input = dom.container.querySelector(
      'input[aria-label="dataset file"]'
    ) as HTMLInputElement;
    Object.defineProperty(input, 'files', { value: [{ name: 'd.jsonl', text: async () => '{}' }] });
    await act(async () => input.dispatchEvent(new Event('change', { bubbles: true })));
    await act(async () => undefined);
    expect(dom.container.querySelector('.sage-dataset-ok')!.textContent).toBe(
      'd.jsonl: ✓ 8 rows, alpaca format, ready to train'
    );
    expect(dom.container.querySelector('details.sage-advanced')!.hasAttribute('open')).toBe(false);
    expect(dom.container.querySelector('.sage-plan')!.textContent).toMatch(/^2 training steps\./);
    const set = (label: string, value: string) =>
      type(dom.container.querySelector(`[aria-label="${label}"]`)!, value);
    await set('gradient accumulation', '2');
    await set('LR scheduler', 'cosine');
    await set('eval split', '0');
    expect(dom.container.querySelector('.sage-plan')!.textContent).toMatch(/^1 training step\./);
    await click(button('Start fine-tune'));
    expect(t.argsOf('finetune.create')[0]).toMatchObject({
      gradient_accumulation: 2,
      scheduler: 'cosine',
      eval_ratio: 0
    });
    expect(t.argsOf('finetune.create')[0]).not.toHaveProperty('max_length');
  });
  it('the SAGE docs sample is selected with its rows; Validate says it is ready', async () => {
    const t = fake();
    const sample = { id: 'ds-s', name: 'SAGE docs sample', format: 'docs', rows: 42 };
    t.answers['finetune.sample_dataset'] = sample;
    await render(createElement(FinetuneView, {}), t);
    expect(t.argsOf('finetune.datasets')).toHaveLength(1);
    t.answers['finetune.datasets'] = { datasets: [sample] };
    await click(button('Use the SAGE docs sample'));
    expect(t.argsOf('finetune.sample_dataset')).toEqual([{}]);
    expect(t.argsOf('finetune.datasets')).toHaveLength(2); // listed at once
    const select = dom.container.querySelector('select[aria-label="dataset"]') as HTMLSelectElement;
    expect(select.value).toBe('ds-s');
    expect(select.selectedOptions[0].textContent).toBe('SAGE docs sample (42 rows)');
    expect(dom.container.querySelector('.sage-dataset-ok')!.textContent).toBe(
      'SAGE docs sample: ✓ 42 rows, docs format, ready to train'
    );
    expect(dom.container.querySelector('.sage-plan')!.textContent).toMatch(/^10 training steps\./);

    t.answers['finetune.dataset'] = {
      ...sample,
      preview: [],
      split: { eval_ratio: 0.1, train: 38, eval: 4 },
      token_stats: { count: 42, mean: 180.4, max: 700, over_max_length: 3, max_length: 512 }
    };
    await click(button('Validate'));
    expect(t.argsOf('finetune.dataset')).toEqual([
      {
        dataset_id: 'ds-s',
        model: 'SmolLM2-135M-Instruct',
        max_length: 512,
        eval_ratio: 0.1,
        rows: 3
      }
    ]);
    expect(dom.container.querySelector('.sage-validated')!.textContent).toBe(
      '✓ 42 rows, docs format: 38 for training, 4 for evaluation; 180 tokens per example on ' +
        'average (longest 700), 3 longer than 512 tokens are cut — ready to train'
    );
  });

  it('shows live advice after the settings settle and applies its suggestion', async () => {
    const t = fake();
    const settle = () => act(async () => new Promise(r => setTimeout(r, ADVICE_DELAY_MS + 100)));
    t.answers['finetune.advice'] = {
      lines: ['Estimated memory: 3.9 GiB of 21.5 GiB available RAM — fits.'],
      fits: true,
      suggestion: null
    };
    await render(createElement(FinetuneView, {}), t);
    await settle();
    const advice = () => dom.container.querySelector('.sage-advice-live')!;
    expect(advice().textContent).toContain('3.9 GiB of 21.5 GiB');
    expect(t.argsOf('finetune.advice')).toEqual([
      {
        model: 'SmolLM2-135M-Instruct',
        epochs: 1,
        batch_size: 4,
        learning_rate: 0.0002,
        lora: { rank: 8, alpha: 16 }
      }
    ]);
    t.answers['finetune.advice'] = {
      lines: ['Estimated memory: 60.0 GiB of 21.5 GiB available RAM — too much.'],
      fits: false,
      suggestion: {
        text: 'Suggestion: batch size 8 with gradient accumulation 8 needs about 7 GiB.',
        changes: { batch_size: 8, gradient_accumulation: 8 },
        memory_bytes: 7
      }
    };
    const batch = dom.container.querySelector('[aria-label="batch size"]') as HTMLInputElement;
    for (const typed of ['6', '64']) {
      await type(batch, typed);
    }
    await settle();
    // Debounced: one call for the settled value, none for the keystroke in between.
    expect(t.argsOf('finetune.advice').map(a => a.batch_size)).toEqual([4, 64]);
    expect(advice().getAttribute('data-fits')).toBe('false');
    expect(advice().textContent).toContain('too much');
    await click(button('Use the suggestion'));
    expect(batch.value).toBe('8');
    expect(
      (dom.container.querySelector('[aria-label="gradient accumulation"]') as HTMLInputElement)
        .value
    ).toBe('8');
  });
});
