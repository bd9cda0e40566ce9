/**
 * The fine-tune detail's pure helpers: the step table from progress/eval records, library noise hidden from the
 * log, the measured speed line (units, no invented numbers), the form's step count and the validation line.
 */
import { describe, expect, it } from 'vitest';

import {
  datasetOk,
  isLogNoise,
  mergeStepRows,
  planText,
  plannedSteps,
  validationLine,
  speedLine,
  speedOf,
  visibleLogLines
} from '../src/views/finetuneLog';

describe('step table', () => {
  it('one row per step, eval merged into its step, sorted, history and stream deduplicated', () => {
    const history = [
      { step: 2, loss: 2.5, eval_loss: null, lr: 0.0001, epoch: 0.5 },
      { step: 1, loss: 3, eval_loss: null, lr: 0.0002, epoch: 0.25 }
    ];
    let rows = mergeStepRows([], history);
    expect(rows.map(r => r.step)).toEqual([1, 2]);
    rows = mergeStepRows(rows, [
      { type: 'start', step: 0, total_steps: 4 },
      { type: 'progress', step: 2, loss: 2.5, lr: 0.0001, epoch: 0.5 },
      { type: 'eval', step: 2, eval_loss: 2.75, epoch: 0.5 },
      { type: 'checkpoint', step: 2, loss: 9 },
      { type: 'progress', step: 3, loss: 2.25, learning_rate: 0.00005, epoch: 0.75 }
    ]);
    expect(rows).toEqual([
      { step: 1, loss: 3, eval_loss: null, lr: 0.0002, epoch: 0.25 },
      { step: 2, loss: 2.5, eval_loss: 2.75, lr: 0.0001, epoch: 0.5 },
      { step: 3, loss: 2.25, eval_loss: null, lr: 0.00005, epoch: 0.75 }
    ]);
    // Nothing new: the same array (no re-render).
    expect(mergeStepRows(rows, [{ type: 'progress', step: 3, loss: 2.25 }])).toBe(rows);
  });
});

describe('log lines', () => {
  const lines = [
    'loading model SmolLM2-135M-Instruct',
    '/x/transformers/trainer.py:123: FutureWarning: `tokenizer` is deprecated and will be removed',
    '  warnings.warn(',
    "{'loss': 2.6, 'grad_norm': 1.25, 'learning_rate': 0.0002, 'epoch': 0.5}",
    ' 50%|█████     | 2/4 [00:03<00:03,  1.5s/it]',
    "{'train_runtime': 7.1, 'train_samples_per_second': 1.1, 'epoch': 1.0}",
    'Traceback (most recent call last):',
    'RuntimeError: CUDA out of memory',
    'adapter saved'
  ];
  it('hides warnings, progress bars and raw trainer dicts unless all lines are asked for', () => {
    expect(visibleLogLines(lines, false)).toEqual([
      'loading model SmolLM2-135M-Instruct',
      'Traceback (most recent call last):',
      'RuntimeError: CUDA out of memory',
      'adapter saved'
    ]);
    expect(visibleLogLines(lines, true)).toBe(lines);
    expect(isLogNoise('UserWarning: something')).toBe(true);
    expect(isLogNoise('ValueError: bad data')).toBe(false);
  });
});

describe('speed and ETA', () => {
  it('seconds per step from the measured ETA over the steps left, tokens per second labelled', () => {
    const p = { step: 2, total_steps: 10, eta_s: 40, elapsed_s: 9, tokens_per_s: 412.3 };
    expect(speedOf(p)).toEqual({ secPerStep: 5, tokensPerS: 412.3 });
    expect(speedLine(p)).toBe('step 2 / 10 · 5.00 s/step · 412 tokens/s');
  });
  it('fast steps as steps/s; the elapsed time when no steps are left; nothing invented', () => {
    expect(speedLine({ step: 8, total_steps: 10, eta_s: 0.5 })).toBe('step 8 / 10 · 4.00 steps/s');
    expect(speedLine({ step: 10, total_steps: 10, eta_s: 0, elapsed_s: 25 })).toBe(
      'step 10 / 10 · 2.50 s/step'
    );
    expect(speedLine({ step: 1, total_steps: 10, tokens_per_s: 0 })).toBe('step 1 / 10');
    expect(speedLine(null)).toBe('');
  });
  it('the form counts steps (as the trainer does) and promises no time before a measurement', () => {
    const base = { rows: 20, eval_ratio: 0.1, batch_size: 4, gradient_accumulation: 1, epochs: 1 };
    expect(plannedSteps({ ...base, max_steps: 0 })).toBe(5); // 18 train rows / 4 → 5 batches
    expect(plannedSteps({ ...base, gradient_accumulation: 2, max_steps: 0 })).toBe(2);
    expect(plannedSteps({ ...base, epochs: 3, max_steps: 0 })).toBe(15);
    expect(plannedSteps({ ...base, max_steps: 7 })).toBe(7);
    expect(plannedSteps({ ...base, rows: 0, max_steps: 0 })).toBeNull();
    expect(planText(5)).toMatch(/^5 training steps\. .*measured/);
    expect(planText(5)).not.toMatch(/about|\d+ s\b/);
  });
});

it('validation says what is ready', () => {
  expect(datasetOk({ rows: 120, format: 'alpaca' })).toBe(
    '✓ 120 rows, alpaca format, ready to train'
  );
});

describe('validationLine', () => {
  it('says a good dataset is ready, with its split and token counts', () => {
    const d = {
      rows: 1,
      format: 'alpaca',
      split: { train: 1, eval: 0 },
      token_stats: { count: 1, mean: 12.6, max: 13, over_max_length: 0, max_length: 512 }
    };
    expect(validationLine(d)).toBe(
      '✓ 1 row, alpaca format: 1 for training, 0 for evaluation; 13 tokens per example on average ' +
        '(longest 13), none cut at 512 tokens — ready to train'
    );
    const over = { ...d, rows: 3, token_stats: { ...d.token_stats, count: 3, over_max_length: 1 } };
    expect(validationLine(over)).toContain('1 longer than 512 tokens is cut');
    expect(validationLine({ rows: 5, format: 'docs' })).toBe(
      '✓ 5 rows, docs format — ready to train'
    );
    expect(validationLine({ rows: 0 })).toMatch(/^✗/);
    expect(validationLine(null)).toBe('');
  });
});
