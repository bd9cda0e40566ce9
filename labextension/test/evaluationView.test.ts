// @vitest-environment jsdom
/**
 * The evaluation view against the Studio API's shapes (fake transport, no server): not evaluated → *Evaluate*
 * (`improve.evaluate` by task_id) → progress polled from `improve.evaluation_state` → the metrics and sample
 * tables of `improve.evaluation`; evaluating again asks JupyterLab's dialog first; compare mode sends the picked
 * tasks to `improve.compare` and overlays their loss curves.
 */
import { act, createElement } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';

import { Result, Transport, TransportError } from '../src/transport/types';
import { Dialogs, DialogsContext } from '../src/views/dialogs';
import { EvaluationView } from '../src/views/EvaluationView';
import { click, FakeTransport, provide, mountDom } from './harness';

const scores = (loss: number, em: number, rouge: number) => ({
  eval_loss: loss,
  perplexity: Math.exp(loss),
  exact_match: em,
  rouge_l: rouge
});

const evaluation = {
  task_id: 'ft-1',
  evaluated_at: 1,
  split: {
    source: 'eval',
    note: 'held-out split (eval_ratio 0.25)',
    rows: 1,
    dataset_rows: 4,
    eval_ratio: 0.25,
    seed: 42
  },
  base: scores(3.5, 0, 0.2),
  adapter: scores(0.5, 1, 1),
  samples: [
    {
      prompt: 'What is the secret code?',
      reference: 'ZEBRA-42',
      base_answer: 'I do not know.',
      adapter_answer: 'ZEBRA-42',
      base_exact_match: 0,
      adapter_exact_match: 1,
      base_rouge_l: 0,
      adapter_rouge_l: 1
    }
  ],
  throughput: {
    examples: 1,
    seconds: 0.4,
    examples_per_s: 2.5,
    generation_seconds: 0.3,
    answers: 2,
    answers_per_s: 6.7
  }
} satisfies Result<'improve.evaluation'>;

/** A transport answering the evaluation's calls. */
const fake = () =>
  new FakeTransport({
    'improve.evaluation_state': { task_id: 'ft-1', state: 'none' },
    'improve.evaluation': () => {
      throw new TransportError(404, 'task is not evaluated yet'); // until evaluated
    },
    'improve.evaluate': { task_id: 'ft-1', state: 'running', phase: null },
    'improve.cancel_evaluation': { task_id: 'ft-1', state: 'running', phase: 'generate' },
    'finetune.tasks': {
      tasks: [
        { id: 'ft-1', name: 'first', status: 'completed' },
        { id: 'ft-2', name: 'second', status: 'completed' },
        { id: 'ft-3', name: 'busy', status: 'running' }
      ]
    },
    'improve.compare': {
      tasks: [
        {
          task_id: 'ft-1',
          name: 'first',
          status: 'completed',
          evaluation,
          history: [
            { step: 1, loss: 3 },
            { step: 2, loss: 2 }
          ]
        },
        {
          task_id: 'ft-2',
          name: 'second',
          status: 'completed',
          evaluation: null,
          history: [{ step: 1, loss: 2.5 }]
        }
      ]
    }
  });

const dom = mountDom();
const asked: string[] = [];
let answer = false;
const dialogs: Dialogs = {
  confirm: async title => {
    asked.push(title);
    return answer;
  },
  prompt: async () => null
};

const render = (view: React.ReactElement, transport: Transport) =>
  dom.render(transport, view, provide(DialogsContext, dialogs));
const button = dom.button;

async function until(check: () => boolean, ms = 2000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error('condition not reached');
    }
    await act(async () => new Promise(r => setTimeout(r, 10)));
  }
}

const view = () => dom.container.querySelector('.sage-evaluation')!;

beforeEach(() => {
  asked.length = 0;
});

