/**
 * Pure helpers of the fine-tune detail: the step table (from the task's `progress` / `eval` events), which
 * train.log lines are library noise (hidden unless asked), the measured speed line, and the create form's
 * step count (no time promise before a measured basis exists).
 */

type Obj = Record<string, any>;

/** One row of the step table. */
export type StepRow = {
  step: number;
  loss: number | null;
  eval_loss: number | null;
  lr: number | null;
  epoch: number | null;
};

const num = (v: unknown): number | null =>
  v === null || v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v);

/**
 * Merge loss records (stream events or `finetune.progress` history points) into the step table: one row per step,
 * an eval record filling the eval loss of its step's row; known values are never erased by missing ones.
 */
export function mergeStepRows(rows: StepRow[], records: Obj[]): StepRow[] {
  let out = rows;
  for (const e of records) {
    const step = num(e?.step);
    if (step === null || (e.loss === undefined && e.eval_loss === undefined)) {
      continue;
    }
    if (e.type !== undefined && e.type !== 'progress' && e.type !== 'eval') {
      continue;
    }
    const i = out.findIndex(r => r.step === step);
    const prev: StepRow =
      i >= 0 ? out[i] : { step, loss: null, eval_loss: null, lr: null, epoch: null };
    const next: StepRow = {
      step,
      loss: num(e.loss) ?? prev.loss,
      eval_loss: num(e.eval_loss) ?? prev.eval_loss,
      lr: num(e.lr ?? e.learning_rate) ?? prev.lr,
      epoch: num(e.epoch) ?? prev.epoch
    };
    if (
      i >= 0 &&
      prev.loss === next.loss &&
      prev.eval_loss === next.eval_loss &&
      prev.lr === next.lr &&
      prev.epoch === next.epoch
    ) {
      continue;
    }
    out = i >= 0 ? out.map((r, j) => (j === i ? next : r)) : [...out, next];
  }
  return out === rows ? rows : [...out].sort((a, b) => a.step - b.step);
}

/**
 * Library noise of a train.log: Python warnings (and the source line printed under them), tqdm progress bars and
 * the Trainer's raw log dicts (their numbers are in the step table). Errors and tracebacks are never noise.
 */
