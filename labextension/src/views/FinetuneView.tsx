/**
 * Fine-tune: create form (model, dataset upload with per-line errors + preview, hyperparameters with advice),
 * task table updated by push (one shared `finetune.events` stream, see finetuneTasks.ts), task detail (live loss
 * curve, logs that follow, cancel/delete/download, use in chat with merge-and-restart, merge & export).
 */
import React, { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';

import { Args, Result, TransportError } from '../transport/types';
import {
  ActionButton,
  Bar,
  ErrorBox,
  fmtDuration,
  fmtNum,
  useCall,
  useLiveStream,
  useTransport
} from './common';
import {
  StepRow,
  datasetOk,
  mergeStepRows,
  planText,
  plannedSteps,
  speedLine,
  visibleLogLines
} from './finetuneLog';
import { TERMINAL, useTaskTable } from './finetuneTasks';
import { IDLE, isBusy, swapNotice, swapReducer } from './hotSwap';
import { LossCurve, LossPoint } from './LossCurve';

function UploadErrors({ error }: { error: unknown }) {
  if (!(error instanceof TransportError)) {
    return <ErrorBox error={error} />;
  }
  const lines: any[] = (error.details?.errors as any[]) ?? [];
  return (
    <div className="sage-error" role="alert">
      {error.message}
      {lines.length ? (
        <ul className="sage-line-errors">
          {lines.slice(0, 50).map((e, i) => (
            <li key={i}>
              {e.line !== undefined ? <b>line {e.line}: </b> : null}
              {e.message ?? e.msg ?? JSON.stringify(e)}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The advanced TaskConfig fields with the core's defaults (finetune/config.py); only changed ones are sent. */
const ADVANCED_DEFAULTS = {
  gradient_accumulation: 1,
  max_length: 512,
  scheduler: 'linear',
  warmup_ratio: 0,
  eval_ratio: 0.1,
  quantization: 'none'
};
type AdvancedSettings = typeof ADVANCED_DEFAULTS;

export function CreateTask({ onCreated }: { onCreated: (id: string) => void }) {
  const transport = useTransport();
  const models = useCall<any>('finetune.models');
  const [name, setName] = useState('my-adapter');
  const [baseModel, setBaseModel] = useState('');
  const [dataset, setDataset] = useState<any>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [dora, setDora] = useState(false);
  const [p, setP] = useState({
    epochs: 1,
    batch_size: 4,
    learning_rate: 0.0002,
    lora_r: 8,
    lora_alpha: 16,
    max_steps: 0
  });
  // Advanced settings (TaskConfig fields; the defaults are the core's).
  const [adv, setAdv] = useState<AdvancedSettings>(ADVANCED_DEFAULTS);
  const baseModels: any[] = (models.data?.models ?? []).filter((m: any) => m.type !== 'finetuned');
  useEffect(() => {
    if (!baseModel && baseModels.length) {
      setBaseModel(baseModels[0].name);
    }
  }, [models.data]);
  const upload = async (file: File) => {
    setUploadError(null);
    setDataset(null);
    try {
      const content = await file.text();
      setDataset(await transport.call('finetune.upload', { name: file.name, content }));
    } catch (err) {
      setUploadError(err);
    }
  };
  const num = (key: keyof typeof p, step: number, label?: string) => (
    <label className="sage-field">
      {label ?? key.replace('_', ' ')}
      <input
        type="number"
        className="sage-input"
        step={step}
        min={0}
        aria-label={label ?? key}
        value={p[key]}
        onChange={e => setP({ ...p, [key]: Number(e.target.value) })}
      />
    </label>
  );
  const advNum = (
    key: 'gradient_accumulation' | 'max_length' | 'warmup_ratio' | 'eval_ratio',
    label: string,
    step: number,
    help: string,
    max?: number
  ) => (
    <label className="sage-field" title={help}>
      {label}
      <input
        type="number"
        className="sage-input"
        step={step}
        min={0}
        max={max}
        aria-label={label}
        value={adv[key]}
        onChange={e => setAdv({ ...adv, [key]: Number(e.target.value) })}
      />
      <span className="sage-muted sage-help">{help}</span>
    </label>
  );
  const advChoice = (
    key: 'scheduler' | 'quantization',
    label: string,
    options: string[],
    help: string
  ) => (
    <label className="sage-field" title={help}>
      {label}
      <select
        className="sage-input"
        aria-label={label}
        value={adv[key]}
        onChange={e => setAdv({ ...adv, [key]: e.target.value })}
      >
        {options.map(o => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <span className="sage-muted sage-help">{help}</span>
    </label>
  );
  const preview: any[] = dataset?.preview ?? [];
  return (
    <div className="sage-form sage-finetune-create">
      <label className="sage-field">
        name
        <input
          className="sage-input"
          aria-label="task name"
          value={name}
          onChange={e => setName(e.target.value)}
        />
      </label>
      <label className="sage-field">
        base model
        <select
          className="sage-input"
          value={baseModel}
          onChange={e => setBaseModel(e.target.value)}
        >
          {baseModels.map(m => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <label className="sage-field sage-wide">
        dataset (JSONL: alpaca, sharegpt or OpenAI messages)
        <input
          type="file"
          aria-label="dataset file"
          accept=".jsonl,.json"
          onChange={e => e.target.files?.[0] && void upload(e.target.files[0])}
        />
      </label>
      {uploadError ? <UploadErrors error={uploadError} /> : null}
      {dataset ? (
        <div className="sage-dataset-ok" role="status">
          {dataset.name}: {datasetOk(dataset)}
          {preview.length ? (
            <pre className="sage-preview">
              {preview
                .slice(0, 3)
                .map(r => JSON.stringify(r))
                .join('\n')}
            </pre>
          ) : null}
        </div>
      ) : null}
      {num('epochs', 1)}
      {num('batch_size', 1, 'batch size')}
      {num('learning_rate', 0.00005, 'learning rate')}
      {num('lora_r', 1, 'LoRA rank')}
      {num('lora_alpha', 1, 'LoRA alpha')}
      {num('max_steps', 1, 'max steps (0 = all)')}
      <label
        className="sage-field sage-check"
        title="Weight-decomposed LoRA: often better quality; an engine cannot hot-load it, so using it in chat merges it and restarts the engine"
      >
        <input type="checkbox" checked={dora} onChange={e => setDora(e.target.checked)} />
        DoRA
      </label>
      <details className="sage-advanced sage-wide">
        <summary>Advanced settings</summary>
        <div className="sage-form">
          {advNum(
            'gradient_accumulation',
            'gradient accumulation',
            1,
            'batches summed per optimizer step (steps): a larger effective batch without more memory'
          )}
          {advNum(
            'max_length',
            'max length',
            64,
            'tokens per example kept in training; longer examples are cut (memory grows with it)'
          )}
          {advChoice(
            'scheduler',
            'LR scheduler',
            ['linear', 'cosine', 'constant', 'constant_with_warmup'],
            'how the learning rate changes over the run'
          )}
          {advNum(
            'warmup_ratio',
            'warmup',
            0.01,
            'share of the steps (0–1) over which the learning rate ramps up from 0',
            0.99
          )}
          {advNum(
            'eval_ratio',
            'eval split',
            0.05,
            'share of the rows (0–1) held out to measure eval loss; 0 = no evaluation',
            0.99
          )}
          {advChoice(
            'quantization',
            'quantization',
            ['none', '4bit', '8bit'],
            'load the base model in 4/8 bits (QLoRA): less memory; needs a CUDA GPU and bitsandbytes'
          )}
        </div>
      </details>
      <div className="sage-muted sage-wide sage-plan">
        {planText(
          plannedSteps({
            rows: dataset?.rows ?? 0,
            eval_ratio: adv.eval_ratio,
            batch_size: p.batch_size,
            gradient_accumulation: adv.gradient_accumulation,
            epochs: p.epochs,
            max_steps: p.max_steps
          })
        )}
      </div>
      <ActionButton
        label="Start fine-tune"
        className="sage-button sage-primary"
        disabled={!dataset || !baseModel}
        onError={setError}
        action={async () => {
          // One flat TaskConfig (finetune.create); unset fields keep the core's defaults.
          const config: Args = {
            name,
            model: baseModel,
            dataset_id: dataset.id,
            epochs: p.epochs,
            batch_size: p.batch_size,
            learning_rate: p.learning_rate,
            lora: { rank: p.lora_r, alpha: p.lora_alpha, ...(dora ? { use_dora: true } : {}) }
          };
          if (p.max_steps > 0) {
            config.max_steps = p.max_steps;
          }
          for (const [key, value] of Object.entries(adv)) {
            if (value !== ADVANCED_DEFAULTS[key as keyof AdvancedSettings]) {
              config[key] = value;
            }
          }
          const task = await transport.call<Result<'finetune.create'>>('finetune.create', config);
          onCreated(task.id);
        }}
      />
      <ErrorBox error={error ?? models.error} />
    </div>
  );
}

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

function fmtBytes(n: number): string {
  return n < 1024 * 1024
    ? `${Math.max(1, Math.round(n / 1024))} KB`
    : `${(n / 1048576).toFixed(1)} MB`;
}

/**
 * Save a `finetune.download` result as a browser download (the bytes came with the auth of the transport:
 * REST fetch with the Jupyter token, or widget buffers). A result without bytes names the file's path.
 */
function saveDownload(result: any, fallbackName: string): string {
  const buffers: DataView[] | undefined = result?.buffers;
  if (!buffers?.length) {
    return result?.path ? `The adapter zip is at ${result.path}.` : 'The server sent no file.';
  }
  const blob = new Blob(buffers, { type: result.content_type ?? 'application/zip' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = result.filename ?? fallbackName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return `Downloaded ${a.download} (${fmtBytes(blob.size)}).`;
}

/** "Use in chat": hot-load, or merge-and-restart when the engine cannot hot-load the adapter. */
function UseInChat({ taskId, onNotice }: { taskId: string; onNotice: (text: string) => void }) {
  const transport = useTransport();
  const [state, dispatch] = useReducer(swapReducer, IDLE);
  const run = async (merge: boolean) => {
    dispatch({ type: merge ? 'merge' : 'start' });
    onNotice('');
    try {
      const result = await transport.call<any>(
        'finetune.use_in_chat',
        merge ? { task_id: taskId, merge_and_restart: true } : { task_id: taskId }
      );
      dispatch({ type: 'ok', result });
      onNotice(swapNotice(result));
    } catch (error) {
      dispatch({ type: 'error', error });
    }
  };
  const busy = isBusy(state);
  const mergeButton = (label: string) => (
    <button
      className="sage-button sage-primary"
      disabled={busy}
      onClick={() => void run(true)}
      title="Merge the adapter into the base weights and restart the engine on the merged model"
    >
      {label}
    </button>
  );
  const reasons =
    'reasons' in state && state.reasons.length ? (
      <ul className="sage-merge-reasons">
        {state.reasons.map((r, i) => (
          <li key={i}>{r}</li>
        ))}
      </ul>
    ) : null;
  return (
    <>
      <button className="sage-button sage-primary" disabled={busy} onClick={() => void run(false)}>
        {state.phase === 'swapping' ? 'Use in chat…' : 'Use in chat'}
      </button>
      {state.phase === 'needs-merge' ? (
        <div className="sage-merge-offer sage-wide" role="alert" data-phase={state.phase}>
          {/* The server's message also tells API users which body to send: the reasons say it here. */}
          <b>The engine cannot hot-load this adapter{reasons ? ':' : '.'}</b>
          {reasons ?? <div>{state.message}</div>}
          <div className="sage-muted">
            Merging folds the adapter into the base weights and restarts the engine on the merged
            model: answers in flight are cut and other loaded adapters are unloaded.
          </div>
          {mergeButton('Merge and restart engine')}
        </div>
      ) : null}
      {state.phase === 'merging' ? (
        <div
          className="sage-merge-offer sage-busy sage-wide"
          role="status"
          data-phase={state.phase}
        >
          Merging the adapter and restarting the engine on it… this takes a while on a CPU.
        </div>
      ) : null}
      {state.phase === 'failed' ? (
        <div className="sage-error sage-wide" role="alert" data-phase={state.phase}>
          <div>{state.message}</div>
          {reasons}
          {state.logTail.length ? (
            <pre className="sage-logs">{state.logTail.join('\n')}</pre>
          ) : null}
          {state.canMerge ? mergeButton('Try merge and restart again') : null}
        </div>
      ) : null}
    </>
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
        {done ? (
          <ActionButton
            label="Delete"
            onError={setError}
            action={async () => {
              if (window.confirm('Delete this task and its files?')) {
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
      {steps.length ? (
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
      ) : null}
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

export function FinetuneView({ taskId }: { taskId?: string | null }) {
  const table = useTaskTable();
  const [selected, setSelected] = useState<string | null>(taskId ?? null);
  const [showCreate, setShowCreate] = useState(!taskId);
  const rows = table.rows;
  return (
    <div className="sage-finetune">
      <div className="sage-toolbar">
        <h3 className="sage-h sage-grow">Fine-tune</h3>
        <button className="sage-button" onClick={() => setShowCreate(!showCreate)}>
          {showCreate ? 'Hide form' : 'New task'}
        </button>
      </div>
      {showCreate ? (
        <CreateTask
          onCreated={id => {
            setSelected(id);
            setShowCreate(false);
            if (!table.live) {
              table.store.reconnect(); // the push stream brings the new row; make sure one is open
            }
          }}
        />
      ) : null}
      <ErrorBox error={table.live ? null : table.error} onRetry={() => table.store.reconnect()} />
      <table className="sage-table sage-task-table" data-live={table.live ? 'true' : 'false'}>
        <thead>
          <tr>
            <th>task</th>
            <th>status</th>
            <th>progress</th>
            <th>epoch</th>
            <th>loss</th>
            <th>ETA</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={6} className="sage-muted">
                {table.loaded ? 'No fine-tune tasks yet.' : 'Loading…'}
              </td>
            </tr>
          ) : null}
          {rows.map(r => (
            <tr
              key={r.id}
              data-task-id={r.id}
              data-status={r.status}
              className={r.id === selected ? 'sage-selected' : ''}
              onClick={() => setSelected(r.id)}
            >
              <td>{r.name}</td>
              <td className={`sage-status sage-status-${r.status}`}>{r.status}</td>
              <td>
                <Bar fraction={r.progress ?? 0} />
              </td>
              <td>{fmtNum(r.epoch, 2)}</td>
              <td>
                {fmtNum(r.loss)}
                {r.eval_loss !== null && r.eval_loss !== undefined
                  ? ` / eval ${fmtNum(r.eval_loss)}`
                  : ''}
              </td>
              <td>{TERMINAL.has(r.status) ? '' : fmtDuration(r.eta_s)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected ? (
        <TaskDetail
          key={selected}
          taskId={selected}
          onStatus={status => table.store.apply({ type: 'status', task_id: selected, status })}
          onDeleted={() => setSelected(null)}
        />
      ) : null}
    </div>
  );
}
