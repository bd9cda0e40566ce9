/** Memory: default cards, a chat's settings form, per-session table (dialogs, vectors, last hits, token budget), inspect/delete/clear/cleanup. */
import React, { useState } from 'react';

import { Result } from '../transport/types';
import {
  ActionButton,
  Bar,
  Card,
  ErrorBox,
  fmtNum,
  fmtTime,
  useCall,
  useTransport
} from './common';
import { useDialogs } from './dialogs';
import { TIME_UNITS, TimeUnit, backendLabel, fmtMinutes, toMinutes } from './memoryLabels';
import { MemorySettings } from './MemorySettings';
import { notifySessionsChanged } from './sessionEvents';

function SessionMemories({ sessionId, onChanged }: { sessionId: string; onChanged: () => void }) {
  const transport = useTransport();
  const list = useCall<Result<'memory.list'>>('memory.list', { session_id: sessionId }, sessionId);
  const [error, setError] = useState<unknown>(null);
  const memories = list.data?.memories ?? [];
  return (
    <div className="sage-memories">
      <ErrorBox error={error ?? list.error} />
      {memories.length === 0 ? <div className="sage-muted">No memories stored.</div> : null}
      {memories.map(m => (
        <div key={m.id} className="sage-memory">
          <span className="sage-badge">{m.kind}</span>
          <span className="sage-grow">{String(m.text).slice(0, 300)}</span>
          <span className="sage-muted">{fmtTime(m.created_at)}</span>
          <ActionButton
            label="Delete"
            className="sage-link"
            onError={setError}
            action={async () => {
              await transport.call('memory.delete', { session_id: sessionId, memory_id: m.id });
              await list.reload();
              onChanged();
            }}
          />
        </div>
      ))}
    </div>
  );
}

export function MemoryView({ sessionId }: { sessionId?: string | null }) {
  const transport = useTransport();
  const config = useCall<Result<'memory.config'>>('memory.config');
  // Without a session: every session that has memories.
  const stats = useCall<Result<'memory.stats'>>(
    'memory.stats',
    sessionId ? { session_id: sessionId } : {},
    sessionId ?? ''
  );
  const [open, setOpen] = useState<string | null>(sessionId ?? null);
  const [error, setError] = useState<unknown>(null);
  const dialogs = useDialogs();
  const [age, setAge] = useState<{ value: string; unit: TimeUnit }>({ value: '30', unit: 'days' });
  const [cleaned, setCleaned] = useState<string | null>(null);
  const c = config.data?.config;
  const rows = stats.data?.sessions ?? [];
  const refresh = () => {
    void stats.reload();
    void config.reload();
  };
  return (
    <div className="sage-memory-view">
      <div className="sage-toolbar">
        <h3 className="sage-h sage-grow">Memory</h3>
        <button className="sage-button" onClick={refresh}>
          Refresh
        </button>
      </div>
      <ErrorBox error={config.error} onRetry={refresh} />
      <div className="sage-cards" title="What a new chat starts with">
        <Card title="new chats remember" value={backendLabel(c?.backend)} />
        <Card title="recent exchanges kept" value={c?.window} />
        <Card title="memories recalled per turn" value={c?.top_k} />
        <Card title="embedding model" value={c?.embedding_model} />
        <Card title="chats" value={config.data?.total_sessions} />
      </div>
      <MemorySettings sessionId={sessionId} />
      <ErrorBox error={stats.error ?? error} />
      <table className="sage-table">
        <thead>
          <tr>
            <th>chat</th>
            <th>remembers</th>
            <th>exchanges stored</th>
            <th>embeddings</th>
            <th>last hits</th>
            <th>token budget</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={7} className="sage-muted">
                No session has memories yet.
              </td>
            </tr>
          ) : null}
          {rows.map(r => {
            const budget = r.token_budget ?? {};
            const hits = r.last_hits ?? [];
            return (
              <React.Fragment key={r.session_id}>
                <tr data-session-id={r.session_id}>
                  <td>
                    <button
                      className="sage-link"
                      onClick={() => setOpen(open === r.session_id ? null : r.session_id)}
                    >
                      {r.title ?? String(r.session_id).slice(0, 12)}
                    </button>
                  </td>
                  <td>{backendLabel(r.backend)}</td>
                  <td>
                    <Bar
                      fraction={(r.dialogs ?? 0) / (r.max_dialogs || 1)}
                      label={`${fmtNum(r.dialogs)} / ${fmtNum(r.max_dialogs)}`}
                    />
                  </td>
                  <td>{fmtNum(r.vector_count)}</td>
                  <td className="sage-hits-cell">
                    {hits.length === 0 ? '–' : null}
                    {hits.slice(0, 3).map((h, i) => (
                      <div key={i} className="sage-hit">
                        <b>{fmtNum(h.score, 2)}</b> {String(h.text ?? '').slice(0, 80)}
                      </div>
                    ))}
                  </td>
                  <td className="sage-muted">
                    {Object.keys(budget).length
                      ? Object.entries(budget)
                          .map(([k, v]) => `${k} ${fmtNum(v, 0)}`)
                          .join(' · ')
                      : '–'}
                  </td>
                  <td>
                    <ActionButton
                      label="Clear"
                      className="sage-link"
                      onError={setError}
                      action={async () => {
                        const ok = await dialogs.confirm(
                          'Clear memories',
                          `Forget everything "${r.title ?? r.session_id}" remembers? The conversation itself stays.`,
                          { accept: 'Clear', danger: true }
                        );
                        if (ok) {
                          await transport.call('memory.clear', { session_id: r.session_id });
                          refresh();
                        }
                      }}
                    />
                  </td>
                </tr>
                {open === r.session_id ? (
                  <tr>
                    <td colSpan={7}>
                      <SessionMemories sessionId={r.session_id} onChanged={refresh} />
                    </td>
                  </tr>
                ) : null}
              </React.Fragment>
            );
          })}
        </tbody>
      </table>
      <div className="sage-row">
        <label className="sage-field" data-field="cleanup">
          Delete chats idle for more than
          <span className="sage-row sage-unit-input">
            <input
              type="number"
              className="sage-input"
              aria-label="Idle time"
              min={0}
              value={age.value}
              onChange={e => setAge({ ...age, value: e.target.value })}
            />
            <select
              className="sage-input"
              aria-label="Idle time unit"
              value={age.unit}
              onChange={e => setAge({ ...age, unit: e.target.value as TimeUnit })}
            >
              {TIME_UNITS.map(u => (
                <option key={u.unit} value={u.unit}>
                  {u.unit}
                </option>
              ))}
            </select>
          </span>
          <span className="sage-help">The chats are deleted with their memories.</span>
        </label>
        <ActionButton
          label="Clean up"
          onError={setError}
          action={async () => {
            setCleaned(null);
            const minutes = toMinutes(Number(age.value), age.unit);
            const ok = await dialogs.confirm(
              'Delete idle chats',
              `Delete every chat idle for more than ${fmtMinutes(minutes)}, with its memories?`,
              { accept: 'Delete', danger: true }
            );
            if (ok) {
              const out = await transport.call<Result<'memory.cleanup'>>('memory.cleanup', {
                max_age_minutes: minutes
              });
              const n = Array.isArray(out.deleted) ? out.deleted.length : Number(out.deleted) || 0;
              setCleaned(`Deleted ${n} chat${n === 1 ? '' : 's'}.`);
              notifySessionsChanged();
              refresh();
            }
          }}
        />
        {cleaned ? (
          <span className="sage-notice" role="status">
            {cleaned}
          </span>
        ) : null}
      </div>
    </div>
  );
}
