/**
 * Chat: streamed Markdown answers, stop, continue a stopped answer, regenerate, edit-and-branch, source switch,
 * model picker, session settings, per-message details. The session list (SessionList.tsx), the details line
 * (chatDetails.tsx) and the settings form (ChatSettingsForm.tsx) are their own modules.
 */
import React, { useEffect, useRef, useState } from 'react';

import { Result, StreamHandle } from '../transport/types';
import { ChatEngineOffer } from './ChatEngineOffer';
import { ChatMessages, TurnKind } from './ChatMessages';
import { SettingsForm } from './ChatSettingsForm';
import { ChatMessage, Session } from './chatTypes';
import { SourcesStatus, engineOffer, sourceState } from './chatSources';
import { ErrorBox, useActive, useCall, useSlowPoll, useTransport } from './common';
import { KnowledgePanel } from './KnowledgePanel';
import { AttachControl, Attachment } from './notebookContext';
import { BudgetPreview } from './BudgetPreview';
import { ExportMenu, SessionList, newSessionSettings } from './SessionList';
import { notifySessionsChanged, useSessionsChanged } from './sessionEvents';
import { useStudioSettings } from './settings';

export type { ChatMessage } from './chatTypes';
export { SessionList, newSessionSettings } from './SessionList';

const SOURCES = ['auto', 'local', 'cloud'] as const;

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
  const chatModel = useCall<Record<string, any>>('finetune.current_model');
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [attached, setAttached] = useState<Attachment[]>([]); // notebook context for the next message
  const [source, setSource] = useState<string>(studioSettings.defaultChatSource);
  const [model, setModel] = useState<string>('');
  const [streaming, setStreaming] = useState<StreamHandle | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [showSettings, setShowSettings] = useState(false);
  const [showKnowledge, setShowKnowledge] = useState(false);
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
  // A session cleared, imported or renamed elsewhere (the list, the sidebar): re-read it, unless a turn is
  // streaming (its end re-reads it anyway, and a re-read now would drop the answer on screen).
  useSessionsChanged(() => {
    if (current && !turnRef.current) {
      void session.reload();
    }
  });
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
      void chatModel.reload();
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

  const send = async (text: string, opts: TurnKind = {}) => {
    const again = opts.regenerate || opts.continue_answer;
    if ((!text.trim() && !again) || streaming) {
      return;
    }
    setError(null);
    const context = again || opts.parent_id !== undefined ? [] : attached; // a new message carries them
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
    // A continued answer streams onto the end of its own bubble (same id), its stopped marker gone meanwhile.
    const stopped = opts.continue_answer ? messages[messages.length - 1] : undefined;
    const pending: ChatMessage = stopped
      ? { ...stopped, metadata: { ...stopped.metadata, cancelled: false, partial: false } }
      : { id: `pending-${Date.now()}`, role: 'assistant', content: '', metadata: {} };
    turnRef.current = { sessionId: id, pending };
    setMessages(prev => {
      let base = prev;
      if (stopped) {
        return prev.map(m => (m.id === pending.id ? { ...pending } : m));
      }
      if (opts.regenerate) {
        const lastUser = [...prev].reverse().findIndex(m => m.role === 'user');
        base = lastUser >= 0 ? prev.slice(0, prev.length - lastUser) : prev;
      } else if (opts.parent_id !== undefined) {
        const cut = prev.findIndex(m => m.id === opts.parent_id);
        base = prev.slice(0, cut + 1);
      }
      const user = opts.regenerate
        ? []
        : [
            {
              id: `user-${Date.now()}`,
              role: 'user',
              content: text,
              metadata: context.length ? { context } : {}
            }
          ];
      return [...base, ...user, pending];
    });
    setDraft('');
    setAttached([]);
    const handle = transport.stream(
      'chat.send',
      {
        session_id: id,
        content: text,
        source,
        model: model || undefined,
        ...(opts.parent_id !== undefined ? { parent_id: opts.parent_id } : {}),
        ...(opts.regenerate ? { regenerate: true } : {}),
        ...(opts.continue_answer ? { continue_answer: true } : {}),
        ...(context.length ? { context } : {})
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
  const defaultModel = chatModel.data?.model ?? chatModel.data?.base_model;
  const switchBranch = (target: string) =>
    transport.call('sessions.switch', { session_id: current, message_id: target }).then(() => {
      notifySessionsChanged();
      return session.reload();
    }, setError);

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
            title="The model this chat asks; the default is the one chat answers with (switch it in Settings)"
            value={model}
            onChange={e => setModel(e.target.value)}
          >
            <option value="">{defaultModel ? `default: ${defaultModel}` : 'default model'}</option>
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
          {current && !showSessions ? (
            // Without the session list (the notebook widget) the chat's export is here.
            <ExportMenu session={{ id: current, title: session.data?.title }} onError={setError} />
          ) : null}
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
          <ChatEngineOffer
            source={source}
            loading={loading}
            onStart={startEngine}
            onError={setError}
          />
        ) : null}
        {showKnowledge ? <KnowledgePanel /> : null}
        {showSettings && session.data ? (
          <SettingsForm
            session={session.data}
            onSaved={() => void session.reload()}
            onModelSwitched={() => void chatModel.reload()}
          />
        ) : null}
        <ErrorBox error={session.error} />
        <div className="sage-messages" aria-live="polite">
          {messages.length === 0 ? (
            <div className="sage-empty">
              Ask anything. Answers stream from the local engine or the cloud.
            </div>
          ) : null}
          <ChatMessages
            messages={messages}
            busy={!!streaming}
            canSwitch={!!current}
            showDetails={studioSettings.showMessageDetails}
            onTurn={(text, kind) => void send(text, kind).catch(setError)}
            onSwitch={target => void switchBranch(target)}
            sessionId={current}
            onFeedback={() => void session.reload()}
          />
          <div ref={endRef} />
        </div>
        <ErrorBox error={error} />
        <AttachControl attached={attached} onChange={setAttached} onError={setError} />
        {attached.length && source !== 'local' ? (
          <div className="sage-hint" role="note">
            {source === 'cloud'
              ? 'The attached notebook context goes to the cloud endpoint with the message.'
              : 'With Auto, the attached context goes to the cloud endpoint when the local engine is down.'}
          </div>
        ) : null}
        <BudgetPreview
          sessionId={current}
          draft={draft}
          attached={attached}
          source={source}
          model={model}
        />
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
