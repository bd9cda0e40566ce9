/**
 * What the flow canvas draws: a node (title, typed handles per port, live run state, issues, a pin when its output
 * is pinned) and the operator palette (grouped, searchable; click to add, or drag onto the canvas).
 */
import { Handle, Node, NodeProps, Position } from '@xyflow/react';
import React, { useMemo, useState } from 'react';

import { Schema } from '../transport/types';
import { isPinned } from './flowDebug';
import { FlowNode, NodeRunState, OPERATOR_MIME, Operator } from './flowModel';

type Issue = Schema<'Issue'>;

export type StudioNodeData = {
  node: FlowNode;
  op?: Operator;
  run?: NodeRunState;
  issues?: Issue[];
};

const preview = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text && text.length > 140 ? `${text.slice(0, 140)}…` : text;
};

function StudioNode({ data, selected }: NodeProps<Node<StudioNodeData>>) {
  const { node, op, run, issues } = data;
  const inputs = op?.inputs ?? [];
  const outputs = op?.outputs ?? [];
  const rows = Math.max(inputs.length, outputs.length, 1);
  const status = run?.status ?? 'idle';
  return (
    <div
      className={`sage-node sage-node-${status} ${issues?.length ? 'sage-node-invalid' : ''} ${selected ? 'sage-node-selected' : ''}`}
      data-node-id={node.id}
      data-status={status}
      style={{ minHeight: 34 + rows * 18 }}
    >
      <div className="sage-node-head">
        <span className="sage-node-title">
          {String(node.data?.label ?? op?.label ?? node.type)}
        </span>
        {isPinned(node) ? (
          <span
            className="sage-node-pin"
            title="Pinned output: runs use it instead of running this node"
          >
            pinned
          </span>
        ) : null}
        <span className={`sage-node-badge sage-badge-${status}`}>
          {status === 'idle' ? '' : status}
        </span>
      </div>
      <div className="sage-node-type">{op ? node.type : `${node.type} (unknown operator)`}</div>
      {inputs.map((p, i) => (
        <Handle
          key={`in-${p.name}`}
          id={p.name}
          type="target"
          position={Position.Left}
          style={{ top: 40 + i * 18 }}
          title={`${p.label ?? p.name}: ${p.type ?? 'any'}`}
          className={`sage-handle sage-type-${p.type ?? 'any'}`}
        />
      ))}
      {outputs.map((p, i) => (
        <Handle
          key={`out-${p.name}`}
          id={p.name}
          type="source"
          position={Position.Right}
          style={{ top: 40 + i * 18 }}
          title={`${p.label ?? p.name}: ${p.type ?? 'any'}`}
          className={`sage-handle sage-type-${p.type ?? 'any'}`}
        />
      ))}
      <div className="sage-node-ports">
        <div>
          {inputs.map(p => (
            <div key={p.name}>{p.label ?? p.name}</div>
          ))}
        </div>
        <div className="sage-right">
          {outputs.map(p => (
            <div key={p.name}>{p.label ?? p.name}</div>
          ))}
        </div>
      </div>
      {run?.tokens ? <div className="sage-node-tokens">{preview(run.tokens)}</div> : null}
      {run?.output !== undefined && !run?.tokens ? (
        <div className="sage-node-output">{preview(run.output)}</div>
      ) : null}
      {run?.error ? (
        <div className="sage-node-error" title={run.error}>
          {run.error}
        </div>
      ) : null}
      {issues?.map((is, i) => (
        <div key={i} className="sage-node-issue" title={is.message}>
          {is.message}
        </div>
      ))}
    </div>
  );
}

export const NODE_TYPES = { studio: StudioNode };

export function Palette({ ops, onAdd }: { ops: Operator[]; onAdd: (op: Operator) => void }) {
  const [q, setQ] = useState('');
  const groups = useMemo(() => {
    const out: Record<string, Operator[]> = {};
    const needle = q.toLowerCase();
    for (const op of ops) {
      const hay =
        `${op.label ?? ''} ${op.type} ${op.description ?? ''} ${op.category ?? ''}`.toLowerCase();
      if (!needle || hay.includes(needle)) {
        (out[op.category ?? 'other'] ??= []).push(op);
      }
    }
    return out;
  }, [ops, q]);
  return (
    <div className="sage-palette">
      <input
        className="sage-input"
        placeholder="Search operators"
        value={q}
        onChange={e => setQ(e.target.value)}
      />
      {Object.entries(groups).map(([cat, list]) => (
        <div key={cat} className="sage-palette-group">
          <div className="sage-palette-cat">{cat}</div>
          {list.map(op => (
            <button
              key={op.type}
              className="sage-palette-item"
              data-operator={op.type}
              title={`${op.description ?? ''}\nClick to add, or drag onto the canvas.`.trim()}
              draggable
              onDragStart={e => {
                e.dataTransfer.setData(OPERATOR_MIME, op.type);
                e.dataTransfer.setData('text/plain', op.type);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={() => onAdd(op)}
            >
              {op.label ?? op.type}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
