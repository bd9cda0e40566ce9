/** Engine & GPU: status card, start form, stop, logs; GPU gauges pushed by a stream, hidden without a GPU. */
import React, { useState } from 'react';

import { Result, Schema } from '../transport/types';
import {
  ActionButton,
  Bar,
  Card,
  ErrorBox,
  fmtDuration,
  fmtNum,
  useCall,
  useLiveStream,
  useSlowPoll,
  useTransport
} from './common';
import { useDialogs } from './dialogs';
import { AdapterList, adapterLabels, CommandDetails, StartStages } from './EngineStart';
import { useStudioSettings } from './settings';

type GpuInfo = Schema<'GpuInfo'>;

const MiB = 1024 * 1024;
const gpuNumbers = (d: Schema<'GpuDevice'>) => ({
  total: d.memory_total / MiB,
  used: d.memory_used / MiB,
  util: d.utilization ?? 0,
  temp: d.temperature ?? 0
});

export function GpuGauges() {
  const info = useCall<GpuInfo>('gpu.info');
  const [live, setLive] = useState<GpuInfo | null>(null);
  const { gpuRefreshInterval } = useStudioSettings();
  const available = !!(info.data?.available ?? info.data?.devices?.length);
  // The server pushes at this rate; a changed setting reopens the socket with the new one.
  const streamError = useLiveStream(
    'gpu.watch',
    { interval_s: gpuRefreshInterval },
    e => setLive(e as unknown as GpuInfo),
    available,
    String(gpuRefreshInterval)
  );
  if (info.error) {
    return <ErrorBox error={info.error} />;
  }
  if (!available) {
    return <div className="sage-muted sage-no-gpu">No GPU detected: the engine runs on CPU.</div>;
  }
  const devices = (live ?? info.data)?.devices ?? [];
  return (
    <div className="sage-gpus">
      {devices.map(d => {
        const g = gpuNumbers(d);
        return (
          <div key={d.index} className="sage-gpu" data-gpu={d.index}>
            <div className="sage-card-title">
              GPU {d.index}: {d.name}
            </div>
            <Bar
              fraction={g.used / (g.total || 1)}
              label={`memory ${fmtNum(g.used, 0)} / ${fmtNum(g.total, 0)} MiB`}
            />
            <Bar fraction={g.util / 100} label={`utilisation ${fmtNum(g.util, 0)}%`} />
            <Bar fraction={g.temp / 100} label={`temperature ${fmtNum(g.temp, 0)} °C`} />
          </div>
        );
      })}
      <ErrorBox error={streamError} />
    </div>
  );
}

function StartForm({ onStarted, gpu }: { onStarted: () => void; gpu: boolean }) {
  const transport = useTransport();
  const models = useCall<Result<'engine.models'>>('engine.models');
  const [model, setModel] = useState('');
  const [backend, setBackend] = useState('auto');
  const [gpuMem, setGpuMem] = useState(0.9);
  const [quant, setQuant] = useState('');
  const [error, setError] = useState<unknown>(null);
  const list = models.data?.models ?? [];
  return (
    <div className="sage-form">
      <label className="sage-field">
        model
        <select
          className="sage-input"
          aria-label="Engine model"
          value={model}
          onChange={e => setModel(e.target.value)}
        >
          <option value="">default</option>
          {list.map(m => (
            <option key={m.id} value={m.id}>
              {m.name} ({m.type})
            </option>
          ))}
        </select>
      </label>
      <label className="sage-field">
        backend
        <select className="sage-input" value={backend} onChange={e => setBackend(e.target.value)}>
          <option value="auto">auto</option>
          <option value="cpu">CPU</option>
          <option value="vllm">vLLM (GPU)</option>
        </select>
      </label>
      {gpu ? (
        <>
          <label className="sage-field">
            GPU memory {Math.round(gpuMem * 100)}%
            <input
              type="range"
              min={0.1}
              max={0.98}
              step={0.02}
              value={gpuMem}
              onChange={e => setGpuMem(Number(e.target.value))}
            />
          </label>
          <label className="sage-field">
            quantization
            <select className="sage-input" value={quant} onChange={e => setQuant(e.target.value)}>
              <option value="">none</option>
              <option value="awq">awq</option>
              <option value="gptq">gptq</option>
              <option value="fp8">fp8</option>
              <option value="bitsandbytes">bitsandbytes</option>
            </select>
          </label>
        </>
      ) : null}
      <ActionButton
        label="Start engine"
        className="sage-button sage-primary"
        onError={setError}
        action={async () => {
          const args: Record<string, unknown> = { backend };
          if (model) {
            args.model = model;
          }
          if (gpu && backend !== 'cpu') {
            args.gpu_memory_utilization = gpuMem;
            if (quant) {
              args.quantization = quant;
            }
          }
          // Answers at once (status loading); the status poll follows the load.
          await transport.call('engine.start', args);
          onStarted();
        }}
      />
      <ErrorBox error={error ?? models.error} />
    </div>
  );
}

