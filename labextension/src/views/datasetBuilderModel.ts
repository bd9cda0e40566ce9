/**
 * The dataset builder's pure logic (DatasetBuilder.tsx): the form's plain-words state → the arguments of
 * `improve.preview_dataset`, `improve.build_dataset` and `improve.preference_export`, the train/eval counts a
 * build will make, and the sentences of an empty result. Unit-tested without a DOM.
 */
import { Args, Result } from '../transport/types';

export type Rating = 'up' | 'down' | 'corrected';
export type Preview = Result<'improve.preview_dataset'>;
export type Build = Result<'improve.build_dataset'>;

/** The op's rating filter values in the user's words (feedback.py `Filters.ratings`). */
export const RATING_CHOICES: { value: Rating; label: string; help: string }[] = [
  {
    value: 'corrected',
    label: 'Answers I corrected',
    help: 'the ideal answer you wrote in place of an answer becomes the row'
  },
  {
    value: 'up',
    label: 'Answers rated good',
    help: 'answers you marked as good (thumbs up), as they are'
  },
  {
    value: 'down',
    label: 'Answers rated bad',
    help: 'trained on the ideal answer you wrote for them; a bad answer without one is skipped'
  }
];

export interface BuilderForm {
  sessions: string[] | null; // null: every chat, also the ones made after the preview
  from: string; // YYYY-MM-DD (the day's start, local time) or ''
  to: string; // YYYY-MM-DD, included, or ''
  ratings: Rating[];
  models: string[] | null; // null: whatever model answered
  evalPercent: number; // share of the rows held out, in %
  dedupe: boolean;
  seed: number;
  name: string;
  templateModel: string; // whose chat template and tokenizer render the preview ('' = the bundled model)
}

export const DEFAULT_FORM: BuilderForm = {
  sessions: null,
  from: '',
  to: '',
  ratings: ['corrected', 'up'], // the core's default selection
  models: null,
  evalPercent: 10,
  dedupe: true,
  seed: 42,
  name: 'chat feedback',
  templateModel: ''
};

/** A date input's day as the ISO instant of its local midnight, `days` later. */
function dayStart(day: string, days = 0): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d + days).toISOString();
}

/** What is wrong with the form, in words, or '' when it can be sent. */
export function formProblem(form: BuilderForm): string {
  if (!form.ratings.length) {
    return 'Pick at least one kind of answer.';
  }
  if (form.sessions !== null && !form.sessions.length) {
    return 'Pick at least one chat, or all chats.';
  }
  if (form.models !== null && !form.models.length) {
    return 'Pick at least one model, or any model.';
  }
  if (form.from && form.to && form.from > form.to) {
    return 'The first day is after the last day.';
  }
  if (!(form.evalPercent >= 0 && form.evalPercent < 100)) {
    return 'The eval share must be at least 0 % and below 100 %.';
  }
  if (!form.name.trim()) {
    return 'Give the dataset a name.';
  }
  return '';
}

/** Which answers (feedback.py `Selection`): unset filters are left out, so the core's defaults apply. */
export function selectionArgs(form: BuilderForm): Args {
  const args: Args = {};
  if (form.sessions !== null) {
    args.session_ids = form.sessions;
  }
  if (form.from) {
    args.since = dayStart(form.from);
  }
  if (form.to) {
    args.until = dayStart(form.to, 1); // "before": the next day's start keeps the last day in
  }
  if (form.models !== null) {
    args.models = form.models;
  }
  return args;
}

function filterArgs(form: BuilderForm): Args {
  return { ...selectionArgs(form), ratings: form.ratings, dedupe: form.dedupe };
}

export function previewArgs(form: BuilderForm, rows = 5): Args {
  return {
    ...filterArgs(form),
    rows,
    ...(form.templateModel ? { model: form.templateModel } : {})
  };
}

export function buildArgs(form: BuilderForm): Args {
  return {
    ...filterArgs(form),
    name: form.name.trim(),
    eval_ratio: form.evalPercent / 100,
    seed: form.seed
  };
}

export function preferenceArgs(form: BuilderForm, save: boolean): Args {
  return {
    ...selectionArgs(form),
    ...(save ? { name: `${form.name.trim()} preferences`, save } : {})
  };
}

/** Python's `round()` (half to even) on the same double: the split is then counted exactly as the core does. */
function pyRound(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff === 0.5) {
    return floor % 2 === 0 ? floor : floor + 1;
  }
  return Math.round(x);
}

/** Train/eval rows of a build of `rows` rows (finetune/datasets.py `split`). */
export function splitCounts(rows: number, evalRatio: number): { train: number; eval: number } {
  let n = evalRatio > 0 ? pyRound(rows * evalRatio) : 0;
  if (evalRatio > 0 && n === 0 && rows >= 2) {
    n = 1;
  }
  return { train: rows - n, eval: n };
}

const WHAT_TO_DO =
  'Rate answers in chat: mark a bad one and write its ideal answer, or mark good ones; then preview again.';

/** Why a preview has no rows and what to do; '' when it has some. */
export function emptyText(preview: Pick<Preview, 'selected' | 'duplicates' | 'skipped'>): string {
  if (preview.selected > 0) {
    return '';
  }
  const why: string[] = [];
  for (const [reason, n] of Object.entries(preview.skipped ?? {})) {
    why.push(`${n} skipped: ${reason}`);
  }
  if (preview.duplicates) {
    why.push(plural(preview.duplicates, 'duplicate'));
  }
  const found = why.length
    ? `No rows: ${why.join('; ')}.`
    : 'No rows: no rated or corrected answers match these filters.';
  return `${found} ${WHAT_TO_DO}`;
}

/** "1 pair", "2 pairs" */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "chat feedback v2" */
export function buildLabel(b: { name: string; version: number }): string {
  return `${b.name} v${b.version}`;
}

/** A build's size in words: "12 rows: 11 train, 1 eval (2 duplicates dropped)" or "3 pairs". */
export function countsText(b: Pick<Build, 'kind' | 'counts'>): string {
  const c = b.counts as Record<string, number>;
  if (b.kind === 'preference') {
    return plural(c.pairs ?? 0, 'pair');
  }
  const dropped = c.duplicates ? ` (${plural(c.duplicates, 'duplicate')} dropped)` : '';
  return `${plural(c.selected ?? (c.train ?? 0) + (c.eval ?? 0), 'row')}: ${c.train ?? 0} train, ${c.eval ?? 0} eval${dropped}`;
}

/** TRL preference rows as the JSONL its DPO trainer reads. */
export function preferenceJsonl(rows: unknown[]): string {
  return rows.map(r => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}
