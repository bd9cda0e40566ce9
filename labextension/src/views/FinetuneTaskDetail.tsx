/**
 * One fine-tune task's detail: live loss curve and step table from the task's `finetune.watch` stream (which
 * replays past events first), measured speed, create-time advice, logs that follow the trainer (library noise
 * hidden unless asked), cancel / resume / delete (JupyterLab's dialog) and the completed task's actions.
 */
import React, { useEffect, useLayoutEffect, useRef, useState } from 'react';

import { Result } from '../transport/types';
import {
  ActionButton,
  ErrorBox,
  fmtDuration,
  fmtNum,
  useCall,
  useLiveStream,
  useTransport
} from './common';
import { useDialogs } from './dialogs';
import { StepRow, mergeStepRows, speedLine, visibleLogLines } from './finetuneLog';
import { TERMINAL } from './finetuneTasks';
import { ExportTask, UseInChat, saveDownload } from './FinetuneTaskActions';
import { EvaluationView } from './EvaluationView';
import { LossCurve, LossPoint } from './LossCurve';

/** A loss point of one task's stream (`progress` and `eval` events; the stream replays past events first). */
function pointFrom(e: Record<string, any>): LossPoint | null {
  if (e.step === undefined || e.step === null) {
    return null;
  }
  if (e.loss === undefined && e.eval_loss === undefined) {
    return null;
  }
  return { step: e.step, loss: e.loss ?? null, eval_loss: e.eval_loss ?? null };
}

/** `a` then the points of `b` it lacks, in step order (the history and the stream overlap). */
export function mergePoints(a: LossPoint[], b: LossPoint[]): LossPoint[] {
  const key = (p: LossPoint) => `${p.step}|${p.loss ?? null}|${p.eval_loss ?? null}`;
  const seen = new Set(a.map(key));
  const extra = b.filter(p => !seen.has(key(p)));
  if (!extra.length) {
    return a;
  }
  return [...a, ...extra].sort((x, y) => Number(x.step) - Number(y.step));
}

export const isStatusEvent = (e: Record<string, any>) =>
  (e.type === 'status' || e.type === 'task_status') && typeof e.status === 'string';

