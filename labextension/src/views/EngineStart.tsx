/** Parts of the engine card: the start stages with progress, the adapters by name, the hidden command line. */
import React, { useState } from 'react';

import { Schema } from '../transport/types';
import { fmtDuration } from './common';

type EngineStatus = Schema<'EngineStatus'>;
type Stage = Schema<'Stage'>;

const MARKS: Record<Stage['state'], string> = {
  done: '✓',
  current: '…',
  failed: '✗',
  pending: '○',
  skipped: '–'
};

/** Each start stage (done ✓ / current with a progress bar / pending), and the seconds since the start. */
export function StartStages({ engine }: { engine: EngineStatus }) {
  const stages = engine.stages ?? [];
  if (!stages.length) {
    return null;
  }
  const progress = engine.progress;
  return (
    <div className="sage-engine-stages">
      <ol
        aria-label="Engine start stages"
        style={{ listStyle: 'none', paddingLeft: 0, margin: '4px 0' }}
      >
        {stages.map(s => (
          <li
            key={s.name}
            data-stage={s.name}
            data-state={s.state}
            className={s.state === 'pending' || s.state === 'skipped' ? 'sage-muted' : undefined}
          >
            <span aria-hidden="true">{MARKS[s.state]}</span> {s.name}
            {s.state === 'skipped' ? ' (not needed)' : null}
            {s.state === 'current' ? (
              <>
                {' '}
                {/* No value while the fraction is unknown: an indeterminate bar, still moving. */}
                <progress
                  className="sage-stage-progress"
                  max={1}
                  aria-label={`${s.name} progress`}
                  {...(progress !== null && progress !== undefined ? { value: progress } : {})}
                />
                {engine.stage_detail ? (
                  <span className="sage-muted"> {engine.stage_detail}</span>
                ) : null}
              </>
            ) : null}
          </li>
        ))}
      </ol>
      {engine.status === 'loading' ? (
        <div className="sage-muted" data-elapsed>
          starting for {fmtDuration(engine.elapsed_s)}
        </div>
      ) : null}
    </div>
  );
}

/** The server names each adapter (`adapter_labels`); a server without labels: the served ids as they are. */
export function adapterLabels(engine: EngineStatus): Schema<'AdapterLabel'>[] {
  if (engine.adapter_labels?.length) {
    return engine.adapter_labels;
  }
  return (engine.adapters ?? []).map(id => ({ id, label: id, task_id: null }));
}

/** The served adapters by the names people know (their fine-tune task's), the engine's LoRA id beside. */
export function AdapterList({ engine }: { engine: EngineStatus }) {
  const labels = adapterLabels(engine);
  if (!labels.length) {
    return null;
  }
  return (
    <ul className="sage-engine-adapters" aria-label="Adapters">
      {labels.map(a => (
        <li key={a.id} data-adapter={a.id}>
          <span className="sage-adapter-label">{a.label}</span>
          {a.label !== a.id ? <span className="sage-muted"> · LoRA id {a.id}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** The raw command line, only for whoever asks for it. */
export function CommandDetails({ engine }: { engine: EngineStatus }) {
  const [open, setOpen] = useState(false);
  const argv = engine.argv ?? [];
  if (!argv.length) {
    return null;
  }
  return (
    <div className="sage-engine-details">
      <button className="sage-link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'hide details' : 'details'}
      </button>
      {open ? <pre className="sage-logs">{argv.join(' ')}</pre> : null}
    </div>
  );
}
