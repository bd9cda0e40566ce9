/**
 * Knowledge: the user's documents the chat's KnowledgeRAG step searches (list, upload with a file picker,
 * delete). Uploads are read as UTF-8 text here and sent as `{name, text}` so both transports carry them.
 */
import React, { useRef, useState } from 'react';

import { ErrorBox, fmtNum, useCall, useTransport } from './common';
import { useDialogs } from './dialogs';

export interface KnowledgeDoc {
  name: string;
  size: number;
  modified?: string | number;
  chunks?: number;
}

export const KNOWLEDGE_SUFFIXES = ['.md', '.txt', '.rst'];

const fmtSize = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1048576
      ? `${fmtNum(bytes / 1024, 1)} KiB`
      : `${fmtNum(bytes / 1048576, 1)} MiB`;

/** A file's text, refusing what is not UTF-8 (the server refuses it too; this says so before uploading). */
export async function readUtf8(file: Blob & { name?: string }): Promise<string> {
  const bytes = await file.arrayBuffer();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${file.name ?? 'the file'} is not UTF-8 text: save it as UTF-8 and try again`);
  }
}

export function KnowledgePanel() {
  const transport = useTransport();
  const docs = useCall<{ documents: KnowledgeDoc[] }>('knowledge.list');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const dialogs = useDialogs();

  const upload = async (files: FileList | null) => {
    setError(null);
    setBusy(true);
    try {
      for (const file of Array.from(files ?? [])) {
        await transport.call('knowledge.add', { name: file.name, text: await readUtf8(file) });
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      if (input.current) {
        input.current.value = ''; // picking the same file again uploads it again
      }
      await docs.reload();
    }
  };
  const remove = async (name: string) => {
    const ok = await dialogs.confirm(
      'Remove document',
      `Remove "${name}" from the chat's knowledge?`,
      {
        accept: 'Remove',
        danger: true
      }
    );
    if (!ok) {
      return;
    }
    try {
      await transport.call('knowledge.delete', { name });
      setError(null);
    } catch (err) {
      setError(err);
    }
    await docs.reload();
  };

  const list = docs.data?.documents ?? [];
  return (
    <div className="sage-knowledge" aria-label="Knowledge documents">
      <div className="sage-row">
        <span className="sage-muted sage-grow">
          Documents the chat searches when a question needs them ({KNOWLEDGE_SUFFIXES.join(', ')}).
        </span>
        <input
          ref={input}
          type="file"
          multiple
          accept={KNOWLEDGE_SUFFIXES.join(',')}
          aria-label="Upload knowledge documents"
          style={{ display: 'none' }}
          onChange={e => void upload(e.target.files)}
        />
        <button
          className="sage-button sage-primary"
          disabled={busy}
          onClick={() => input.current?.click()}
        >
          {busy ? 'Uploading…' : 'Upload…'}
        </button>
      </div>
      <ErrorBox error={error} />
      <ErrorBox error={docs.error} onRetry={() => void docs.reload()} />
      {list.length === 0 && !docs.loading && !docs.error ? (
        <div className="sage-empty">No documents yet.</div>
      ) : null}
      <ul className="sage-list">
        {list.map(d => (
          <li key={d.name} className="sage-list-item" data-doc={d.name}>
            <span className="sage-list-main" title={d.modified ? String(d.modified) : undefined}>
              <span className="sage-list-title">{d.name}</span>
              <span className="sage-muted">
                {fmtSize(d.size)}
                {d.chunks !== undefined ? ` · ${d.chunks} chunks` : ''}
              </span>
            </span>
            <span className="sage-list-actions">
              <button
                className="sage-icon"
                title={`Delete ${d.name}`}
                aria-label={`Delete ${d.name}`}
                onClick={() => void remove(d.name)}
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
