/**
 * Live resource advice under the create form: the form's task config is sent to `finetune.advice` a moment after
 * the user stops changing it (debounced), and the answer — estimated memory vs this machine's, steps, warnings and
 * a change that makes the run fit — is shown in plain words, with a button that applies the suggested change.
 */
import React, { useEffect, useState } from 'react';

import { Args, Result, errorMessage } from '../transport/types';
import { useTransport } from './common';

/** Wait this long after the last change before asking (typing "16" must not ask for "1" first). */
export const ADVICE_DELAY_MS = 400;

type Advice = Result<'finetune.advice'>;

export function AdviceBox({
  config,
  onApply
}: {
  /** The task config the form would create (null: not ready, e.g. no model yet). */
  config: Args | null;
  /** Apply the suggestion's TaskConfig fields to the form. */
  onApply: (changes: Record<string, any>) => void;
}) {
  const transport = useTransport();
  const [advice, setAdvice] = useState<Advice | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const key = config ? JSON.stringify(config) : '';
  useEffect(() => {
    if (!config) {
      return;
    }
    let stale = false; // a newer config's answer replaces this one
    setPending(true);
    const timer = setTimeout(async () => {
      try {
        const answer = await transport.call<Advice>('finetune.advice', config);
        if (!stale) {
          setAdvice(answer);
          setError(null);
        }
      } catch (err) {
        if (!stale) {
          setError(err);
        }
      } finally {
        if (!stale) {
          setPending(false);
        }
      }
    }, ADVICE_DELAY_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [transport, key]);
  if (!config) {
    return null;
  }
  const lines = advice?.lines ?? [];
  const suggestion = advice?.suggestion;
  return (
    <div
      className="sage-advice-live sage-wide"
      aria-label="resource advice"
      aria-live="polite"
      aria-busy={pending}
      data-fits={advice ? String(advice.fits) : undefined}
    >
      {!advice && !error ? <div className="sage-muted">Estimating memory and steps…</div> : null}
      {lines.length ? (
        <ul className={`sage-advice${advice?.fits === false ? ' sage-advice-warn' : ''}`}>
          {lines.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      ) : null}
      {suggestion ? (
        <button
          className="sage-button"
          title="Set the suggested values in the form"
          onClick={() => onApply(suggestion.changes)}
        >
          Use the suggestion
        </button>
      ) : null}
      {error ? (
        <div className="sage-muted">No advice for these settings: {errorMessage(error)}</div>
      ) : null}
    </div>
  );
}