export function isLogNoise(line: string): boolean {
  const s = line.trim();
  if (!s) {
    return true;
  }
  if (/Error|Traceback|Exception/.test(s) && !/Warning:/.test(s)) {
    return false;
  }
  return (
    /\b[A-Z][A-Za-z]*Warning\b/.test(s) || // FutureWarning, UserWarning, …
    /^warnings\.warn\(/.test(s) ||
    /^\s*\d+%\|/.test(s) || // tqdm
    /\|\s*\d+\/\d+\s*\[/.test(s) || // tqdm without the percentage
    /^\{'[a-z_]+':.*\}$/.test(s) // {'loss': 2.3, 'grad_norm': …, 'learning_rate': …, 'epoch': 0.5}
  );
}

/** The log lines to show: all of them when asked, else those that are not library noise. */
export function visibleLogLines(lines: string[], showAll: boolean): string[] {
  return showAll ? lines : lines.filter(l => !isLogNoise(l));
}

/**
 * Measured speed of the latest `progress` event: seconds per step (from the trainer's measured ETA over the
 * steps left, else its elapsed time over the steps done) and training tokens per second.
 */
export function speedOf(p: Obj | null | undefined): {
  secPerStep: number | null;
  tokensPerS: number | null;
} {
  if (!p) {
    return { secPerStep: null, tokensPerS: null };
  }
  const step = num(p.step);
  const total = num(p.total_steps);
  const eta = num(p.eta_s);
  const elapsed = num(p.elapsed_s);
  let secPerStep: number | null = null;
  if (eta !== null && step !== null && total !== null && total > step) {
    secPerStep = eta / (total - step);
  } else if (elapsed !== null && step !== null && step > 0) {
    secPerStep = elapsed / step;
  }
  const tokens = num(p.tokens_per_s);
  return { secPerStep, tokensPerS: tokens !== null && tokens > 0 ? tokens : null };
}

function fmtSig(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** "step 3 / 8 · 1.25 s/step · 410 tokens/s" — only measured numbers, each with its unit. */
export function speedLine(p: Obj | null | undefined): string {
  if (!p || num(p.step) === null) {
    return '';
  }
  const parts = [`step ${p.step}${num(p.total_steps) ? ` / ${p.total_steps}` : ''}`];
  const { secPerStep, tokensPerS } = speedOf(p);
  if (secPerStep !== null) {
    parts.push(
      secPerStep >= 1 ? `${fmtSig(secPerStep)} s/step` : `${fmtSig(1 / secPerStep)} steps/s`
    );
  }
  if (tokensPerS !== null) {
    parts.push(`${fmtSig(tokensPerS)} tokens/s`);
  }
  return parts.join(' · ');
}

/** Optimizer steps a run will take (what the trainer computes), or null before a dataset is known. */
export function plannedSteps(p: {
  rows: number;
  eval_ratio: number;
  batch_size: number;
  gradient_accumulation: number;
  epochs: number;
  max_steps: number;
}): number | null {
  if (p.max_steps > 0) {
    return p.max_steps;
  }
  if (!p.rows) {
    return null;
  }
  // As datasets.split and the HF Trainer count them.
  let evalRows = p.eval_ratio > 0 ? Math.round(p.rows * p.eval_ratio) : 0;
  if (p.eval_ratio > 0 && evalRows === 0 && p.rows >= 2) {
    evalRows = 1;
  }
  const train = Math.max(1, p.rows - evalRows);
  const perEpoch = Math.max(
    1,
    Math.floor(Math.ceil(train / Math.max(1, p.batch_size)) / Math.max(1, p.gradient_accumulation))
  );
  return Math.max(1, Math.ceil(perEpoch * p.epochs));
}

/** The form's plan: the step count and an honest note that the time is measured once training runs. */
export function planText(steps: number | null): string {
  if (steps === null) {
    return 'Pick or upload a dataset to see the number of training steps.';
  }
  return `${steps} training step${steps === 1 ? '' : 's'}. The time left is shown once the first steps have run (measured, not guessed).`;
}

/** The validation result in one line. */
export function datasetOk(d: { rows?: number; format?: string } | null): string {
  if (!d) {
    return '';
  }
  return `✓ ${d.rows ?? 0} rows, ${d.format ?? 'unknown'} format, ready to train`;
}

/**
 * What *Validate* found, in one line: "✓ 42 rows, docs format: 38 for training, 4 for evaluation; 180 tokens per
 * example on average (longest 700), none cut at 512 tokens — ready to train".
 */
export function validationLine(d: Obj | null | undefined): string {
  if (!d) {
    return '';
  }
  const rows = num(d.rows) ?? 0;
  if (!rows) {
    return '✗ the dataset has no rows: nothing to train on';
  }
  const parts = [`✓ ${rows} row${rows === 1 ? '' : 's'}, ${d.format ?? 'unknown'} format`];
  const split = d.split ?? {};
  if (num(split.train) !== null) {
    parts[0] += `: ${split.train} for training, ${num(split.eval) ?? 0} for evaluation`;
  }
  const t = d.token_stats ?? {};
  if (num(t.mean) !== null && num(t.count)) {
    const over = num(t.over_max_length) ?? 0;
    const cut = over
      ? `${over} longer than ${t.max_length} tokens ${over === 1 ? 'is' : 'are'} cut`
      : `none cut at ${t.max_length} tokens`;
    parts.push(
      `${Math.round(Number(t.mean))} tokens per example on average (longest ${t.max}), ${cut}`
    );
  }
  return `${parts.join('; ')} — ready to train`;
}
