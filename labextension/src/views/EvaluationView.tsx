/**
 * A fine-tune task's evaluation (issue #20, step 3): base model vs adapter on the task's held-out split — eval
 * loss, perplexity, exact match, ROUGE-L — and a sample table of prompts with both answers; *Evaluate* starts
 * `improve.evaluate` (a detached process) and its state is polled while it runs (the task's own event stream
 * has ended by then: the task is completed); *Cancel* stops it between batches. The compare section overlays other tasks (EvaluationCompare).
 */
import React, { useCallback, useEffect, useState } from 'react';

import { Result, Schema } from '../transport/types';
import { ActionButton, Bar, ErrorBox, fmtNum, useSlowPoll, useTransport } from './common';
import { useDialogs } from './dialogs';
import { EvaluationCompare } from './EvaluationCompare';

type Evaluation = Result<'improve.evaluation'>;
type EvalState = Result<'improve.evaluation_state'>;
type Scores = Schema<'ModelScores'>;

const PHASES: Record<string, string> = {
  loading: 'loading the model',
  loss: 'scoring the held-out answers',
  generate: 'generating answers'
};

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`;

/** The metric rows: label, how to show a value, and whether lower is better (for the Δ column's sign). */
const METRICS: { key: keyof Scores; label: string; show: (v: number | null) => string }[] = [
  { key: 'eval_loss', label: 'eval loss', show: v => fmtNum(v, 4) },
  { key: 'perplexity', label: 'perplexity', show: v => fmtNum(v, 2) },
  { key: 'exact_match', label: 'exact match', show: pct },
  { key: 'rouge_l', label: 'ROUGE-L F', show: pct }
];

export function MetricsTable({ result }: { result: Evaluation }) {
  return (
    <table className="sage-table sage-eval-metrics">
      <thead>
        <tr>
          <th>metric</th>
          <th>base</th>
          <th>adapter</th>
        </tr>
      </thead>
      <tbody>
        {METRICS.map(m => (
          <tr key={m.key} data-metric={m.key}>
            <td>{m.label}</td>
            <td className="sage-eval-base">{m.show(result.base[m.key])}</td>
            <td className="sage-eval-adapter">{m.show(result.adapter[m.key])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SampleTable({ samples }: { samples: Evaluation['samples'] }) {
  return (
    <div className="sage-step-table-box">
      <table className="sage-table sage-eval-samples">
        <thead>
          <tr>
            <th>prompt</th>
            <th>reference</th>
            <th>base answer</th>
            <th>adapter answer</th>
            <th>ROUGE-L base / adapter</th>
          </tr>
        </thead>
        <tbody>
          {samples.map((s, i) => (
            <tr key={i} data-row={i}>
              <td>{s.prompt}</td>
              <td>{s.reference}</td>
              <td data-exact={s.base_exact_match ? 'yes' : 'no'}>{s.base_answer}</td>
              <td data-exact={s.adapter_exact_match ? 'yes' : 'no'}>{s.adapter_answer}</td>
              <td>
                {pct(s.base_rouge_l)} / {pct(s.adapter_rouge_l)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function EvaluationView({
  taskId,
  compareWith = [],
  pollMs = 1000
}: {
  taskId: string;
  /** Tasks preselected in the compare section. */
  compareWith?: string[];
  pollMs?: number;
}) {
  const transport = useTransport();
  const dialogs = useDialogs();
  const [state, setState] = useState<EvalState | null>(null);
  const [result, setResult] = useState<Evaluation | null>(null);
  const [error, setError] = useState<unknown>(null);

  const refresh = useCallback(async () => {
    try {
      const st = await transport.call<EvalState>('improve.evaluation_state', { task_id: taskId });
      setState(st);
      if (st.state !== 'running') {
        // a stored result stays valid after a failed or cancelled re-run
        setResult(
          await transport
            .call<Evaluation>('improve.evaluation', { task_id: taskId })
            .catch(() => null)
        );
      }
    } catch (err) {
      setError(err);
    }
  }, [transport, taskId]);

  useEffect(() => {
    setState(null);
    setResult(null);
    void refresh();
  }, [refresh]);
  const running = state?.state === 'running';
  useSlowPoll(() => void refresh(), pollMs, running);

  const evaluate = async () => {
    if (
      result &&
      !(await dialogs.confirm(
        'Evaluate again?',
        'The stored evaluation of this task is replaced when the new one completes.'
      ))
    ) {
      return;
    }
    setState(await transport.call<EvalState>('improve.evaluate', { task_id: taskId }));
  };

  const progress = running && state?.total ? (state.done ?? 0) / state.total : 0;
  return (
    <div className="sage-evaluation" data-task-id={taskId} data-state={state?.state ?? 'loading'}>
      <div className="sage-toolbar">
        <b className="sage-grow">Evaluation: base vs adapter</b>
        <ActionButton
          label={running ? 'Evaluating…' : result ? 'Evaluate again' : 'Evaluate'}
          className="sage-button sage-primary"
          disabled={running || !state}
          action={evaluate}
          onError={setError}
        />
        {running ? (
          <ActionButton
            label="Cancel"
            className="sage-button sage-danger"
            action={async () =>
              setState(
                await transport.call<EvalState>('improve.cancel_evaluation', { task_id: taskId })
              )
            }
            onError={setError}
          />
        ) : null}
      </div>
      <ErrorBox error={error} />
      {running ? (
        <div role="status" className="sage-eval-progress">
          <Bar
            fraction={progress}
            label={`${PHASES[state?.phase ?? ''] ?? 'starting'} ${state?.total ? `${state.done ?? 0}/${state.total}` : ''}`}
          />
        </div>
      ) : null}
      {state?.state === 'failed' || state?.state === 'cancelled' ? (
        <div className="sage-error" role="alert">
          Evaluation {state.state}: {state.error ?? 'no reason given'}
        </div>
      ) : null}
      {!result && state && !running ? (
        <div className="sage-muted sage-eval-none">
          Not evaluated yet: <i>Evaluate</i> scores the base model and the adapter on the task’s
          held-out rows.
        </div>
      ) : null}
      {result ? (
        <>
          <MetricsTable result={result} />
          <div className="sage-muted sage-eval-split">
            {result.split.note} · {result.split.rows} rows ·{' '}
            {fmtNum(result.throughput.examples_per_s, 2)} examples/s
          </div>
          <SampleTable samples={result.samples} />
        </>
      ) : null}
      <EvaluationCompare taskId={taskId} initial={compareWith} />
    </div>
  );
}
