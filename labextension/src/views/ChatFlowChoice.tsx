/**
 * Which flow answers a chat session: the built-in chat pipeline or a saved, edited copy of it (`settings.flow`).
 * *Edit a copy* saves the pipeline as the user's own flow and opens it on a canvas here; edits are saved as they
 * are made (`flow.save`, debounced), and the session then runs that copy.
 */
import React, { useEffect, useRef, useState } from 'react';

import { ActionButton, ErrorBox, useCall, useTransport } from './common';
import { FlowDoc } from './flowModel';
import { FlowView } from './FlowView';

export const CHAT_FLOW_TEMPLATE = 'studio-chat';
const SAVE_DELAY_MS = 600;

export function ChatFlowChoice({
  value,
  onChange
}: {
  value: string | undefined;
  onChange: (flowId: string | undefined) => void;
}) {
  const transport = useTransport();
  const flows = useCall<{ flows: { id: string; name: string }[] }>('flow.list');
  const [editing, setEditing] = useState<FlowDoc | null>(null);
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);

  const edit = async (flowId: string) => {
    const saved = await transport.call<any>('flow.get', { flow_id: flowId });
    setEditing({ ...(saved.flow ?? saved), id: flowId } as FlowDoc);
  };
  const copy = async () => {
    const templates = await transport.call<any>('flow.templates');
    const chat = (templates.templates ?? []).find((t: any) => t.id === CHAT_FLOW_TEMPLATE);
    if (!chat) {
      throw new Error('the built-in chat pipeline template is not installed');
    }
    const created = await transport.call<any>('flow.create', {
      flow: { ...chat.flow, id: undefined, name: 'Chat pipeline (my copy)' }
    });
    await flows.reload();
    onChange(created.id);
    await edit(created.id);
  };
  const save = (next: FlowDoc) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      transport.call('flow.save', { flow_id: next.id, flow: next }).catch(setError);
    }, SAVE_DELAY_MS);
  };

  return (
    <div className="sage-field sage-wide sage-chat-flow">
      chat flow
      <div className="sage-row">
        <select
          className="sage-input"
          aria-label="Chat flow"
          value={value ?? ''}
          onChange={e => onChange(e.target.value || undefined)}
        >
          <option value="">Built-in chat pipeline</option>
          {(flows.data?.flows ?? []).map(f => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
        {value ? <ActionButton label="Edit" onError={setError} action={() => edit(value)} /> : null}
        <ActionButton label="Edit a copy" onError={setError} action={copy} />
      </div>
      <span className="sage-muted sage-help">
        The steps a turn runs (intent, memory, documents, prompt, model). An edited copy is yours:
        saved as you edit, used by this chat once the settings are saved.
      </span>
      <ErrorBox error={error ?? flows.error} />
      {editing ? (
        <div className="sage-turn-canvas" data-flow-id={editing.id}>
          <FlowView
            flow={editing}
            onChange={next => {
              setEditing(next);
              save(next);
            }}
          />
        </div>
      ) : null}
    </div>
  );
}
