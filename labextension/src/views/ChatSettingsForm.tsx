/** A chat session's settings: system prompt, sampling, the repetition guard, the flow that answers (the built-in
 * pipeline or an edited copy) and the model chat answers with. */
import React, { useEffect, useState } from 'react';

import { Session } from './chatTypes';
import { ChatFlowChoice } from './ChatFlowChoice';
import { ChatModelChoice } from './ChatModelChoice';
import { ActionButton, ErrorBox, fmtNum, useTransport } from './common';

interface NumField {
  key: string;
  label: string;
  step: number;
  min: number;
  max: number;
  help: string;
}

const FIELDS: NumField[] = [
  {
    key: 'temperature',
    label: 'temperature',
    step: 0.1,
    min: 0,
    max: 2,
    help: '0 always picks the likeliest word; higher answers vary more.'
  },
  {
    key: 'top_p',
    label: 'top p',
    step: 0.05,
    min: 0,
    max: 1,
    help: 'Sample only from the likeliest words.'
  },
  {
    key: 'max_tokens',
    label: 'max tokens',
    step: 16,
    min: 1,
    max: 32768,
    help: 'The longest answer, in tokens (empty: the Studio default, 512).'
  },
  {
    key: 'repetition_penalty',
    label: 'repetition penalty',
    step: 0.05,
    min: 1,
    max: 2,
    help:
      'Makes words already said less likely, so a small model does not loop on one line. 1 is off; ' +
      'empty: the Studio default (1.1).'
  }
];

export function SettingsForm({
  session,
  onSaved,
  onModelSwitched
}: {
  session: Session;
  onSaved: () => void;
  onModelSwitched?: () => void;
}) {
  const transport = useTransport();
  const [s, setS] = useState<Record<string, any>>(session.settings ?? {});
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setS(session.settings ?? {});
  }, [session.id]);
  const num = (f: NumField) => (
    <label className="sage-field" key={f.key} title={f.help}>
      {f.label}
      <input
        type="number"
        className="sage-input"
        name={f.key}
        step={f.step}
        min={f.min}
        max={f.max}
        value={s[f.key] ?? ''}
        onChange={e =>
          setS({ ...s, [f.key]: e.target.value === '' ? undefined : Number(e.target.value) })
        }
      />
      <span className="sage-muted sage-help">{f.help}</span>
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
      {FIELDS.map(num)}
      <ChatFlowChoice value={s.flow} onChange={flow => setS({ ...s, flow })} />
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
      <ChatModelChoice onSwitched={onModelSwitched} />
    </div>
  );
}
