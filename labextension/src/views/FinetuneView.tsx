/**
 * Fine-tune: create form (model, dataset upload with per-line errors + preview, hyperparameters with advice),
 * task table updated by push, task detail (live loss curve, logs, cancel/delete/use in chat/merge).
 */
import React, { useEffect, useRef, useState } from 'react';

import { TransportError } from '../transport/types';
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
import { LossCurve, LossPoint } from './LossCurve';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

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

function advice(
  params: { epochs: number; batch_size: number; lora_r: number },
  rows: number,
  gpu: boolean
) {
  const steps = Math.ceil((rows || 0) / Math.max(1, params.batch_size)) * params.epochs;
  const perStep = gpu ? 0.05 : 0.25 * (params.batch_size / 4);
  return `${steps} steps, about ${fmtDuration(steps * perStep)} on ${gpu ? 'GPU' : 'CPU'} for the bundled model; LoRA rank ${params.lora_r}${params.lora_r > 16 && !gpu ? ' is large for CPU: 8 is plenty' : ''}.`;
}

export function CreateTask({ onCreated }: { onCreated: (id: string) => void }) {
  const transport = useTransport();
  const models = useCall<any>('finetune.models');
  const gpu = useCall<any>('gpu.info');
  const [name, setName] = useState('my-adapter');
  const [baseModel, setBaseModel] = useState('');
  const [dataset, setDataset] = useState<any>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [p, setP] = useState({
    epochs: 1,
    batch_size: 4,
    learning_rate: 0.0002,
    lora_r: 8,
    lora_alpha: 16,
    max_steps: 0
  });
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
        <div className="sage-dataset-ok">
          {dataset.name}: {dataset.rows} rows, format {dataset.format}
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
      <div className="sage-muted sage-wide">
        {advice(p, dataset?.rows ?? 0, !!(gpu.data?.available ?? gpu.data?.devices?.length))}
      </div>
      <ActionButton
        label="Start fine-tune"
        className="sage-button sage-primary"
        disabled={!dataset || !baseModel}
        onError={setError}
        action={async () => {
          const config: Record<string, unknown> = {
            epochs: p.epochs,
            batch_size: p.batch_size,
            learning_rate: p.learning_rate,
            lora: { rank: p.lora_r, alpha: p.lora_alpha }
          };
          if (p.max_steps > 0) {
            config.max_steps = p.max_steps;
          }
          const task = await transport.call<any>('finetune.create', {
            name,
            base_model: baseModel,
            dataset_id: dataset.id,
            config
          });
          onCreated(task.id);
        }}
      />
      <ErrorBox error={error ?? models.error} />
    </div>
  );
}

/** Loss points and status from one task's event stream (the stream replays past events first). */
function pointFrom(e: Record<string, any>): LossPoint | null {
  if (e.step === undefined || e.step === null) {
    return null;
  }
  if (e.loss === undefined && e.eval_loss === undefined) {
    return null;
  }
  return { step: e.step, loss: e.loss ?? null, eval_loss: e.eval_loss ?? null };
}

export const isStatusEvent = (e: Record<string, any>) =>
  (e.type === 'status' || e.type === 'task_status') && typeof e.status === 'string';

