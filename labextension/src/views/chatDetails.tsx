/** An answer's details line: intent, source, model, tokens, TTFT, decode speed, token budget, recalled memories. */
import React, { useState } from 'react';

import { TurnCanvas } from './chatTurnCanvas';
import { fmtNum } from './common';

export function Details({ meta }: { meta: Record<string, any> }) {
  const hits: any[] = meta.memory_hits ?? [];
  const sources: any[] = meta.sources ?? meta.documents ?? [];
  const latency = meta.latency ?? {};
  const ttftMs =
    meta.ttft_ms ??
    (latency.ttft_s !== undefined && latency.ttft_s !== null ? latency.ttft_s * 1000 : null);
  const tokens = meta.tokens ?? meta.completion_tokens;
  // The decode rate is measured by the core (first to last token); the wait for the first token is TTFT.
  const tokS = meta.tok_s ?? null;
  const budget = meta.token_budget ?? {};
  return (
    <div className="sage-details">
      <span>intent: {meta.intent ?? '–'}</span>
      <span>source: {meta.source ?? '–'}</span>
      <span>model: {meta.model ?? '–'}</span>
      <span>memory: {meta.memory_backend ?? '–'}</span>
      <span>tokens: {fmtNum(tokens)}</span>
      <span>TTFT: {fmtNum(ttftMs, 0)} ms</span>
      <span title="Tokens per second while the answer streamed (after the first token)">
        tok/s: {fmtNum(tokS, 1)}
      </span>
      {meta.continued ? <span>continued: {meta.continued}×</span> : null}
      {latency.total_s !== undefined ? <span>total: {fmtNum(latency.total_s, 2)} s</span> : null}
      {Object.keys(budget).length ? <BudgetSplit budget={budget} /> : null}
      {hits.length ? (
        <div className="sage-hits">
          memory hits:
          {hits.map((h, i) => (
            <div key={i} className="sage-hit">
              <b>{fmtNum(h.score, 2)}</b> {String(h.text ?? h.content ?? '').slice(0, 160)}
            </div>
          ))}
        </div>
      ) : null}
      {sources.length ? (
        <div className="sage-hits">
          sources:
          {sources.map((s, i) => (
            <div key={i} className="sage-hit">
              {String(s.title ?? s.source ?? s.id ?? s.text ?? '').slice(0, 120)}
            </div>
          ))}
        </div>
      ) : null}
      {meta.run_id ? <OpenTurn runId={String(meta.run_id)} /> : null}
    </div>
  );
}

/** *Open on canvas*: the turn's recorded run of the chat flow, each step with its inputs and outputs. */
function OpenTurn({ runId }: { runId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="sage-open-turn">
      <button className="sage-link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Close the canvas' : 'Open this turn on the canvas'}
      </button>
      {open ? <TurnCanvas runId={runId} /> : null}
    </div>
  );
}

/** The parts of the prompt the turn sent, in tokens, and the answer's room; what the budget trimmed, if anything. */
const PARTS = ['system', 'history', 'memory', 'rag', 'context', 'user'];

export function BudgetSplit({ budget }: { budget: Record<string, any> }) {
  const split = (b: Record<string, any>) =>
    PARTS.filter(k => b[k]).map(k => `${k === 'rag' ? 'RAG' : k} ${fmtNum(b[k], 0)}`);
  const trimmed: Record<string, string[]> = budget.trimmed ?? {};
  const unit = budget.estimated ? 'tokens (estimated)' : 'tokens';
  return (
    <span className="sage-budget" data-trimmed={Object.keys(trimmed).length ? 'true' : 'false'}>
      prompt: {split(budget).join(' · ')} · answer room {fmtNum(budget.max_tokens, 0)} {unit}
      {budget.context_length ? ` of ${fmtNum(budget.context_length, 0)}` : ''}
      {Object.keys(trimmed).length ? (
        <span className="sage-budget-trimmed" title={Object.values(trimmed).flat().join('\n')}>
          {' '}
          — trimmed to fit:{' '}
          {Object.entries(trimmed)
            .map(([k, items]) => `${items.length} ${k === 'rag' ? 'RAG passage(s)' : k}`)
            .join(', ')}{' '}
          (before: {split(budget.before ?? {}).join(' · ')})
        </span>
      ) : null}
    </span>
  );
}
