/**
 * Feedback on an answer, as Open WebUI's message actions: 👍 / 👎 (a click on the pressed one clears it; after 👎
 * an optional comment), and *ideal answer*: the user's corrected text, stored as a preferred sibling of the answer
 * (`chat.ideal_answer`) that the branch arrows or "show it" switch to. Both live in the messages' metadata, so they
 * survive reloads and exports. The calls go through the transport: the same code in the panel and the widget.
 */
import React, { useEffect, useState } from 'react';

import { ChatMessage } from './chatTypes';
import { ErrorBox, useTransport } from './common';

export type RatingValue = 'up' | 'down';

interface StoredRating {
  value: RatingValue;
  comment?: string | null;
}

interface Form {
  kind: 'comment' | 'ideal';
  text: string;
}

const LABELS: Record<RatingValue, string> = { up: 'Good answer', down: 'Bad answer' };

// Lucide's thumbs (ISC licence) as inline SVG: an emoji needs a colour-emoji font, absent on many Linux set-ups.
const THUMBS: Record<RatingValue, string[]> = {
  up: [
    'M7 10v12',
    'M15 5.88 14 10h5.83a2 2 0 0 1 1.92 2.56l-2.33 8A2 2 0 0 1 17.5 22H4a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2h2.76a2 2 0 0 0 1.79-1.11L12 2a3.13 3.13 0 0 1 3 3.88Z'
  ],
  down: [
    'M17 14V2',
    'M9 18.12 10 14H4.17a2 2 0 0 1-1.92-2.56l2.33-8A2 2 0 0 1 6.5 2H20a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-2.76a2 2 0 0 0-1.79 1.11L12 22a3.13 3.13 0 0 1-3-3.88Z'
  ]
};

function Thumb({ value }: { value: RatingValue }) {
  return (
    <svg className="sage-thumb" viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
      {THUMBS[value].map(d => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}

/** An answer the user wrote as the ideal one (not the model's). */
export function isIdealAnswer(m: ChatMessage): boolean {
  return !!(m.metadata?.preferred || m.metadata?.ideal_for);
}

export function ChatFeedback({
  sessionId,
  message,
  disabled = false,
  onChanged
}: {
  sessionId: string;
  /** A stored assistant message (not a pending one). */
  message: ChatMessage;
  /** A turn is streaming: a re-read of the session now would drop it, so nothing changes meanwhile. */
  disabled?: boolean;
  /** Re-read the session after a change (the stored metadata and the new sibling). */
  onChanged?: () => void;
}) {
  const transport = useTransport();
  const stored: StoredRating | null = message.metadata?.rating ?? null;
  // What the last call stored, shown at once; dropped when the re-read message carries a (new) rating.
  const [rating, setRating] = useState<StoredRating | null | undefined>(undefined);
  const [idealId, setIdealId] = useState<string | undefined>(undefined);
  const [form, setForm] = useState<Form | null>(null);
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const storedKey = JSON.stringify(stored);
  useEffect(() => setRating(undefined), [storedKey]);
  const current = rating === undefined ? stored : rating;
  const rejectedBy: string | undefined = message.metadata?.rejected_by ?? idealId;
  const ids = { session_id: sessionId, message_id: message.id };

  if (isIdealAnswer(message)) {
    return (
      <span className="sage-badge sage-ideal-badge" data-ideal="true">
        ideal answer (written by you)
      </span>
    );
  }

  /** Run one change; true when it went through (the session is then re-read). */
  const run = async (work: () => Promise<void>): Promise<boolean> => {
    setWorking(true);
    setError(null);
    try {
      await work();
      onChanged?.();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setWorking(false);
    }
  };

  const rate = (value: RatingValue | null, comment?: string) =>
    run(async () => {
      await transport.call('chat.rate', {
        ...ids,
        rating: value,
        ...(comment !== undefined ? { comment } : {})
      });
      setRating(value ? { value, comment: comment?.trim() || null } : null);
    });

  const press = async (value: RatingValue) => {
    setForm(null); // an open comment belongs to the rating it followed
    if (current?.value === value) {
      await rate(null);
    } else if ((await rate(value)) && value === 'down') {
      setForm({ kind: 'comment', text: '' }); // why, optionally: what the dataset builder keeps with it
    }
  };

  const save = async () => {
    if (!form) {
      return;
    }
    const done =
      form.kind === 'comment'
        ? await rate(current?.value ?? 'down', form.text)
        : await run(async () => {
            const out = await transport.call<{ ideal?: ChatMessage }>('chat.ideal_answer', {
              ...ids,
              content: form.text,
              activate: false
            });
            setIdealId(out?.ideal?.id);
          });
    if (done) {
      setForm(null);
    }
  };

  const showIdeal = () =>
    run(async () => {
      await transport.call('sessions.switch', { session_id: sessionId, message_id: rejectedBy });
    });

  const locked = disabled || working;
  const canSave = form?.kind === 'comment' || !!form?.text.trim();
  return (
    <>
      <span className="sage-feedback" role="group" aria-label="Rate this answer">
        {(['up', 'down'] as const).map(value => {
          const pressed = current?.value === value;
          const comment = pressed && current?.comment ? `: “${current.comment}”` : '';
          return (
            <button
              key={value}
              className="sage-link sage-rate"
              data-rating={value}
              aria-label={LABELS[value]}
              aria-pressed={pressed}
              title={`${LABELS[value]}${comment}${pressed ? ' (click to clear)' : ''}`}
              disabled={locked}
              onClick={() => void press(value)}
            >
              <Thumb value={value} />
            </button>
          );
        })}
        <button
          className="sage-link"
          title="Write the answer the model should have given (kept beside this one)"
          disabled={locked}
          onClick={() => setForm({ kind: 'ideal', text: message.content })}
        >
          ideal answer
        </button>
      </span>
      {rejectedBy ? (
        <span className="sage-feedback-note" data-ideal-saved="true">
          ✓ ideal answer saved
          <button
            className="sage-link"
            title="Show the ideal answer in the chat"
            disabled={locked}
            onClick={() => void showIdeal()}
          >
            show it
          </button>
        </span>
      ) : null}
      {form ? (
        <div className="sage-feedback-form" data-form={form.kind}>
          <textarea
            className="sage-input"
            aria-label={form.kind === 'comment' ? 'What was wrong? (optional)' : 'Ideal answer'}
            placeholder={
              form.kind === 'comment'
                ? 'What was wrong? (optional)'
                : 'The answer the model should have given'
            }
            rows={form.kind === 'comment' ? 2 : 6}
            value={form.text}
            autoFocus
            onChange={e => setForm({ ...form, text: e.target.value })}
            onKeyDown={e => {
              if (e.key === 'Escape') {
                setForm(null);
              } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && canSave) {
                e.preventDefault();
                void save();
              }
            }}
          />
          <div className="sage-row">
            <button
              className="sage-button sage-primary"
              disabled={locked || !canSave}
              onClick={() => void save()}
            >
              {form.kind === 'comment' ? 'Save' : 'Save ideal answer'}
            </button>
            <button className="sage-button" onClick={() => setForm(null)}>
              {form.kind === 'comment' ? 'Skip' : 'Cancel'}
            </button>
          </div>
        </div>
      ) : null}
      {error ? (
        <div className="sage-feedback-form">
          <ErrorBox error={error} />
        </div>
      ) : null}
    </>
  );
}
