/**
 * The dataset builder's result parts: the preview (counts, then the first rows as the model's chat template
 * renders them, with their token counts) and the table of built versions (`improve.datasets`) with the chats
 * they came from.
 */
import React from 'react';

import { Result } from '../transport/types';
import { fmtTime } from './common';
import {
  Build,
  buildLabel,
  countsText,
  emptyText,
  plural,
  Preview,
  splitCounts
} from './datasetBuilderModel';

export type SessionTitles = Map<string, string>;

/** "chat a, chat b and 3 more" */
export function sourcesText(ids: string[], titles: SessionTitles, shown = 3): string {
  if (!ids.length) {
    return 'no chat (arena picks)';
  }
  const names = ids.slice(0, shown).map(id => titles.get(id) || id);
  const more = ids.length - names.length;
  return names.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

export function PreviewResult({
  preview,
  evalRatio,
  titles,
  stale
}: {
  preview: Preview;
  evalRatio: number;
  titles: SessionTitles;
  stale: boolean;
}) {
  const empty = emptyText(preview);
  if (empty) {
    return (
      <div className="sage-builder-empty" role="status" data-rows={0}>
        {empty}
      </div>
    );
  }
  const split = splitCounts(preview.selected, evalRatio);
  const skipped = Object.entries(preview.skipped ?? {})
    .map(([reason, n]) => `${n} skipped: ${reason}`)
    .join('; ');
  return (
    <div className="sage-builder-preview" data-rows={preview.selected}>
      <div className="sage-builder-counts" role="status">
        {preview.selected} rows from {sourcesText(preview.sessions, titles)}
        {preview.duplicates ? ` (${plural(preview.duplicates, 'duplicate')} dropped)` : ''} →{' '}
        {split.train} train, {split.eval} eval; {preview.total_tokens} tokens in all, longest row{' '}
        {preview.max_tokens} tokens
        {skipped ? `. ${skipped}` : ''}
        {stale ? (
          <span className="sage-muted"> — the filters changed since: preview again</span>
        ) : null}
      </div>
      <table className="sage-table sage-builder-rows">
        <thead>
          <tr>
            <th>#</th>
            <th>chat</th>
            <th>from</th>
            <th>tokens</th>
            <th>as the model sees it</th>
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((r, i) => (
            <tr key={`${r.rated_id}-${i}`} data-tokens={r.tokens}>
              <td>{i + 1}</td>
              <td>{titles.get(r.session_id) || r.session_id}</td>
              <td>
                {r.kind === 'corrected'
                  ? 'corrected'
                  : r.kind === 'up'
                    ? 'rated good'
                    : 'rated bad + ideal'}
                {r.model ? <div className="sage-muted">{r.model}</div> : null}
              </td>
              <td className="sage-builder-tokens">{r.tokens}</td>
              <td>
                <pre className="sage-preview">{r.rendered}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {preview.rows.length < preview.selected ? (
        <div className="sage-muted">
          the first {preview.rows.length} of {preview.selected} rows
        </div>
      ) : null}
    </div>
  );
}

export function BuildList({
  builds,
  titles,
  onFinetune
}: {
  builds: Result<'improve.datasets'>['builds'];
  titles: SessionTitles;
  onFinetune: (b: Build) => void;
}) {
  if (!builds.length) {
    return <div className="sage-muted">No datasets built from chats yet.</div>;
  }
  return (
    <table className="sage-table sage-builder-builds">
      <thead>
        <tr>
          <th>dataset</th>
          <th>kind</th>
          <th>size</th>
          <th>from chats</th>
          <th>built</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {builds.map(b => (
          <tr key={b.id} data-build-id={b.id} data-dataset-id={b.dataset_id ?? ''}>
            <td>{buildLabel(b)}</td>
            <td>{b.kind === 'sft' ? 'fine-tune rows' : 'preference pairs'}</td>
            <td>{countsText(b)}</td>
            <td title={b.sessions.map(id => titles.get(id) || id).join('\n')}>
              {sourcesText(b.sessions, titles)}
            </td>
            <td>{fmtTime(b.created_at)}</td>
            <td>
              {!b.available ? (
                <span className="sage-muted">deleted</span>
              ) : b.kind === 'sft' ? (
                <button className="sage-link" onClick={() => onFinetune(b)}>
                  Fine-tune on it
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
