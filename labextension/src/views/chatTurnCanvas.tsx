/**
 * A chat turn opened on the canvas: the turn was recorded as a run of the chat flow (chat/service.py), so the flow
 * shows with each step done, the answer's outputs, and — selecting a node — what it received and emitted (the
 * intent, memory hits, documents, the final prompt).
 */
import React from 'react';

import { ErrorBox, useCall } from './common';
import { FlowDoc } from './flowModel';
import { FlowView } from './FlowView';

export function TurnCanvas({ runId }: { runId: string }) {
  const run = useCall<any>('flow.run_get', { run_id: runId }, runId);
  if (run.error) {
    return <ErrorBox error={run.error} />;
  }
  if (!run.data) {
    return <div className="sage-muted">Loading the turn's run…</div>;
  }
  return (
    <div className="sage-turn-canvas" data-run-id={runId}>
      <FlowView
        flow={run.data.flow as FlowDoc}
        onChange={() => undefined}
        replayRunId={runId}
        viewOnly
      />
    </div>
  );
}
