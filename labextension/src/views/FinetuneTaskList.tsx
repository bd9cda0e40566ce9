/** The fine-tune task table: rows from the shared push-fed `TaskTableStore` (finetuneTasks.ts); a click selects. */
import React from 'react';

import { Bar, fmtDuration, fmtNum } from './common';
import { TERMINAL, TaskRow } from './finetuneTasks';

export function TaskTable({
  rows,
  live,
  loaded,
  selected,
  onSelect
}: {
  rows: TaskRow[];
  live: boolean;
  loaded: boolean;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  return (
    <table className="sage-table sage-task-table" data-live={live ? 'true' : 'false'}>
      <thead>
        <tr>
          <th>task</th>
          <th>status</th>
          <th>progress</th>
          <th>epoch</th>
          <th>loss</th>
          <th>ETA</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={6} className="sage-muted">
              {loaded ? 'No fine-tune tasks yet.' : 'Loading…'}
            </td>
          </tr>
        ) : null}
        {rows.map(r => (
          <tr
            key={r.id}
            data-task-id={r.id}
            data-status={r.status}
            className={r.id === selected ? 'sage-selected' : ''}
            onClick={() => onSelect(r.id)}
          >
            <td>{r.name}</td>
            <td className={`sage-status sage-status-${r.status}`}>{r.status}</td>
            <td>
              <Bar fraction={r.progress ?? 0} />
            </td>
            <td>{fmtNum(r.epoch, 2)}</td>
            <td>
              {fmtNum(r.loss)}
              {r.eval_loss !== null && r.eval_loss !== undefined
                ? ` / eval ${fmtNum(r.eval_loss)}`
                : ''}
            </td>
            <td>{TERMINAL.has(r.status) ? '' : fmtDuration(r.eta_s)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
