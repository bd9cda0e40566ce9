/**
 * The chat session list: new, search, rename, clear, delete, export (Markdown / JSON) and import (the JSON an
 * export downloads, or a Markdown transcript) through a file picker.
 */
import React, { useRef, useState } from 'react';

import { Result, Transport } from '../transport/types';
import { Session } from './chatTypes';
import { ActionButton, ErrorBox, saveText, useCall, useSlowPoll, useTransport } from './common';
import { useDialogs } from './dialogs';
import { notifySessionsChanged, useSessionsChanged } from './sessionEvents';
import { StudioSettings, useStudioSettings } from './settings';

const SESSIONS_POLL_MS = 15_000;

/** Settings a new session starts with: the chosen source and the user's default sampling settings. */
export function newSessionSettings(settings: StudioSettings, source?: string) {
  return {
    source: source ?? settings.defaultChatSource,
    max_tokens: settings.defaultMaxTokens,
    temperature: settings.defaultTemperature
  };
}

/** A picked file's text (FileReader: older engines, jsdom included, lack `Blob.text()`). */
function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsText(file);
  });
}

/** The `sessions.import` body of a picked file: a JSON export as it is, a Markdown transcript as text. */
export function importBody(name: string, text: string): Record<string, unknown> {
  const title = name.replace(/\.(json|md|markdown)$/i, '');
  if (/\.(md|markdown)$/i.test(name)) {
    return { format: 'markdown', markdown: text, title };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${name} is not JSON: pick a file that "Export as JSON" saved`);
  }
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as any).messages)) {
    throw new Error(`${name} is not a chat export: it has no "messages" list`);
  }
  return { format: 'json', ...(parsed as object) };
}

/** Download a chat as a file: `format` "json" (the object import reads back) or "markdown" (a transcript). */
export async function downloadSession(
  transport: Transport,
  s: { id: string; title?: string | null },
  format: string
): Promise<void> {
  const out = await transport.call<Result<'sessions.export'>>('sessions.export', {
    session_id: s.id,
    format
  });
  const content = typeof out === 'string' ? out : JSON.stringify(out, null, 2);
  const json = format === 'json';
  saveText(
    `${s.title || s.id}.${json ? 'json' : 'md'}`,
    content,
    json ? 'application/json' : 'text/markdown'
  );
}

/** "Export…" as a menu of formats, for a chat shown without the session list (the notebook widget). */
export function ExportMenu({
  session,
  onError
}: {
  session: { id: string; title?: string | null };
  onError: (e: unknown) => void;
}) {
  const transport = useTransport();
  return (
    <select
      className="sage-input"
      aria-label="Export chat"
      title="Download this chat as a Markdown transcript or as JSON (which Import reads back)"
      value=""
      onChange={e => {
        if (e.target.value) {
          downloadSession(transport, session, e.target.value).catch(onError);
        }
      }}
    >
      <option value="">Export…</option>
      <option value="markdown">as Markdown</option>
      <option value="json">as JSON</option>
    </select>
  );
}

export function SessionList({
  selected,
  onSelect,
  refreshKey
}: {
  selected?: string | null;
  onSelect: (id: string) => void;
  refreshKey?: number;
}) {
  const transport = useTransport();
  const studioSettings = useStudioSettings();
  const [q, setQ] = useState('');
  const list = useCall<{ sessions: Session[] }>(
    'sessions.list',
    q ? { q } : {},
    `${q}|${refreshKey}`
  );
  const [error, setError] = useState<unknown>(null);
  const dialogs = useDialogs();
  const picker = useRef<HTMLInputElement>(null);
  // Other views of the page (a chat's turn, the sidebar) announce changes; other processes (a notebook
  // kernel's chat widget) are seen by a slow re-read while the list is visible.
  useSessionsChanged(() => void list.reload());
  useSlowPoll(() => void list.reload(), SESSIONS_POLL_MS);
  const create = async () => {
    const s = await transport.call<Session>('sessions.create', {
      title: 'New chat',
      settings: newSessionSettings(studioSettings)
    });
    notifySessionsChanged();
    onSelect(s.id);
  };
  const rename = async (s: Session) => {
    const title = await dialogs.prompt('Rename chat', 'New name', s.title);
    if (title?.trim()) {
      await transport.call('sessions.update', { session_id: s.id, title: title.trim() });
      notifySessionsChanged();
    }
  };
  const clear = async (s: Session) => {
    const ok = await dialogs.confirm(
      'Clear chat',
      `Remove every message of "${s.title}"? Its settings stay; its memories are removed.`,
      { accept: 'Clear', danger: true }
    );
    if (ok) {
      await transport.call('sessions.clear', { session_id: s.id });
      notifySessionsChanged();
    }
  };
  const remove = async (s: Session) => {
    const ok = await dialogs.confirm(
      'Delete chat',
      `Delete chat "${s.title}"? Its messages and memories are removed.`,
      { accept: 'Delete', danger: true }
    );
    if (ok) {
      await transport.call('sessions.delete', { session_id: s.id });
      notifySessionsChanged();
    }
  };
  const importFile = async (file: File) => {
    const imported = await transport.call<Session>(
      'sessions.import',
      importBody(file.name, await readText(file))
    );
    notifySessionsChanged();
    onSelect(imported.id);
  };
  const exportSession = (s: Session, format: string) => downloadSession(transport, s, format);
  const sessions = list.data?.sessions ?? [];
  const icon = (title: string, text: string, act: () => Promise<void>) => (
    <button className="sage-icon" title={title} onClick={() => act().catch(setError)}>
      {text}
    </button>
  );
  return (
    <div className="sage-session-list">
      <div className="sage-row">
        <input
          className="sage-input sage-grow"
          placeholder="Search chats"
          value={q}
          onChange={e => setQ(e.target.value)}
        />
        <ActionButton
          label="New"
          title="Start a new chat session in this list"
          action={create}
          onError={setError}
          className="sage-button"
        />
        <button
          className="sage-button"
          title="Import a chat from the JSON that Export as JSON saved (or a Markdown transcript)"
          onClick={() => picker.current?.click()}
        >
          Import
        </button>
        <input
          ref={picker}
          type="file"
          accept=".json,application/json,.md,text/markdown"
          aria-label="Import chat file"
          style={{ display: 'none' }}
          onChange={e => {
            const file = e.target.files?.[0];
            e.target.value = ''; // the same file may be picked again
            if (file) {
              setError(null);
              importFile(file).catch(setError);
            }
          }}
        />
      </div>
      <ErrorBox error={error ?? list.error} onRetry={() => void list.reload()} />
      {sessions.length === 0 && !list.loading ? (
        <div className="sage-empty">No chats yet.</div>
      ) : null}
      <ul className="sage-list">
        {sessions.map(s => (
          <li
            key={s.id}
            className={`sage-list-item ${s.id === selected ? 'sage-selected' : ''}`}
            data-session-id={s.id}
          >
            <button
              className="sage-list-main"
              onClick={() => onSelect(s.id)}
              title={s.last_message}
            >
              <span className="sage-list-title">{s.title || 'Untitled'}</span>
              <span className="sage-muted">{s.message_count ?? ''}</span>
            </button>
            <span className="sage-list-actions">
              {icon('Rename', '✎', () => rename(s))}
              {icon('Export as Markdown', '⇩', () => exportSession(s, 'markdown'))}
              {icon('Export as JSON', '{}', () => exportSession(s, 'json'))}
              {icon('Clear messages', '⌫', () => clear(s))}
              {icon('Delete', '✕', () => remove(s))}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
