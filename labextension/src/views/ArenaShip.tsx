/**
 * Shipping an arena winner (issue #20, step 5). A fine-tuned adapter that won a pick (a model entry with a
 * `parent`; the engine serves it under its task id) can become chat's default (*Use in chat*), one chat
 * session's model (*Set as this session's model*: `sessions.update` with `settings.model`), or be merged into
 * its base model as a standalone folder (*Merge & export*: `finetune.merge` on the adapter's task).
 */
import React, { useState } from 'react';

import { Transport } from '../transport/types';
import { ActionButton, ErrorBox, useCall, useTransport } from './common';

interface SessionRow {
  id: string;
  title: string;
}

/** The fine-tune task an adapter belongs to: adapters are served under their task's id. */
export async function taskOfAdapter(transport: Transport, adapter: string): Promise<any> {
  const { tasks } = await transport.call<{ tasks: any[] }>('finetune.tasks');
  const task = (tasks ?? []).find(t => t.id === adapter);
  if (!task) {
    throw new Error(
      `${adapter} is not the adapter of a fine-tune task here (loaded by hand?): nothing to merge.`
    );
  }
  return task;
}

/** Merge the adapter's task into a full model folder; answers the folder's path. */
export async function mergeAdapter(transport: Transport, adapter: string): Promise<string> {
  const task = await taskOfAdapter(transport, adapter);
  const merged = await transport.call<any>('finetune.merge', { task_id: task.id });
  if (!merged?.merged_path) {
    throw new Error(`the merge of ${task.name ?? task.id} wrote no model folder`);
  }
  return merged.merged_path;
}

export function ArenaShip({ model }: { model: string }) {
  const transport = useTransport();
  const sessions = useCall<{ sessions: SessionRow[] }>('sessions.list');
  const rows = sessions.data?.sessions ?? [];
  const [sessionId, setSessionId] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [merging, setMerging] = useState(false);
  const [merged, setMerged] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const chosen = sessionId || rows[0]?.id || '';

  const useInChat = async () => {
    await transport.call('finetune.use_in_chat', { task_id: model });
    setNotice(`Chat now answers with ${model}.`);
  };
  const setSessionModel = async () => {
    const updated = await transport.call<any>('sessions.update', {
      session_id: chosen,
      settings: { model }
    });
    setNotice(`“${updated?.title ?? chosen}” now answers with ${model}.`);
  };
  const mergeAndExport = async () => {
    setMerging(true);
    setMerged(null);
    try {
      setMerged(await mergeAdapter(transport, model));
    } finally {
      setMerging(false);
    }
  };

  return (
    <div className="sage-arena-ship" data-model={model}>
      <div className="sage-row">
        <ActionButton label="Use in chat" onError={setError} action={useInChat} />
        <label className="sage-field">
          <span>Chat session</span>
          <select
            className="sage-input"
            aria-label="Chat session"
            value={chosen}
            disabled={!rows.length}
            onChange={e => setSessionId(e.target.value)}
          >
            {rows.length ? null : <option value="">no chat sessions yet</option>}
            {rows.map(s => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
        <ActionButton
          label="Set as this session's model"
          disabled={!chosen}
          onError={setError}
          action={setSessionModel}
        />
        <ActionButton
          label="Merge & export"
          title="Fold the adapter into its base weights: a standalone model folder any engine can serve"
          disabled={merging}
          onError={setError}
          action={mergeAndExport}
        />
      </div>
      {merging ? (
        <div className="sage-muted sage-busy" role="status">
          Merging the adapter into its base model… this takes a while on a CPU.
        </div>
      ) : null}
      {merged ? (
        <div className="sage-arena-merged" data-path={merged}>
          Merged model folder: <code>{merged}</code>
        </div>
      ) : null}
      {notice ? <span className="sage-muted sage-arena-notice">{notice}</span> : null}
      <ErrorBox error={error ?? sessions.error} />
    </div>
  );
}
