/**
 * The messages of a chat's active branch: Markdown answers, the stopped marker with *Continue* / *Regenerate*,
 * edit-and-branch of user messages, branch arrows, details, feedback on answers (ChatFeedback.tsx).
 */
import React, { useState } from 'react';

import { Details } from './chatDetails';
import { ChatFeedback } from './ChatFeedback';
import { ChatMessage } from './chatTypes';
import { Markdown } from './Markdown';

/** What a turn does besides sending a new message. */
export interface TurnKind {
  /** Edit: the new user message goes under this parent (a new branch). */
  parent_id?: string | null;
  /** A new answer to the last user message. */
  regenerate?: boolean;
  /** Go on from the stopped last answer: the same message grows. */
  continue_answer?: boolean;
}

export function ChatMessages({
  messages,
  busy,
  canSwitch,
  showDetails,
  onTurn,
  onSwitch,
  sessionId,
  onFeedback
}: {
  messages: ChatMessage[];
  /** A turn is streaming: no actions that start another. */
  busy: boolean;
  canSwitch: boolean;
  showDetails: boolean;
  onTurn: (text: string, kind: TurnKind) => void;
  onSwitch: (messageId: string) => void;
  /** The stored session: answers can be rated and corrected (none before the first turn creates it). */
  sessionId?: string | null;
  /** A rating or an ideal answer was stored: re-read the session. */
  onFeedback?: () => void;
}) {
  const [openDetails, setOpenDetails] = useState<Record<string, boolean>>({});
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  // Details are open by default when the user asked for it in the settings; a click toggles each one.
  const detailsOpen = (id: string) => openDetails[id] ?? showDetails;
  const lastAssistant = [...messages].reverse().find(m => m.role === 'assistant');
  const isLast = (m: ChatMessage) => m === lastAssistant && messages[messages.length - 1] === m;
  const hasMeta = (m: ChatMessage) => !!m.metadata && Object.keys(m.metadata).length > 0;
  // Stored answers only: not the optimistic bubble (no id yet), not the one streaming (it is the last).
  const rateable = (m: ChatMessage, index: number) =>
    m.role === 'assistant' &&
    !m.id.startsWith('pending-') &&
    !(busy && index === messages.length - 1);

  return (
    <>
      {messages.map((m, index) => (
        <div
          key={m.id}
          className={`sage-msg sage-msg-${m.role}`}
          data-role={m.role}
          data-message-id={m.id}
        >
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
                  onTurn(editing.text, { parent_id: parent });
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
                  {isLast(m) && !busy ? (
                    <>
                      {m.content ? (
                        <button
                          className="sage-link"
                          title="Go on from where the answer stopped"
                          onClick={() => onTurn('', { continue_answer: true })}
                        >
                          Continue
                        </button>
                      ) : null}
                      <button
                        className="sage-link"
                        onClick={() => onTurn('', { regenerate: true })}
                      >
                        Regenerate
                      </button>
                    </>
                  ) : null}
                </div>
              ) : null}
            </>
          ) : (
            <>
              <div className="sage-plain">{m.content}</div>
              <Attachments items={m.metadata?.context} />
            </>
          )}
          <div className="sage-msg-actions">
            {m.sibling_ids && m.sibling_ids.length > 1 && canSwitch ? (
              <span className="sage-branches" title="Other versions of this message">
                {[-1, 1].map(step => {
                  const target = m.sibling_ids![(m.sibling_index ?? 0) + step];
                  return (
                    <button
                      key={step}
                      className="sage-link"
                      disabled={!target || busy}
                      onClick={() => onSwitch(target)}
                    >
                      {step < 0 ? '‹' : '›'}
                    </button>
                  );
                })}
                {(m.sibling_index ?? 0) + 1}/{m.sibling_ids.length}
              </span>
            ) : null}
            {m.role === 'user' && !busy ? (
              <button
                className="sage-link"
                onClick={() => setEditing({ id: m.id, text: m.content })}
              >
                edit
              </button>
            ) : null}
            {m.role === 'assistant' && hasMeta(m) ? (
              <button
                className="sage-link"
                aria-expanded={detailsOpen(m.id)}
                onClick={() => setOpenDetails({ ...openDetails, [m.id]: !detailsOpen(m.id) })}
              >
                details
              </button>
            ) : null}
            {m.metadata?.finish_reason === 'length' && isLast(m) && !busy ? (
              <button
                className="sage-link"
                title="The answer reached max tokens: go on from where it ended"
                onClick={() => onTurn('', { continue_answer: true })}
              >
                continue
              </button>
            ) : null}
            {m === lastAssistant && !busy && !m.metadata?.cancelled ? (
              <button className="sage-link" onClick={() => onTurn('', { regenerate: true })}>
                regenerate
              </button>
            ) : null}
            {sessionId && rateable(m, index) ? (
              <ChatFeedback
                sessionId={sessionId}
                message={m}
                disabled={busy}
                onChanged={onFeedback}
              />
            ) : null}
          </div>
          {detailsOpen(m.id) && hasMeta(m) ? <Details meta={m.metadata!} /> : null}
        </div>
      ))}
    </>
  );
}

/** Notebook context sent with a message (variables, an error, cells): named chips, the text in the tooltip. */
export function Attachments({ items }: { items?: { kind: string; name: string; text: string }[] }) {
  if (!items?.length) {
    return null;
  }
  return (
    <div className="sage-attachments">
      {items.map((a, i) => (
        <span key={i} className="sage-chip" data-kind={a.kind} title={a.text}>
          {a.name} <span className="sage-muted">({a.kind})</span>
        </span>
      ))}
    </div>
  );
}