export function TaskDetail({
  taskId,
  onStatus
}: {
  taskId: string;
  onStatus?: (status: string) => void;
}) {
  const transport = useTransport();
  const task = useCall<any>('finetune.get', { id: taskId }, taskId);
  const logs = useCall<any>('finetune.logs', { id: taskId, tail: 200 }, taskId);
  const [points, setPoints] = useState<LossPoint[]>([]);
  const [liveStatus, setLiveStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  useEffect(() => {
    // A server that returns the history seeds the curve; otherwise the event stream (which replays) fills it.
    const history: LossPoint[] | undefined = task.data?.history;
    if (history?.length) {
      setPoints(history);
    }
  }, [task.data]);
  const streamError = useLiveStream(
    'finetune.watch',
    { id: taskId },
    e => {
      const point = pointFrom(e);
      if (point) {
        setPoints(prev => {
          const key = (p: LossPoint) => `${p.step}|${p.loss}|${p.eval_loss}`;
          return prev.some(p => key(p) === key(point)) ? prev : [...prev, point];
        });
      }
      if (isStatusEvent(e)) {
        setLiveStatus(e.status as string);
        onStatus?.(e.status as string);
        if (TERMINAL.has(e.status as string)) {
          void task.reload();
          void logs.reload();
        }
      } else if (e.type === 'log' && e.line) {
        logs.setData({ lines: [...(logs.data?.lines ?? []), e.line].slice(-400) });
      }
    },
    true,
    taskId
  );
  const t = { ...(task.data ?? {}), ...(liveStatus ? { status: liveStatus } : {}) };
  const done = TERMINAL.has(t.status);
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
              await transport.call('finetune.cancel', { id: taskId });
              await task.reload();
            }}
          />
        ) : null}
        {t.status === 'completed' ? (
          <>
            <ActionButton
              label="Use in chat"
              className="sage-button sage-primary"
              onError={setError}
              action={async () => {
                const r = await transport.call<any>('finetune.use_in_chat', { id: taskId });
                const model = r?.current?.model ?? r?.model ?? r?.name ?? 'the adapter';
                const how =
                  r?.load_time_s !== undefined
                    ? ` (loaded in ${fmtNum(r.load_time_s, 2)} s${r.restarted ? ', engine restarted' : ', no engine restart'})`
                    : '';
                setNotice(`Chat now uses ${model}${how}.`);
              }}
            />
            <ActionButton
              label="Merge & export"
              onError={setError}
              action={async () => {
                const r = await transport.call<any>('finetune.merge', { id: taskId });
                setNotice(`Merged model written to ${r?.path ?? r?.output_dir ?? '?'}.`);
              }}
            />
          </>
        ) : null}
        {done ? (
          <ActionButton
            label="Delete"
            onError={setError}
            action={async () => {
              if (window.confirm('Delete this task and its files?')) {
                await transport.call('finetune.delete', { id: taskId });
                setNotice('Deleted.');
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
      <LossCurve points={points} />
      <pre className="sage-logs">{(logs.data?.lines ?? []).join('\n') || 'no log lines yet'}</pre>
    </div>
  );
}

/** Keeps one table row current from its task's event stream (push, not polling). */
function TaskWatcher({
  taskId,
  onEvent
}: {
  taskId: string;
  onEvent: (e: Record<string, any>) => void;
}) {
  useLiveStream('finetune.watch', { id: taskId }, onEvent, true, taskId);
  return null;
}

export function FinetuneView({ taskId }: { taskId?: string | null }) {
  const tasks = useCall<any>('finetune.tasks');
  const [selected, setSelected] = useState<string | null>(taskId ?? null);
  const [showCreate, setShowCreate] = useState(!taskId);
  const rows: any[] = tasks.data?.tasks ?? [];
  const live = rows.filter(r => !TERMINAL.has(r.status)).map(r => r.id as string);
  const update = (id: string, e: Record<string, any>) => {
    tasks.setData({
      tasks: (tasks.data?.tasks ?? []).map((r: any) => {
        if (r.id !== id) {
          return r;
        }
        const next = { ...r };
        if (isStatusEvent(e)) {
          next.status = e.status;
        }
        if (e.step !== undefined && e.total_steps) {
          next.progress = Number(e.step) / Number(e.total_steps);
        }
        for (const key of ['epoch', 'loss', 'eval_loss', 'eta_s']) {
          if (e[key] !== undefined && e[key] !== null) {
            next[key] = e[key];
          }
        }
        if (next.status === 'completed') {
          next.progress = 1;
        }
        return next;
      })
    });
  };
  const updateRef = useRef(update);
  updateRef.current = update;
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
            void tasks.reload();
          }}
        />
      ) : null}
      {live.map(id => (
        <TaskWatcher key={id} taskId={id} onEvent={e => updateRef.current(id, e)} />
      ))}
      <ErrorBox error={tasks.error} onRetry={() => void tasks.reload()} />
      <table className="sage-table">
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
                No fine-tune tasks yet.
              </td>
            </tr>
          ) : null}
          {rows.map(r => (
            <tr
              key={r.id}
              data-task-id={r.id}
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
          onStatus={status => update(selected, { type: 'status', status })}
        />
      ) : null}
    </div>
  );
}
