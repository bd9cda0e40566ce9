/**
 * Compare mode of the evaluation view: pick other fine-tune tasks, then `improve.compare` lays their metrics side
 * by side (base → adapter) and overlays their training loss curves.
 */
import React, { useState } from 'react';

import { Result } from '../transport/types';
import { ActionButton, ErrorBox, fmtNum, useCall, useTransport } from './common';
import { LossOverlay } from './LossCurve';

type Comparison = Result<'improve.compare'>;
type Tasks = Result<'finetune.tasks'>;

const pct = (v: unknown) =>
  v === null || v === undefined ? '–' : `${(Number(v) * 100).toFixed(1)}%`;

/** "base → adapter" of one metric of a compared task's evaluation. */
function pair(evaluation: Record<string, any> | null, key: string, show: (v: unknown) => string) {
  if (!evaluation) {
    return 'not evaluated';
  }
  return `${show(evaluation.base?.[key])} → ${show(evaluation.adapter?.[key])}`;
}

export function EvaluationCompare({
  taskId,
  initial = []
}: {
  taskId: string;
  initial?: string[];
}) {
  const transport = useTransport();
  const tasks = useCall<Tasks>('finetune.tasks');
  const [picked, setPicked] = useState<string[]>(initial.filter(id => id !== taskId));
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [error, setError] = useState<unknown>(null);
  const others = (tasks.data?.tasks ?? []).filter(t => t.id !== taskId && t.status === 'completed');

  const compare = async () => {
    const ids = [taskId, ...picked].join(',');
    setComparison(await transport.call<Comparison>('improve.compare', { task_ids: ids }));
  };
  const toggle = (id: string, on: boolean) =>
    setPicked(p => (on ? [...p.filter(x => x !== id), id] : p.filter(x => x !== id)));

  return (
    <details className="sage-eval-compare" open={initial.length > 0}>
      <summary>Compare with other tasks</summary>
      {others.length ? (
        <ul className="sage-eval-pick">
          {others.map(t => (
            <li key={t.id}>
              <label className="sage-check">
                <input
                  type="checkbox"
                  data-task-id={t.id}
                  checked={picked.includes(t.id)}
                  onChange={e => toggle(t.id, e.currentTarget.checked)}
                />
                {t.name ?? t.id}
              </label>
            </li>
          ))}
        </ul>
      ) : (
        <div className="sage-muted">No other completed task to compare with.</div>
      )}
      <ActionButton label="Compare" disabled={!picked.length} action={compare} onError={setError} />
      <ErrorBox error={error ?? tasks.error} />
      {comparison ? (
        <>
          <table className="sage-table sage-eval-comparison">
            <thead>
              <tr>
                <th>task</th>
                <th>eval loss (base → adapter)</th>
                <th>perplexity</th>
                <th>exact match</th>
                <th>ROUGE-L F</th>
              </tr>
            </thead>
            <tbody>
              {comparison.tasks.map(t => (
                <tr key={t.task_id} data-task-id={t.task_id}>
                  <td>{t.name ?? t.task_id}</td>
                  <td>{pair(t.evaluation, 'eval_loss', v => fmtNum(v, 4))}</td>
                  <td>{pair(t.evaluation, 'perplexity', v => fmtNum(v, 2))}</td>
                  <td>{pair(t.evaluation, 'exact_match', pct)}</td>
                  <td>{pair(t.evaluation, 'rouge_l', pct)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <LossOverlay
            series={comparison.tasks.map(t => ({
              label: t.name ?? t.task_id,
              points: t.history.map(h => ({ step: h.step, loss: h.loss }))
            }))}
          />
        </>
      ) : null}
    </details>
  );
}
