/**
 * Debugging a flow like a notebook, for the selected node: *Run to here*, *Re-run this node* on the upstream
 * outputs of the last run, *Pin* its last output (the node then emits it instead of running), what it received and
 * emitted in the last run (`flow.node_io`, replayed from the run's events), and — in a notebook widget — its output
 * into a kernel variable.
 */
import React, { useEffect, useState } from 'react';

import { ActionButton, ErrorBox, useTransport } from './common';
import { FlowNode } from './flowModel';
import { RunOutputs } from './flowOutput';

export type DebugRun = { until?: string; rerun?: string; from_run?: string };

type NodeIO = {
  node_id: string;
  ran: boolean;
  inputs: Record<string, unknown[]>;
  outputs: Record<string, unknown[]>;
  truncated: boolean;
};

export function isPinned(node: FlowNode): boolean {
  return !!(node.data as Record<string, unknown> | undefined)?.pinned;
}

/** The node with `pinned` set to `outputs` (or removed with null). */
export function withPin(node: FlowNode, outputs: Record<string, unknown[]> | null): FlowNode {
  const data: Record<string, unknown> = { ...(node.data ?? {}) };
  if (outputs) {
    data.pinned = outputs;
  } else {
    delete data.pinned;
  }
  return { ...node, data } as FlowNode;
}

export function NodeDebug({
  node,
  lastRunId,
  running,
  onRun,
  onChange,
  actions = true
}: {
  /** Run to here / re-run / pin (off where the flow is only looked at, e.g. a chat turn's run). */
  actions?: boolean;
  node: FlowNode;
  lastRunId?: string;
  running: boolean;
  onRun: (debug: DebugRun) => void;
  onChange: (node: FlowNode) => void;
}) {
  const transport = useTransport();
  const [io, setIo] = useState<NodeIO | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [variable, setVariable] = useState('');

  useEffect(() => {
    setIo(null);
    setMissing(null);
    if (!lastRunId || running) {
      return;
    }
    transport
      .call<NodeIO>('flow.node_io', { run_id: lastRunId, node_id: node.id })
      .then(setIo)
      .catch(err => setMissing(String((err as Error)?.message ?? err)));
  }, [lastRunId, node.id, running]);

  const pinned = isPinned(node);
  return (
    <div className="sage-node-debug" data-node-debug={node.id}>
      {actions ? (
        <div className="sage-row">
          <button
            className="sage-button"
            disabled={running}
            title="Run only this node and the nodes it needs"
            onClick={() => onRun({ until: node.id })}
          >
            Run to here
          </button>
          <button
            className="sage-button"
            disabled={running || !io?.ran}
            title="Run this node again on what its upstream nodes emitted in the last run (they do not run)"
            onClick={() => onRun({ rerun: node.id, from_run: lastRunId })}
          >
            Re-run this node
          </button>
          {pinned ? (
            <button className="sage-button sage-on" onClick={() => onChange(withPin(node, null))}>
              Unpin output
            </button>
          ) : (
            <button
              className="sage-button"
              disabled={!io?.ran}
              title="Runs use this output instead of running the node (and what only feeds it)"
              onClick={() => io && onChange(withPin(node, io.outputs))}
            >
              Pin output
            </button>
          )}
        </div>
      ) : null}
      {pinned ? <div className="sage-muted">Pinned: runs use the saved output.</div> : null}
      {io ? (
        <div className="sage-node-io">
          <div className="sage-run-output-name">Received (last run)</div>
          <RunOutputs outputs={io.inputs} />
          <div className="sage-run-output-name">Emitted (last run)</div>
          <RunOutputs outputs={io.outputs} />
          {io.truncated ? (
            <div className="sage-muted">Only the first messages were kept.</div>
          ) : null}
          {transport.kind === 'widget' && io.ran ? (
            <div className="sage-row">
              <input
                className="sage-input"
                aria-label="Variable name"
                placeholder="variable name"
                value={variable}
                onChange={e => setVariable(e.target.value)}
              />
              <ActionButton
                label="Send to kernel"
                onError={setError}
                action={async () => {
                  await transport.call('flow.to_variable', {
                    run_id: lastRunId,
                    node_id: node.id,
                    name: variable
                  });
                }}
              />
            </div>
          ) : null}
        </div>
      ) : lastRunId && missing ? (
        <div className="sage-muted">Not in the last run: {missing}</div>
      ) : null}
      <ErrorBox error={error} />
    </div>
  );
}
