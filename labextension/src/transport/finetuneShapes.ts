/**
 * Fine-tune task dicts as the server sends them → the contract's flat table rows (docs/TRANSPORT.md).
 * The server nests the latest `progress` / `eval` events in a task; a table row wants `progress` as a
 * fraction and `epoch`, `loss`, `eval_loss`, `eta_s` at the top. Flat rows (the widget kernel's) pass through.
 */
type Obj = Record<string, any>;

const TERMINAL_DONE = 'completed';
const EVENT_FIELDS = ['step', 'total_steps', 'epoch', 'loss', 'eta_s', 'tokens_per_s'] as const;

function fraction(step: unknown, total: unknown, status: unknown): number {
  if (status === TERMINAL_DONE) {
    return 1;
  }
  const s = Number(step);
  const t = Number(total);
  return t > 0 && s >= 0 ? Math.min(1, s / t) : 0;
}

/** One task (server dict or already-flat row) → a flat row. */
export function flatTask(task: Obj): Obj {
  if (!task || typeof task !== 'object') {
    return task;
  }
  const nested = task.progress !== null && typeof task.progress === 'object';
  if (!nested && (typeof task.progress === 'number' || !('eval' in task))) {
    return task; // already the contract's row
  }
  const { progress, eval: evaluation, ...rest } = task;
  const p: Obj = nested ? progress : {};
  const row: Obj = { ...rest };
  for (const key of EVENT_FIELDS) {
    if (p[key] !== undefined) {
      row[key] = p[key];
    }
  }
  row.eval_loss = evaluation?.eval_loss ?? task.eval_loss ?? null;
  row.progress = fraction(p.step, p.total_steps, task.status);
  return row;
}

/**
 * A `finetune.events` message in the contract's shape: `snapshot {tasks}`, `task {task}` (new, or its status
 * changed), `progress {task_id, status, step, total_steps, epoch, loss, eval_loss, eta_s, progress}` (flat,
 * `progress` a fraction), `deleted {task_id}`.
 */
export function flatTaskEvent(event: Obj): Obj {
  switch (event?.type) {
    case 'snapshot':
      return { ...event, tasks: (event.tasks ?? []).map(flatTask) };
    case 'task':
      return { ...event, task: flatTask(event.task) };
    case 'progress': {
      const { progress, ...rest } = event;
      const p: Obj = progress !== null && typeof progress === 'object' ? progress : {};
      const out: Obj = { ...rest };
      delete out.eval; // the table shows eval_loss, already at the top
      for (const key of EVENT_FIELDS) {
        if (out[key] === undefined && p[key] !== undefined) {
          out[key] = p[key];
        }
      }
      out.progress =
        typeof progress === 'number' ? progress : fraction(out.step, out.total_steps, out.status);
      return out;
    }
    default:
      return event;
  }
}

/** The file name of an `attachment; filename="x.zip"` header (RFC 6266, with the `filename*` form). */
export function attachmentName(header: string | null, fallback: string): string {
  if (!header) {
    return fallback;
  }
  const star = /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain ? plain[1].trim() : fallback;
}