/** The step table: one row per logged step (train loss, eval loss, learning rate, epoch). */
function StepTable({ steps }: { steps: StepRow[] }) {
  if (!steps.length) {
    return null;
  }
  return (
    <div className="sage-step-table-box">
      <table className="sage-table sage-step-table">
        <thead>
          <tr>
            <th>step</th>
            <th>loss</th>
            <th>eval loss</th>
            <th>learning rate</th>
            <th>epoch</th>
          </tr>
        </thead>
        <tbody>
          {steps.map(r => (
            <tr key={r.step} data-step={r.step}>
              <td>{r.step}</td>
              <td>{fmtNum(r.loss, 4)}</td>
              <td>{fmtNum(r.eval_loss, 4)}</td>
              <td>{r.lr === null ? '–' : r.lr.toExponential(2)}</td>
              <td>{fmtNum(r.epoch, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TaskDetail({
  taskId,
  onStatus,
  onDeleted
}: {
  taskId: string;
  onStatus?: (status: string) => void;
  onDeleted?: () => void;
}) {
  const transport = useTransport();
  const dialogs = useDialogs();
  const task = useCall<Result<'finetune.get'>>('finetune.get', { task_id: taskId }, taskId);
  const logs = useCall<Result<'finetune.logs'>>(
    'finetune.logs',
    { task_id: taskId, lines: 200 },
    taskId
  );
  // The loss history so far (the curve at once, even before the stream has replayed the events).
  const summary = useCall<Result<'finetune.progress'>>(
    'finetune.progress',
    { task_id: taskId },
    taskId
  );
  const [points, setPoints] = useState<LossPoint[]>([]);
  const [steps, setSteps] = useState<StepRow[]>([]);
  const [lastProgress, setLastProgress] = useState<Record<string, any> | null>(null);
  const [showAllLogs, setShowAllLogs] = useState(false);
  const [showEvaluation, setShowEvaluation] = useState(false); // mounted (and fetched) once opened
  // Bumped by Resume: the task's stream ended with its terminal status, so follow the new run with a fresh one.
  const [run, setRun] = useState(0);
  const [followed, setFollowed] = useState<string[]>([]);
  const [liveStatus, setLiveStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  useEffect(() => {
    const history = summary.data?.history;
    if (history?.length) {
      setPoints(prev => mergePoints(history, prev));
      setSteps(prev => mergeStepRows(prev, history));
    }
  }, [summary.data]);
  const streamError = useLiveStream(
    'finetune.watch',
    // `logs`: the stream also follows train.log (from its start), so the log view follows the trainer.
    { task_id: taskId, logs: 1 },
    e => {
      const point = pointFrom(e);
      if (point) {
        setPoints(prev => mergePoints(prev, [point]));
        setSteps(prev => mergeStepRows(prev, [e]));
      }
      if (e.type === 'progress') {
        setLastProgress(e);
      }
      if (e.type === 'deleted') {
        onDeleted?.(); // deleted elsewhere (another panel, the CLI): the stream has ended
      } else if (isStatusEvent(e) && !(run > 0 && e.type === 'status')) {
        // After a resume the fresh stream replays the earlier runs' events.jsonl statuses (a stale
        // 'cancelled'): only the store's `task_status` messages say where the task is now.
        setLiveStatus(e.status as string);
        onStatus?.(e.status as string);
        if (TERMINAL.has(e.status as string)) {
          void task.reload();
        }
      } else if (e.type === 'log' && typeof e.line === 'string') {
        const line = e.line;
        setFollowed(prev => [...prev.slice(-399), line]);
      }
    },
    true,
    `${taskId}:${run}`
  );
  const t: Record<string, any> = { ...task.data, ...(liveStatus ? { status: liveStatus } : {}) };
  const done = TERMINAL.has(t.status);
  const allLogLines: string[] = followed.length ? followed : (logs.data?.lines ?? []);
  const logLines = visibleLogLines(allLogLines, showAllLogs);
  const hiddenLines = allLogLines.length - logLines.length;
  const speed = done ? '' : speedLine(lastProgress);
  const warnings: string[] = (t.warnings as string[] | undefined) ?? [];
  // Follow the log like `tail -f`, unless the user scrolled up to read.
  const logBox = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const box = logBox.current;
    if (box && atBottom.current) {
      box.scrollTop = box.scrollHeight;
    }
  }, [logLines.length]);
  return (
    <div className="sage-task-detail" data-task-id={taskId} data-status={t.status}>
      <ErrorBox error={task.error} />
      <div className="sage-toolbar">
        <b className="sage-grow">
          {t.name} ({t.status})
        </b>
        {!done ? (
          <ActionButton
            label="Cancel"
            className="sage-button sage-danger"
            onError={setError}
            action={async () => {
              await transport.call('finetune.cancel', { task_id: taskId });
              await task.reload();
            }}
          />
        ) : null}
        {t.status === 'completed' ? (
          <>
            <UseInChat taskId={taskId} onNotice={setNotice} />
            <ActionButton
              label="Merge & export"
              onError={setError}
              action={async () => {
                const r = await transport.call<any>('finetune.merge', { task_id: taskId });
                setNotice(
                  `Merged model written to ${r?.merged_path ?? r?.path ?? r?.output_dir ?? '?'}.`
                );
              }}
            />
            <ActionButton
              label="Download adapter"
              title="The LoRA adapter folder (adapter_config.json + weights) as a zip"
              onError={setError}
              action={async () => {
                const r = await transport.call<any>('finetune.download', { task_id: taskId });
                setNotice(saveDownload(r, `${taskId}-adapter.zip`));
              }}
            />
          </>
        ) : null}
        {t.status === 'failed' || t.status === 'cancelled' ? (
          <ActionButton
            label="Resume"
            className="sage-button sage-primary"
            title="Queue the task again; training continues from its last checkpoint"
            onError={setError}
            action={async () => {
              const r = await transport.call<Result<'finetune.resume'>>('finetune.resume', {
                task_id: taskId
              });
              setLiveStatus(r.status);
              onStatus?.(r.status);
              setFollowed([]); // the fresh stream replays train.log from its start
              setRun(n => n + 1);
              setNotice(
                'Queued again: training continues from its last checkpoint, if one was saved.'
              );
              await task.reload();
            }}
          />
        ) : null}
        {done ? <ExportTask taskId={taskId} onNotice={setNotice} onError={setError} /> : null}
        {done ? (
          <ActionButton
            label="Delete"
            onError={setError}
            action={async () => {
              const ok = await dialogs.confirm(
                'Delete fine-tune task',
                `Delete "${t.name ?? taskId}" and its files (checkpoints, adapter, logs)? This cannot be undone.`,
                { accept: 'Delete', danger: true }
              );
              if (ok) {
                await transport.call('finetune.delete', { task_id: taskId });
                onDeleted?.();
              }
            }}
          />
        ) : null}
      </div>
      {notice ? (
        <div className="sage-notice" role="status">
          {notice}
        </div>
      ) : null}
      <ErrorBox error={error ?? streamError} />
      {warnings.length ? (
        <ul className="sage-advice" aria-label="advice">
          {warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      ) : null}
      {speed ? (
        <div className="sage-muted sage-speed" role="status">
          {speed}
          {lastProgress?.eta_s !== null && lastProgress?.eta_s !== undefined
            ? ` · about ${fmtDuration(lastProgress.eta_s)} left`
            : ''}
        </div>
      ) : null}
      <LossCurve points={points} />
      {t.status === 'completed' ? (
        <details
          className="sage-evaluation-section"
          onToggle={e => setShowEvaluation((e.target as HTMLDetailsElement).open)}
        >
          <summary>Evaluation: base vs this adapter on held-out examples</summary>
          {showEvaluation ? <EvaluationView taskId={taskId} /> : null}
        </details>
      ) : null}
      <StepTable steps={steps} />
      <label className="sage-check sage-muted">
        <input
          type="checkbox"
          checked={showAllLogs}
          onChange={e => setShowAllLogs(e.target.checked)}
        />
        Show all log lines{hiddenLines > 0 && !showAllLogs ? ` (${hiddenLines} hidden)` : ''}
      </label>
      <pre
        className="sage-logs"
        ref={logBox}
        onScroll={e => {
          const box = e.currentTarget;
          atBottom.current = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
        }}
      >
        {logLines.join('\n') ||
          (allLogLines.length ? 'only library messages so far' : 'no log lines yet')}
      </pre>
    </div>
  );
}
