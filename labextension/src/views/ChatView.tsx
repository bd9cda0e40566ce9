/**
 * Chat: session list (new, rename, delete, search, export), streamed Markdown answers, stop, regenerate,
 * edit-and-branch, source switch, model picker, system prompt + sampling settings, per-message details.
 */
import React, { useEffect, useRef, useState } from 'react';

import { Result, StreamHandle } from '../transport/types';
import { SourcesStatus, engineOffer, sourceState } from './chatSources';
import {
  ActionButton,
  ErrorBox,
  fmtNum,
  saveText,
  useActive,
  useCall,
  useSlowPoll,
  useTransport
} from './common';
import { useDialogs } from './dialogs';
import { KnowledgePanel } from './KnowledgePanel';
import { Markdown } from './Markdown';
import { notifySessionsChanged, useSessionsChanged } from './sessionEvents';
import { StudioSettings, useStudioSettings } from './settings';

export interface ChatMessage {
  id: string;
  parent_id?: string | null;
  role: string;
  content: string;
  metadata?: Record<string, any>;
  created_at?: number;
  sibling_ids?: string[];
  sibling_index?: number;
}

interface Session {
  id: string;
  title: string;
  updated_at?: number;
  last_message?: string;
  message_count?: number;
  settings?: Record<string, any>;
  messages?: ChatMessage[];
  /** The serving model's maximum context (tokens); null when no engine is up. */
  context_length?: number | null;
}

const SOURCES = ['auto', 'local', 'cloud'] as const;
const SESSIONS_POLL_MS = 15_000;

