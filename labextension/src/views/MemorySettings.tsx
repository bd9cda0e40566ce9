/** A chat's memory settings as a form (plain names, units, help); the server's 400 shows next to its field. */
import React, { useEffect, useState } from 'react';

import { Result, errorMessage } from '../transport/types';
import { ErrorBox, useCall, useTransport } from './common';
import {
  BACKEND_HELP,
  BACKEND_LABELS,
  FIELD_INFO,
  MemoryField,
  backendLabel,
  fieldErrors
} from './memoryLabels';
import { useSessionsChanged } from './sessionEvents';

type Config = Result<'memory.config'>['config'];
type Draft = { backend: string } & Record<MemoryField, string>;

const FIELDS: MemoryField[] = ['window', 'top_k', 'min_score'];

const draftOf = (c: Config): Draft => ({
  backend: c.backend,
  window: String(c.window),
  top_k: String(c.top_k),
  min_score: String(c.min_score)
});

/** The `memory.set_config` arguments of a draft: numbers as typed (the server judges them), blanks unchanged. */
export function configPatch(sessionId: string, draft: Draft): Record<string, unknown> {
  const patch: Record<string, unknown> = { session_id: sessionId, backend: draft.backend };
  for (const f of FIELDS) {
    const text = draft[f].trim();
    if (text !== '') {
      patch[f] = Number.isNaN(Number(text)) ? text : Number(text);
    }
  }
  return patch;
}

function FieldError({ message }: { message?: string }) {
  return message ? (
    <span className="sage-field-error" role="alert">
      {message}
    </span>
  ) : null;
}

export function MemorySettings({ sessionId }: { sessionId?: string | null }) {
  const transport = useTransport();
  const sessions = useCall<Result<'sessions.list'>>(sessionId ? null : 'sessions.list');
  useSessionsChanged(() => void sessions.reload());
  const [picked, setPicked] = useState<string>('');
  const list = sessions.data?.sessions ?? [];
  const current = sessionId ?? (list.some(s => s.id === picked) ? picked : (list[0]?.id ?? ''));
  const config = useCall<Result<'memory.config'>>(
    current ? 'memory.config' : null,
    { session_id: current },
    current
  );
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setDraft(config.data ? draftOf(config.data.config) : null);
    setError(null);
    setSaved(false);
  }, [config.data]);

  if (!sessionId && !sessions.loading && list.length === 0) {
    return (
      <div className="sage-memory-settings sage-muted">
        Memory settings belong to a chat: start a chat, then choose here how much it remembers.
      </div>
    );
  }
  const errors = fieldErrors(error);
  const edit = (patch: Partial<Draft>) => {
    setDraft(d => (d ? { ...d, ...patch } : d));
    setSaved(false);
  };
  const save = async () => {
    if (!draft || !current) {
      return;
    }
    setBusy(true);
    try {
      const out = await transport.call<Result<'memory.set_config'>>(
        'memory.set_config',
        configPatch(current, draft)
      );
      setDraft(draftOf(out.config));
      setError(null);
      setSaved(true);
    } catch (err) {
      setError(err);
      setSaved(false);
    } finally {
      setBusy(false);
    }
  };
  const backends = config.data?.backends ?? Object.keys(BACKEND_LABELS);
  return (
    <form
      className="sage-memory-settings"
      aria-label="Memory settings"
      noValidate
      onSubmit={e => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="sage-row">
        <h4 className="sage-h sage-grow">Memory settings</h4>
        {sessionId ? null : (
          <label className="sage-field">
            chat
            <select
              className="sage-input"
              aria-label="Chat whose memory settings to change"
              value={current}
              onChange={e => setPicked(e.target.value)}
            >
              {list.map(s => (
                <option key={s.id} value={s.id}>
                  {s.title || s.id}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <ErrorBox error={sessions.error ?? config.error} />
      {draft ? (
        <div className="sage-form-grid">
          <label className="sage-field" data-field="backend">
            What the chat remembers
            <select
              className="sage-input"
              value={draft.backend}
              onChange={e => edit({ backend: e.target.value })}
            >
              {backends.map(b => (
                <option key={b} value={b}>
                  {backendLabel(b)}
                </option>
              ))}
            </select>
            <span className="sage-help">{BACKEND_HELP[draft.backend] ?? ''}</span>
            <FieldError message={errors.backend} />
          </label>
          {FIELDS.map(f => {
            const info = FIELD_INFO[f];
            return (
              <label key={f} className="sage-field" data-field={f}>
                {info.label}
                <span className="sage-row sage-unit-input">
                  <input
                    type="number"
                    className="sage-input"
                    min={info.min}
                    max={info.max}
                    step={info.step}
                    value={draft[f]}
                    aria-invalid={errors[f] ? true : undefined}
                    onChange={e => edit({ [f]: e.target.value } as Partial<Draft>)}
                  />
                  <span className="sage-unit">{info.unit}</span>
                </span>
                <span className="sage-help">{info.help}</span>
                <FieldError message={errors[f]} />
              </label>
            );
          })}
        </div>
      ) : null}
      <div className="sage-row">
        <button type="submit" className="sage-button sage-primary" disabled={!draft || busy}>
          {busy ? 'Saving…' : 'Save memory settings'}
        </button>
        {saved ? (
          <span className="sage-notice" role="status">
            Saved: this chat now uses {backendLabel(draft?.backend)}.
          </span>
        ) : null}
        {error && Object.keys(errors).length === 0 ? (
          <span className="sage-error" role="alert">
            {errorMessage(error)}
          </span>
        ) : null}
      </div>
    </form>
  );
}