describe('EvaluationView', () => {
  it('starts an evaluation, follows its progress and shows base vs adapter', async () => {
    const t = fake();
    await render(createElement(EvaluationView, { taskId: 'ft-1', pollMs: 20 }), t);
    expect(t.argsOf('improve.evaluation_state')).toEqual([{ task_id: 'ft-1' }]);
    expect(view().getAttribute('data-state')).toBe('none');
    expect(view().textContent).toContain('Not evaluated yet');

    t.answers['improve.evaluation_state'] = {
      task_id: 'ft-1',
      state: 'running',
      phase: 'generate',
      done: 1,
      total: 4
    };
    await click(button('Evaluate'));
    expect(t.argsOf('improve.evaluate')).toEqual([{ task_id: 'ft-1' }]);
    expect(asked).toEqual([]); // nothing stored yet: nothing to replace, no question
    await until(() => view().textContent!.includes('generating answers 1/4'));
    expect(button('Evaluating…').disabled).toBe(true);
    await click(button('Cancel'));
    expect(t.argsOf('improve.cancel_evaluation')).toEqual([{ task_id: 'ft-1' }]);

    t.answers['improve.evaluation_state'] = { task_id: 'ft-1', state: 'completed' };
    t.answers['improve.evaluation'] = evaluation;
    await until(() => view().getAttribute('data-state') === 'completed');
    await until(() => !!dom.container.querySelector('.sage-eval-metrics'));
    const cell = (metric: string, who: string) =>
      dom.container.querySelector(`tr[data-metric="${metric}"] .sage-eval-${who}`)!.textContent;
    expect(cell('eval_loss', 'base')).toBe('3.5000');
    expect(cell('eval_loss', 'adapter')).toBe('0.5000');
    expect(cell('exact_match', 'adapter')).toBe('100.0%');
    expect(cell('rouge_l', 'base')).toBe('20.0%');
    const sample = dom.container.querySelector('.sage-eval-samples tr[data-row="0"]')!;
    expect(sample.textContent).toContain('I do not know.');
    expect(sample.querySelectorAll('[data-exact="yes"]')).toHaveLength(1);
    expect(view().textContent).toContain('2.50 examples/s');
  });

  it('asks before replacing a stored evaluation', async () => {
    const t = fake();
    t.answers['improve.evaluation_state'] = { task_id: 'ft-1', state: 'completed' };
    t.answers['improve.evaluation'] = evaluation;
    await render(createElement(EvaluationView, { taskId: 'ft-1' }), t);
    answer = false;
    await click(button('Evaluate again'));
    expect(asked).toEqual(['Evaluate again?']);
    expect(t.argsOf('improve.evaluate')).toEqual([]);
    answer = true;
    await click(button('Evaluate again'));
    expect(t.argsOf('improve.evaluate')).toEqual([{ task_id: 'ft-1' }]);
  });

  it('shows a failed evaluation with its reason', async () => {
    const t = fake();
    t.answers['improve.evaluation_state'] = {
      task_id: 'ft-1',
      state: 'failed',
      error: 'the evaluator exited before the end: nothing stored'
    };
    await render(createElement(EvaluationView, { taskId: 'ft-1' }), t);
    expect(dom.container.querySelector('[role="alert"]')!.textContent).toContain('nothing stored');
    expect(button('Evaluate').disabled).toBe(false);
  });

  it('compares picked tasks: metrics side by side and overlaid loss curves', async () => {
    const t = fake();
    await render(createElement(EvaluationView, { taskId: 'ft-1' }), t);
    const boxes = Array.from(dom.container.querySelectorAll('.sage-eval-pick input'));
    expect(boxes.map(b => b.getAttribute('data-task-id'))).toEqual(['ft-2']); // completed others only
    expect(button('Compare').disabled).toBe(true);
    await click(boxes[0]);
    await click(button('Compare'));
    expect(t.argsOf('improve.compare')).toEqual([{ task_ids: 'ft-1,ft-2' }]);
    const rows = dom.container.querySelectorAll('.sage-eval-comparison tbody tr');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('3.5000 → 0.5000');
    expect(rows[1].textContent).toContain('not evaluated');
    const svg = dom.container.querySelector('svg[aria-label="loss curves"]')!;
    expect(svg.getAttribute('data-series')).toBe('2');
    expect(svg.querySelectorAll('polyline')).toHaveLength(2);
  });
});