/** Settings a new session starts with: the chosen source and the user's default sampling settings. */
export function newSessionSettings(settings: StudioSettings, source?: string) {
  return {
    source: source ?? settings.defaultChatSource,
    max_tokens: settings.defaultMaxTokens,
    temperature: settings.defaultTemperature
  };
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
  const exportSession = async (s: Session, format: string) => {
    // The JSON export object, or the Markdown transcript as text.
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
  };
  const sessions = list.data?.sessions ?? [];
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
          action={create}
          onError={setError}
          className="sage-button sage-primary"
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
              <button
                className="sage-icon"
                title="Rename"
                onClick={() => rename(s).catch(setError)}
              >
                ✎
              </button>
              <button
                className="sage-icon"
                title="Export as Markdown"
                onClick={() => exportSession(s, 'markdown').catch(setError)}
              >
                ⇩
              </button>
              <button
                className="sage-icon"
                title="Export as JSON"
                onClick={() => exportSession(s, 'json').catch(setError)}
              >
                {'{}'}
              </button>
              <button
                className="sage-icon"
                title="Delete"
                onClick={() => remove(s).catch(setError)}
              >
                ✕
              </button>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Details({ meta }: { meta: Record<string, any> }) {
  const hits: any[] = meta.memory_hits ?? [];
  const sources: any[] = meta.sources ?? meta.documents ?? [];
  const latency = meta.latency ?? {};
  const ttftMs =
    meta.ttft_ms ??
    (latency.ttft_s !== undefined && latency.ttft_s !== null ? latency.ttft_s * 1000 : null);
  const tokens = meta.tokens ?? meta.completion_tokens;
  const llmS = latency.llm_s;
  const tokS = meta.tok_s ?? meta.tokens_per_s ?? (tokens && llmS ? tokens / llmS : null);
  const budget = meta.token_budget ?? {};
  return (
    <div className="sage-details">
      <span>intent: {meta.intent ?? '–'}</span>
      <span>source: {meta.source ?? '–'}</span>
      <span>model: {meta.model ?? '–'}</span>
      <span>memory: {meta.memory_backend ?? '–'}</span>
      <span>tokens: {fmtNum(tokens)}</span>
      <span>TTFT: {fmtNum(ttftMs, 0)} ms</span>
      <span>tok/s: {fmtNum(tokS, 1)}</span>
      {latency.total_s !== undefined ? <span>total: {fmtNum(latency.total_s, 2)} s</span> : null}
      {Object.keys(budget).length ? (
        <span>
          budget:{' '}
          {Object.entries(budget)
            .map(([k, v]) => `${k} ${fmtNum(v, 0)}`)
            .join(' · ')}
        </span>
      ) : null}
      {hits.length ? (
        <div className="sage-hits">
          memory hits:
          {hits.map((h, i) => (
            <div key={i} className="sage-hit">
              <b>{fmtNum(h.score, 2)}</b> {String(h.text ?? h.content ?? '').slice(0, 160)}
            </div>
          ))}
        </div>
      ) : null}
      {sources.length ? (
        <div className="sage-hits">
          sources:
          {sources.map((s, i) => (
            <div key={i} className="sage-hit">
              {String(s.title ?? s.source ?? s.id ?? s.text ?? '').slice(0, 120)}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}

function SettingsForm({ session, onSaved }: { session: Session; onSaved: () => void }) {
  const transport = useTransport();
  const [s, setS] = useState<Record<string, any>>(session.settings ?? {});
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setS(session.settings ?? {});
  }, [session.id]);
  const num = (key: string, step: number, min: number, max: number) => (
    <label className="sage-field">
      {key.replace('_', ' ')}
      <input
        type="number"
        className="sage-input"
        step={step}
        min={min}
        max={max}
        value={s[key] ?? ''}
        onChange={e =>
          setS({ ...s, [key]: e.target.value === '' ? undefined : Number(e.target.value) })
        }
      />
    </label>
  );
  return (
    <div className="sage-settings">
      <label className="sage-field sage-wide">
        system prompt
        <textarea
          className="sage-input"
          rows={2}
          value={s.system_prompt ?? ''}
          onChange={e => setS({ ...s, system_prompt: e.target.value })}
        />
      </label>
      {num('temperature', 0.1, 0, 2)}
      {num('top_p', 0.05, 0, 1)}
      {num('max_tokens', 16, 1, 32768)}
      <span className="sage-field sage-context-length" title="The serving model's maximum context">
        context length
        <b>
          {session.context_length ? `${fmtNum(session.context_length)} tokens` : '– (no engine)'}
        </b>
      </span>
      <ActionButton
        label="Save settings"
        onError={setError}
        action={async () => {
          await transport.call('sessions.update', { session_id: session.id, settings: s });
          onSaved();
        }}
      />
      <ErrorBox error={error} />
    </div>
  );
}

export function ChatView({
  sessionId,
  onSessionChange,
  showSessions = true
}: {
  sessionId?: string | null;
  onSessionChange?: (id: string) => void;
  showSessions?: boolean;
}) {
  const transport = useTransport();
  const studioSettings = useStudioSettings();
  const active = useActive();
  const [current, setCurrent] = useState<string | null>(sessionId ?? null);
  const session = useCall<Session>(
    current ? 'sessions.get' : null,
    { session_id: current },
    current ?? ''
  );
  const sources = useCall<SourcesStatus>('chat.sources');
  const models = useCall<any>('chat.models');
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [source, setSource] = useState<string>(studioSettings.defaultChatSource);
  const [model, setModel] = useState<string>('');
  const [streaming, setStreaming] = useState<StreamHandle | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [openDetails, setOpenDetails] = useState<Record<string, boolean>>({});
  const [showSettings, setShowSettings] = useState(false);
  const [showKnowledge, setShowKnowledge] = useState(false);
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  const [starting, setStarting] = useState(false);
  // The turn streaming now: its session and its optimistic answer (what Stop keeps on screen).
  const turnRef = useRef<{ sessionId: string; pending: ChatMessage } | null>(null);
  const endRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setCurrent(sessionId ?? null);
  }, [sessionId]);
  useEffect(() => {
    setMessages(session.data?.messages ?? []);
    const st = session.data?.settings ?? {};
    if (st.source) {
      setSource(st.source);
    }
    if (st.model) {
      setModel(st.model);
    }
  }, [session.data]);
  useEffect(() => {
    // A chat not yet started follows the user's default source as it changes in the Settings Editor.
    if (!current) {
      setSource(studioSettings.defaultChatSource);
    }
  }, [studioSettings.defaultChatSource, current]);
  // Source state is slow status: re-read when the panel shows again and on the slow poll while visible.
  useEffect(() => {
    if (active) {
      void sources.reload();
    }
  }, [active]);
  useSlowPoll(() => void sources.reload(), studioSettings.engineStatusPollInterval * 1000);
  useEffect(() => {
    // (scrollIntoView returns a Promise in recent browsers: never return it from an effect)
    void endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [messages]);
  useEffect(() => () => streaming?.cancel(), [streaming]);

  const select = (id: string) => {
    setCurrent(id);
    onSessionChange?.(id);
  };

  const send = async (
    text: string,
    opts: { parent_id?: string | null; regenerate?: boolean } = {}
  ) => {
    if ((!text.trim() && !opts.regenerate) || streaming) {
      return;
    }
    setError(null);
    let id = current;
    if (!id) {
      const created = await transport.call<Session>('sessions.create', {
        title: text.slice(0, 40),
        settings: newSessionSettings(studioSettings, source)
      });
      id = created.id;
      select(id);
      notifySessionsChanged();
    }
    const pending: ChatMessage = {
      id: `pending-${Date.now()}`,
      role: 'assistant',
      content: '',
      metadata: {}
    };
    turnRef.current = { sessionId: id, pending };
    setMessages(prev => {
      let base = prev;
      if (opts.regenerate) {
        const lastUser = [...prev].reverse().findIndex(m => m.role === 'user');
        base = lastUser >= 0 ? prev.slice(0, prev.length - lastUser) : prev;
      } else if (opts.parent_id !== undefined) {
        const cut = prev.findIndex(m => m.id === opts.parent_id);
        base = prev.slice(0, cut + 1);
      }
      const user = opts.regenerate
        ? []
        : [{ id: `user-${Date.now()}`, role: 'user', content: text }];
      return [...base, ...user, pending];
    });
    setDraft('');
    const handle = transport.stream(
      'chat.send',
      {
        session_id: id,
        content: text,
        source,
        model: model || undefined,
        ...(opts.parent_id !== undefined ? { parent_id: opts.parent_id } : {}),
        ...(opts.regenerate ? { regenerate: true } : {})
      },
      event => {
        if (event.type === 'token') {
          pending.content += String(event.text ?? '');
        } else if (event.type === 'meta') {
          pending.metadata = { ...pending.metadata, ...(event.metadata as object) };
        } else if (event.type === 'error') {
          setError(new Error(String(event.message ?? 'chat failed')));
        }
        setMessages(prev => prev.map(m => (m.id === pending.id ? { ...pending } : m)));
      }
    );
    setStreaming(handle);
    try {
      await handle.done;
    } catch (err) {
      setError(err);
    } finally {
      turnRef.current = null;
      setStreaming(null);
      notifySessionsChanged();
      void sources.reload(); // the turn may have started the chat adapter or found a source down
      // The stored conversation (real ids, branch) replaces the optimistic one.
      if (id === current || !current) {
        void session.reload();
      }
    }
  };

  /**
   * Stop the answer where it is: the server stops generating and stores the partial answer (marked
   * cancelled), and the stream ends normally with it, so the text stays on screen. Only when the server
   * knows no such turn is the stream itself dropped.
   */
  const stop = async () => {
    const turn = turnRef.current;
    if (!turn) {
      streaming?.cancel();
      return;
    }
    const { pending } = turn;
    pending.metadata = { ...pending.metadata, cancelled: true, partial: !!pending.content };
    setMessages(prev => prev.map(m => (m.id === pending.id ? { ...pending } : m)));
    try {
      const out = await transport.call<Result<'chat.stop'>>('chat.stop', {
        session_id: turn.sessionId
      });
      if (!out?.stopped?.length) {
        streaming?.cancel();
      }
    } catch {
      streaming?.cancel();
    }
  };

  const selectedState = sourceState(source, sources.data);
  // Nothing can answer: offer to start the local engine here, and follow it while it loads.
  const offer = engineOffer(source, sources.data);
  const engineFailed = sources.data?.local?.status === 'failed';
  const loading = offer === 'loading' || (starting && offer === 'start' && !engineFailed);
  useSlowPoll(() => void sources.reload(), 2000, loading);
  useEffect(() => {
    if (starting && (offer === null || engineFailed)) {
      setStarting(false);
    }
  }, [offer, engineFailed, starting]);
  const startEngine = async () => {
    setStarting(true);
    try {
      await transport.call('engine.start', {});
    } catch (err) {
      setStarting(false);
      throw err;
    }
    setError(null); // the "no source" error of an earlier turn no longer holds
    await sources.reload();
  };
  const modelList: any[] = models.data?.data ?? models.data?.models ?? [];
  // Details are open by default when the user asked for it in the settings; a click toggles each one.
  const detailsOpen = (id: string) => openDetails[id] ?? studioSettings.showMessageDetails;
  const lastAssistant = [...messages].reverse().find(m => m.role === 'assistant');

  return (
    <div className="sage-chat">
      {showSessions ? (
        <div className="sage-chat-sessions">
          <SessionList selected={current} onSelect={select} />
        </div>
      ) : null}
      <div className="sage-chat-main">
        <div className="sage-toolbar">
          <div className="sage-segmented" role="radiogroup" aria-label="Source">
            {SOURCES.map(name => {
              const st = sourceState(name, sources.data);
              const label = name[0].toUpperCase() + name.slice(1);
              return (
                <button
                  key={name}
                  role="radio"
                  aria-checked={source === name}
                  aria-label={label}
                  className={source === name ? 'sage-on' : ''}
                  data-source={name}
                  data-state={st.level}
                  title={`${label}: ${st.text}`}
                  onClick={() => setSource(name)}
                >
                  <span className={`sage-dot sage-dot-${st.level}`} aria-hidden="true" />
                  {label}
                </button>
              );
            })}
          </div>
          <select
            className="sage-input"
            aria-label="Model"
            value={model}
            onChange={e => setModel(e.target.value)}
          >
            <option value="">default model</option>
            {modelList.map(m => (
              <option key={m.id ?? m.name} value={m.id ?? m.name}>
                {(m.id ?? m.name) + (m.parent ? ' (fine-tuned)' : '')}
              </option>
            ))}
          </select>
          <span className="sage-grow" />
          <button
            className={showKnowledge ? 'sage-button sage-on' : 'sage-button'}
            aria-expanded={showKnowledge}
            onClick={() => setShowKnowledge(!showKnowledge)}
          >
            Knowledge
          </button>
          {current ? (
            <button className="sage-button" onClick={() => setShowSettings(!showSettings)}>
              Settings
            </button>
          ) : null}
        </div>
        <div
          className="sage-source-state sage-muted"
          data-source={source}
          data-state={selectedState.level}
          title={sources.error ? String(sources.error) : undefined}
        >
          <span className={`sage-dot sage-dot-${selectedState.level}`} aria-hidden="true" />
          {source[0].toUpperCase() + source.slice(1)}:{' '}
          {sources.error ? 'state unavailable' : selectedState.text}
        </div>
        {offer || starting ? (
          <div
            className="sage-engine-offer"
            role="status"
            data-offer={loading ? 'loading' : 'start'}
          >
            {loading ? (
              <>
                <span>Starting the local engine: loading the model…</span>
                <progress className="sage-grow" aria-label="Engine loading" />
              </>
            ) : (
              <>
                <span>
                  {source === 'auto'
                    ? 'No model can answer: the local engine is not running and no cloud endpoint is usable.'
                    : 'No model can answer: the local engine is not running.'}{' '}
                  Start it to chat here.
                </span>
                <ActionButton
                  label="Start engine"
                  className="sage-button sage-primary"
                  action={startEngine}
                  onError={err => err && setError(err)}
                />
              </>
            )}
          </div>
        ) : null}
        {showKnowledge ? <KnowledgePanel /> : null}
        {showSettings && session.data ? (
          <SettingsForm session={session.data} onSaved={() => void session.reload()} />
        ) : null}
        <ErrorBox error={session.error} />
        <div className="sage-messages" aria-live="polite">
          {messages.length === 0 ? (
            <div className="sage-empty">
              Ask anything. Answers stream from the local engine or the cloud.
            </div>
          ) : null}
          {messages.map((m, index) => (
            <div key={m.id} className={`sage-msg sage-msg-${m.role}`} data-role={m.role}>
              {editing?.id === m.id ? (
                <div className="sage-edit">
                  <textarea
                    className="sage-input"
                    value={editing.text}
                    onChange={e => setEditing({ id: m.id, text: e.target.value })}
                  />
                  <button
                    className="sage-button sage-primary"
                    onClick={() => {
                      const parent = m.parent_id ?? (index > 0 ? messages[index - 1].id : null);
                      setEditing(null);
                      void send(editing.text, { parent_id: parent });
                    }}
                  >
                    Send as new branch
                  </button>
                  <button className="sage-button" onClick={() => setEditing(null)}>
                    Cancel
                  </button>
                </div>
              ) : m.role === 'assistant' ? (
                <>
                  <Markdown text={m.content} />
                  {m.metadata?.cancelled ? (
                    <div className="sage-stopped" data-stopped="true">
                      ■ Stopped{m.content ? ': partial answer' : ' before any text'}
                      {m === lastAssistant && !streaming ? (
                        <button
                          className="sage-link"
                          onClick={() => void send('', { regenerate: true })}
                        >
                          Regenerate
                        </button>
                      ) : null}
                    </div>
                  ) : null}
                </>
              ) : (
                <div className="sage-plain">{m.content}</div>
              )}
              <div className="sage-msg-actions">
                {m.sibling_ids && m.sibling_ids.length > 1 && current ? (
                  <span className="sage-branches" title="Other versions of this message">
                    {[-1, 1].map(step => {
                      const target = m.sibling_ids![(m.sibling_index ?? 0) + step];
                      return (
                        <button
                          key={step}
                          className="sage-link"
                          disabled={!target || !!streaming}
                          onClick={() =>
                            transport
                              .call('sessions.switch', { session_id: current, message_id: target })
                              .then(() => {
                                notifySessionsChanged();
                                return session.reload();
                              }, setError)
                          }
                        >
                          {step < 0 ? '‹' : '›'}
                        </button>
                      );
                    })}
                    {(m.sibling_index ?? 0) + 1}/{m.sibling_ids.length}
                  </span>
                ) : null}
                {m.role === 'user' && !streaming ? (
                  <button
                    className="sage-link"
                    onClick={() => setEditing({ id: m.id, text: m.content })}
                  >
                    edit
                  </button>
                ) : null}
                {m.role === 'assistant' && m.metadata && Object.keys(m.metadata).length ? (
                  <button
                    className="sage-link"
                    aria-expanded={detailsOpen(m.id)}
                    onClick={() => setOpenDetails({ ...openDetails, [m.id]: !detailsOpen(m.id) })}
                  >
                    details
                  </button>
                ) : null}
                {m === lastAssistant && !streaming && !m.metadata?.cancelled ? (
                  <button className="sage-link" onClick={() => void send('', { regenerate: true })}>
                    regenerate
                  </button>
                ) : null}
              </div>
              {detailsOpen(m.id) && m.metadata && Object.keys(m.metadata).length ? (
                <Details meta={m.metadata} />
              ) : null}
            </div>
          ))}
          <div ref={endRef} />
        </div>
        <ErrorBox error={error} />
        <div className="sage-composer">
          <textarea
            className="sage-input sage-grow"
            placeholder="Message (Enter to send, Shift+Enter for a new line)"
            aria-label="Message"
            value={draft}
            onChange={e => setDraft(e.target.value)}
            onKeyDown={e => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                void send(draft).catch(setError);
              }
            }}
          />
          {streaming ? (
            <button className="sage-button sage-danger" onClick={() => void stop()}>
              Stop
            </button>
          ) : (
            <button
              className="sage-button sage-primary"
              disabled={!draft.trim()}
              onClick={() => void send(draft).catch(setError)}
            >
              Send
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
