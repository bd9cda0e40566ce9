/**
 * A run's outputs as people read them: text for strings, a table for a list of records (e.g. retrieved
 * documents), pretty JSON for anything else. A run's `outputs` map each output name to its values.
 */
import React from 'react';

export type OutputView =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'table'; columns: string[]; rows: string[][] }
  | { kind: 'fields'; rows: [string, string][] }
  | { kind: 'json'; text: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

const cell = (v: unknown, limit = 300): string => {
  const text = typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
};

const WIDE_RECORD = 6;

/** How one output value is shown. A one-element list is its element (a record stays a one-row table). */
export function outputView(value: unknown): OutputView {
  if (Array.isArray(value) && value.length === 1 && !isRecord(value[0])) {
    return outputView(value[0]);
  }
  if (value === undefined || value === null || (Array.isArray(value) && !value.length)) {
    return { kind: 'empty' };
  }
  if (typeof value === 'string') {
    return { kind: 'text', text: value };
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return { kind: 'text', text: String(value) };
  }
  if (Array.isArray(value) && value.every(v => typeof v === 'string')) {
    return { kind: 'text', text: value.join('\n\n') };
  }
  // One wide record (a chat turn: 20+ fields) reads as field / value rows, not as a one-row table.
  const one = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (isRecord(one) && Object.keys(one).length > WIDE_RECORD) {
    return { kind: 'fields', rows: Object.entries(one).map(([k, v]) => [k, cell(v, 600)]) };
  }
  if (Array.isArray(value) && value.every(isRecord)) {
    const columns: string[] = [];
    for (const row of value) {
      for (const k of Object.keys(row)) {
        if (!columns.includes(k)) {
          columns.push(k);
        }
      }
    }
    return { kind: 'table', columns, rows: value.map(r => columns.map(c => cell(r[c]))) };
  }
  return { kind: 'json', text: JSON.stringify(value, null, 2) };
}

function OutputValue({ value }: { value: unknown }) {
  const view = outputView(value);
  switch (view.kind) {
    case 'empty':
      return <div className="sage-muted">(no value)</div>;
    case 'text':
      return <div className="sage-output-text">{view.text}</div>;
    case 'table':
      return (
        <table className="sage-output-table">
          <thead>
            <tr>
              {view.columns.map(c => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {view.rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (
                  <td key={j}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'fields':
      return (
        <table className="sage-output-table sage-output-fields">
          <tbody>
            {view.rows.map(([k, v]) => (
              <tr key={k}>
                <th>{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    default:
      return <pre className="sage-output-json">{view.text}</pre>;
  }
}

/** Every output of a run, under its name. */
export function RunOutputs({ outputs }: { outputs: unknown }) {
  if (!isRecord(outputs)) {
    return outputs === undefined || outputs === null ? null : <OutputValue value={outputs} />;
  }
  const entries = Object.entries(outputs);
  if (!entries.length) {
    return <div className="sage-run-outputs sage-muted">The run produced no output.</div>;
  }
  return (
    <div className="sage-run-outputs">
      {entries.map(([name, value]) => (
        <div key={name} className="sage-run-output" data-output={name}>
          <div className="sage-run-output-name">{name}</div>
          <OutputValue value={value} />
        </div>
      ))}
    </div>
  );
}

/** Validation issues of the flow, each under the node it concerns. */
export function FlowIssues({
  issues
}: {
  issues: { node_id?: string | null; message: string; severity?: string | null }[];
}) {
  if (!issues.length) {
    return null;
  }
  return (
    <div className="sage-issues" role="status">
      {issues.map((is, i) => (
        <div key={i} className={`sage-issue sage-issue-${is.severity ?? 'error'}`}>
          {is.node_id ? <b>{is.node_id}: </b> : null}
          {is.message}
        </div>
      ))}
    </div>
  );
}

/** The last run: its status (a failed run's error) and, once it ended, its outputs. */
export function RunSummary({ info, showOutputs }: { info: any; showOutputs: boolean }) {
  return (
    <div
      className="sage-run-info"
      data-run-status={info.status === 'succeeded' ? 'finished' : info.status}
      data-run-id={info.run_id ?? ''}
    >
      run {info.run_id ? String(info.run_id).slice(0, 8) : ''}: {info.status}
      {info.error ? <span className="sage-node-error"> {String(info.error)}</span> : null}
      {info.outputs && info.status !== 'running' && showOutputs ? (
        <RunOutputs outputs={info.outputs} />
      ) : null}
    </div>
  );
}
