/**
 * The model chat answers with by default (`finetune.current_model`) in plain words, and a switch to another
 * model of the catalog (`finetune.switch_model`); one the running engine does not serve needs a restart,
 * asked for in a dialog.
 */
import React, { useState } from 'react';

import { TransportError } from '../transport/types';
import { ActionButton, ErrorBox, useCall, useTransport } from './common';
import { useDialogs } from './dialogs';

const KIND_WORDS: Record<string, string> = {
  base: 'the engine’s base model',
  adapter: 'a fine-tuned adapter',
  merged: 'a merged fine-tuned model'
};

/** "SmolLM2-135M-Instruct (the engine's base model)" from `finetune.current_model`'s answer. */
export function describeCurrentModel(current: Record<string, any> | null | undefined): string {
  if (!current) {
    return '–';
  }
  const name = current.label ?? current.model ?? current.base_model ?? 'the engine’s model';
  const kind = KIND_WORDS[String(current.kind)] ?? String(current.kind ?? '');
  return kind ? `${name} (${kind})` : String(name);
}

export function ChatModelChoice({ onSwitched }: { onSwitched?: () => void }) {
  const transport = useTransport();
  const dialogs = useDialogs();
  const current = useCall<Record<string, any>>('finetune.current_model');
  const catalog = useCall<{ models: Record<string, any>[] }>('finetune.models');
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const models = catalog.data?.models ?? [];

  const switchTo = async () => {
    setDone(null);
    let out: Record<string, any>;
    try {
      out = await transport.call('finetune.switch_model', { model_path: choice });
    } catch (err) {
      // 409: the engine serves another model; switching means restarting it on this one.
      if (!(err instanceof TransportError) || err.status !== 409) {
        throw err;
      }
      const ok = await dialogs.confirm(
        'Restart the engine?',
        `${err.message}\n\nRestart the engine on ${choice}? Answers in progress stop.`,
        { accept: 'Restart engine' }
      );
      if (!ok) {
        return;
      }
      out = await transport.call('finetune.switch_model', { model_path: choice, restart: true });
    }
    setDone(`Chat now answers with ${describeCurrentModel(out)}.`);
    await current.reload();
    onSwitched?.();
  };

  return (
    <div
      className="sage-field sage-wide sage-chat-model"
      data-current-model={current.data?.model ?? ''}
    >
      <span>
        Chat answers with: <b>{describeCurrentModel(current.data)}</b>
      </span>
      <div className="sage-row">
        <select
          className="sage-input"
          aria-label="Switch chat model"
          value={choice}
          onChange={e => setChoice(e.target.value)}
        >
          <option value="">choose another model…</option>
          {models.map(m => (
            <option key={m.id} value={m.id}>
              {(m.name ?? m.id) + (m.type === 'finetuned' ? ' (fine-tuned)' : '')}
            </option>
          ))}
        </select>
        <ActionButton label="Use in chat" disabled={!choice} onError={setError} action={switchTo} />
      </div>
      {done ? <span className="sage-muted">{done}</span> : null}
      <ErrorBox error={error ?? current.error} />
    </div>
  );
}