function Logs() {
  const logs = useCall<Result<'engine.logs'>>('engine.logs', { lines: 200 });
  useSlowPoll(() => void logs.reload(), 3000);
  const text = (logs.data?.text ?? '').split('\n').filter(Boolean).join('\n');
  return (
    <div>
      <ErrorBox error={logs.error} />
      <pre className="sage-logs">{text || 'no log lines yet'}</pre>
    </div>
  );
}

/** Restart with the same model and adapters, after a JupyterLab confirm; answers at once (stages follow). */
function RestartButton({
  onRestarted,
  onError
}: {
  onRestarted: () => void;
  onError: (e: unknown) => void;
}) {
  const transport = useTransport();
  const dialogs = useDialogs();
  return (
    <ActionButton
      label="Restart engine"
      className="sage-button"
      onError={onError}
      action={async () => {
        const ok = await dialogs.confirm(
          'Restart engine',
          'Restart the engine with the same model and adapters? Chats answering now are cut off.',
          { accept: 'Restart' }
        );
        if (ok) {
          await transport.call('engine.restart', { wait: false });
          onRestarted();
        }
      }}
    />
  );
}

export function EngineView() {
  const transport = useTransport();
  const status = useCall<Schema<'EngineStatus'>>('engine.status');
  const gpu = useCall<GpuInfo>('gpu.info');
  const [error, setError] = useState<unknown>(null);
  const [showLogs, setShowLogs] = useState(false);
  const { engineStatusPollInterval } = useStudioSettings();
  const engine = status.data;
  // Engine state changes slowly: a slow poll while visible; every second while it starts, to follow its stages.
  const pollMs = engine?.status === 'loading' ? 1000 : engineStatusPollInterval * 1000;
  useSlowPoll(() => void status.reload(), pollMs);
  // One engine per user: a card while it loads, runs or stops; the start form otherwise.
  const running =
    engine && ['loading', 'running', 'stopping'].includes(engine.status) ? [engine] : [];
  const failed = engine?.status === 'failed' ? engine : null;
  const hasGpu = !!(gpu.data?.available ?? gpu.data?.devices?.length);
  return (
    <div className="sage-engine">
      <h3 className="sage-h">Engine</h3>
      <ErrorBox error={status.error} onRetry={() => void status.reload()} />
      {running.length === 0 ? (
        <div className="sage-muted" data-engine-status="stopped">
          No engine running.
        </div>
      ) : null}
      {failed ? (
        <div className="sage-engine-card" data-engine-status="failed">
          <ErrorBox error={new Error(`the engine failed: ${failed.error ?? 'see logs'}`)} />
          <StartStages engine={failed} />
          <RestartButton onError={setError} onRestarted={() => void status.reload()} />
          <CommandDetails engine={failed} />
        </div>
      ) : null}
      {running.map(e => (
        <div key={e.id} className="sage-engine-card" data-engine-status={e.status}>
          <div className="sage-cards">
            <Card title="status" value={e.status} />
            <Card title="backend" value={e.backend} />
            <Card title="model" value={e.model} />
            <Card title="port" value={e.port} />
            <Card title="pid" value={e.pid} />
            <Card title="uptime" value={fmtDuration(e.uptime_s)} />
            <Card
              title="memory"
              value={e.rss_bytes ? `${fmtNum(e.rss_bytes / MiB, 0)} MiB` : '–'}
            />
            <Card
              title="adapters"
              value={
                adapterLabels(e)
                  .map(a => a.label)
                  .join(', ') || 'none'
              }
            />
          </div>
          {e.status === 'loading' ? <StartStages engine={e} /> : null}
          <AdapterList engine={e} />
          {e.status === 'running' ? (
            <RestartButton onError={setError} onRestarted={() => void status.reload()} />
          ) : null}
          <ActionButton
            label="Stop engine"
            className="sage-button sage-danger"
            onError={setError}
            action={async () => {
              await transport.call('engine.stop', {});
              await status.reload();
            }}
          />
          <CommandDetails engine={e} />
        </div>
      ))}
      <ErrorBox error={error} />
      {running.length === 0 ? (
        <StartForm gpu={hasGpu} onStarted={() => void status.reload()} />
      ) : null}
      <button className="sage-link" onClick={() => setShowLogs(!showLogs)}>
        {showLogs ? 'hide logs' : 'show logs'}
      </button>
      {showLogs ? <Logs /> : null}
      <h3 className="sage-h">GPU</h3>
      <GpuGauges />
    </div>
  );
}
