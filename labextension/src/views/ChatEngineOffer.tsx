/** When nothing can answer: a *Start engine* button, then a progress state while the model loads. */
import React from 'react';

import { ActionButton } from './common';

export function ChatEngineOffer({
  source,
  loading,
  onStart,
  onError
}: {
  source: string;
  loading: boolean;
  onStart: () => Promise<void>;
  onError: (err: unknown) => void;
}) {
  return (
    <div className="sage-engine-offer" role="status" data-offer={loading ? 'loading' : 'start'}>
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
            action={onStart}
            onError={err => err && onError(err)}
          />
        </>
      )}
    </div>
  );
}
