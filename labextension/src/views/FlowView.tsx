/**
 * Flows canvas (@xyflow/react): palette from the operator registry (grouped, searchable), typed handles that
 * refuse wrong connections, a config form per node from its schema, validate with issues on nodes, run with
 * live per-node status/tokens from the event stream, run history, export to Python, templates, undo/redo,
 * and the flow's trust state (flowTrust.tsx: a "Not trusted" badge with a Trust action).
 */
import {
  Background,
  Connection,
  Controls,
  Edge,
  Handle,
  MiniMap,
  Node,
  NodeChange,
  EdgeChange,
  NodeProps,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow
} from '@xyflow/react';
import React, { useEffect, useMemo, useRef, useState } from 'react';

import { Result, Schema, StreamHandle } from '../transport/types';
import { ActionButton, ErrorBox, fmtTime, useCall, useTransport } from './common';
import {
  ExternalRun,
  FlowDoc,
  FlowNode,
  History,
  NodeRunState,
  OPERATOR_MIME,
  Operator,
  Size,
  applyMeasurements,
  applyRunEvent,
  configFields,
  runStatus,
  connectionError,
  mergeExternalRun,
  placeNode
} from './flowModel';
import { FIT_VIEW_OPTIONS, MIN_ZOOM, layoutFlow, legibleViewport, needsLayout } from './flowLayout';
import { RunOutputs } from './flowOutput';
import { TrustBadge, useFlowTrust } from './flowTrust';
import { DebugRun, NodeDebug, isPinned } from './flowDebug';

type Issue = Schema<'Issue'>;

type StudioNodeData = {
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
            📌
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

const NODE_TYPES = { studio: StudioNode };

function Palette({ ops, onAdd }: { ops: Operator[]; onAdd: (op: Operator) => void }) {
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

function ConfigForm({
  node,
  op,
  onChange,
  onDelete,
  children
}: {
  node: FlowNode;
  op?: Operator;
  onChange: (node: FlowNode) => void;
  onDelete: () => void;
  children?: React.ReactNode;
}) {
  const config = node.data?.config ?? {};
  const set = (name: string, value: unknown) =>
    onChange({ ...node, data: { ...node.data, config: { ...config, [name]: value } } });
  return (
    <div className="sage-config">
      <div className="sage-toolbar">
        <b className="sage-grow">{node.id}</b>
        <button className="sage-link" onClick={onDelete}>
          delete node
        </button>
      </div>
      <div className="sage-muted">{op?.description}</div>
      <label className="sage-field">
        label
        <input
          className="sage-input"
          value={String(node.data?.label ?? '')}
          placeholder={op?.label}
          onChange={e =>
            onChange({ ...node, data: { ...node.data, label: e.target.value || undefined } })
          }
        />
      </label>
      {configFields(op).map(f => {
        const value = config[f.name] ?? f.default ?? '';
        const label = `${f.label ?? f.name}${f.required ? ' *' : ''}`;
        let input: React.ReactNode;
        if (f.type === 'boolean') {
          input = (
            <input
              type="checkbox"
              checked={!!config[f.name]}
              onChange={e => set(f.name, e.target.checked)}
            />
          );
        } else if (f.type === 'select' && f.options) {
          input = (
            <select
              className="sage-input"
              value={String(value)}
              onChange={e => set(f.name, e.target.value)}
            >
              {f.options.map(o => (
                <option key={String(o)} value={String(o)}>
                  {String(o)}
                </option>
              ))}
            </select>
          );
        } else if (f.type === 'integer' || f.type === 'number') {
          input = (
            <input
              type="number"
              className="sage-input"
              min={f.min}
              max={f.max}
              step={f.type === 'integer' ? 1 : 'any'}
              value={value === null ? '' : String(value)}
              onChange={e => set(f.name, e.target.value === '' ? null : Number(e.target.value))}
            />
          );
        } else if (f.type === 'text' || f.type === 'code' || f.type === 'json') {
          input = (
            <textarea
              className="sage-input sage-mono"
              rows={f.type === 'text' ? 3 : 5}
              value={typeof value === 'string' ? value : JSON.stringify(value, null, 2)}
              onChange={e => {
                let v: unknown = e.target.value;
                if (f.type === 'json') {
                  try {
                    v = JSON.parse(e.target.value);
                  } catch {
                    /* keep the text until it parses */
                  }
                }
                set(f.name, v);
              }}
            />
          );
        } else {
          input = (
            <input
              className="sage-input"
              type={f.type === 'secret' ? 'password' : 'text'}
              value={String(value)}
              onChange={e => set(f.name, e.target.value)}
            />
          );
        }
        return (
          <label key={f.name} className="sage-field" title={f.description}>
            {label}
            {input}
          </label>
        );
      })}
      {children}
    </div>
  );
}

function inputNames(flow: FlowDoc): string[] {
  const names = flow.nodes
    .filter(n => /input/.test(n.type))
    .map(n => String(n.data?.config?.name ?? (n.type === 'list_input' ? 'items' : 'input')));
  return names.length ? [...new Set(names)] : ['input'];
}

export interface FlowViewProps {
  flow: FlowDoc;
  onChange: (flow: FlowDoc) => void;
  /** Show exported Python (the panel opens it as a file; the widget shows it inline). */
  onExport?: (code: string, flow: FlowDoc) => void;
  /** A run driven from elsewhere (a widget's `canvas.run()` in Python): its node states and outputs. */
  externalRun?: ExternalRun;
}

function FlowCanvas({ flow: external, onChange, onExport, externalRun }: FlowViewProps) {
  const transport = useTransport();
  const {
    screenToFlowPosition,
    flowToScreenPosition,
    getInternalNode,
    getNodes,
    getZoom,
    setCenter,
    setViewport
  } = useReactFlow();
  const canvasRef = useRef<HTMLDivElement>(null);
  // Fit the nodes at a legible zoom (flowLayout.ts) once React Flow has measured them (a few frames at most).
  const fitLegibly = (tries = 30) => {
    const rect = canvasRef.current?.getBoundingClientRect();
    const nodes = getNodes().flatMap(n => getInternalNode(n.id) ?? []);
    if (!rect || !nodes.length) {
      return;
    }
    if (nodes.some(n => !n.measured?.width) && tries > 0) {
      requestAnimationFrame(() => fitLegibly(tries - 1));
      return;
    }
    const boxes = nodes.map(n => {
      const { x, y } = n.internals.positionAbsolute;
      return { x, y, r: x + (n.measured?.width ?? 180), b: y + (n.measured?.height ?? 60) };
    });
    const x = Math.min(...boxes.map(b => b.x));
    const y = Math.min(...boxes.map(b => b.y));
    const bounds = {
      x,
      y,
      width: Math.max(...boxes.map(b => b.r)) - x,
      height: Math.max(...boxes.map(b => b.b)) - y
    };
    void setViewport(legibleViewport(bounds, rect.width, rect.height));
  };
  const opsCall = useCall<{ operators: Operator[] }>('flow.operators');
  const templates = useCall<Result<'flow.templates'>>('flow.templates');
  const [flow, setFlow] = useState<FlowDoc>(external);
  // Fit a loaded flow once; an empty canvas keeps zoom 1 so the first dropped node stays where it fell.
  const [fitOnOpen] = useState(external.nodes.length > 0);
  const lastEmitted = useRef<string>(JSON.stringify(external));
  const history = useRef(new History<FlowDoc>());
  const dragging = useRef(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [runStates, setRunStates] = useState<Record<string, NodeRunState>>({});
  const [sizes, setSizes] = useState<Record<string, Size>>({});
  const [runInfo, setRunInfo] = useState<any>(null);
  const [running, setRunning] = useState<StreamHandle | null>(null);
  const [inputs, setInputs] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [code, setCode] = useState<string | null>(null);
  const [showRuns, setShowRuns] = useState(false);
  const trust = useFlowTrust();
  const runs = useCall<Result<'flow.runs'>>(
    showRuns ? 'flow.runs' : null,
    {},
    String(runInfo?.run_id ?? '')
  );

  const ops = useMemo(() => {
    const map: Record<string, Operator> = {};
    for (const op of opsCall.data?.operators ?? []) {
      map[op.type] = op;
    }
    return map;
  }, [opsCall.data]);

  // Whether the flow opened is trusted (a file from elsewhere is not until the user trusts it).
  useEffect(() => {
    void trust.check(external);
  }, []);

  // A flow opened without positions (or with nodes stacked on one spot) is laid out once.
  useEffect(() => {
    if (external.nodes.length && needsLayout(external) && Object.keys(ops).length) {
      commit(layoutFlow(flow, ops), false);
      setTimeout(() => fitLegibly(), 50);
    }
  }, [ops]);

  // A run from Python (widget traits) shows on the nodes and in the run line.
  useEffect(() => {
    if (!externalRun) {
      return;
    }
    const nodes = externalRun.nodes ?? {};
    if (externalRun.status === 'running' && !Object.keys(nodes).length) {
      setRunStates({});
    } else {
      setRunStates(prev => mergeExternalRun(prev, externalRun));
    }
    if (['running', 'succeeded', 'failed', 'cancelled'].includes(externalRun.status ?? '')) {
      setRunInfo((prev: any) => ({
        ...prev,
        status: externalRun.status,
        outputs: externalRun.status === 'running' ? prev?.outputs : externalRun.outputs
      }));
    }
  }, [JSON.stringify(externalRun ?? null)]);

  // The config form narrows the canvas: pan a selected node that it pushed out of view back in.
  useEffect(() => {
    if (!selected) {
      return;
    }
    const timer = setTimeout(() => {
      const node = getInternalNode(selected);
      const rect = canvasRef.current?.getBoundingClientRect();
      if (!node || !rect) {
        return;
      }
      const { x, y } = node.internals.positionAbsolute;
      const w = node.measured?.width ?? 180;
      const h = node.measured?.height ?? 60;
      const tl = flowToScreenPosition({ x, y });
      const br = flowToScreenPosition({ x: x + w, y: y + h });
      if (tl.x < rect.left || br.x > rect.right || tl.y < rect.top || br.y > rect.bottom) {
        void setCenter(x + w / 2, y + h / 2, { zoom: getZoom(), duration: 200 });
      }
    }, 80);
    return () => clearTimeout(timer);
  }, [selected]);

  // An outside change (file reverted, Python updated the widget) replaces the canvas.
  useEffect(() => {
    const text = JSON.stringify(external);
    if (text !== lastEmitted.current) {
      lastEmitted.current = text;
      setFlow(external);
      void trust.check(external);
    }
  }, [external]);

  const commit = (next: FlowDoc, record = true) => {
    if (record) {
      history.current.push(flow);
    }
    setFlow(next);
    if (!dragging.current) {
      lastEmitted.current = JSON.stringify(next);
      onChange(next);
      trust.edited(next); // the user's own edit of a trusted flow stays trusted
    }
  };
  const undo = () => {
    const prev = history.current.undo(flow);
    if (prev) {
      commit(prev, false);
    }
  };
  const redo = () => {
    const next = history.current.redo(flow);
    if (next) {
      commit(next, false);
    }
  };

  const issuesByNode = useMemo(() => {
    const map: Record<string, Issue[]> = {};
    for (const is of issues) {
      if (is.node_id) {
        (map[is.node_id] ??= []).push(is);
      }
    }
    return map;
  }, [issues]);

  const rfNodes: Node<StudioNodeData>[] = flow.nodes.map(n => ({
    id: n.id,
    type: 'studio',
    position: n.position ?? { x: 0, y: 0 },
    measured: sizes[n.id],
    selected: n.id === selected,
    data: { node: n, op: ops[n.type], run: runStates[n.id], issues: issuesByNode[n.id] }
  }));
  const rfEdges: Edge[] = flow.edges.map(e => ({
    id: e.id,
    source: e.source,
    target: e.target,
    sourceHandle: e.sourceHandle ?? undefined,
    targetHandle: e.targetHandle ?? undefined,
    animated: runStates[e.source]?.status === 'running',
    className: issues.some(i => i.edge_id === e.id) ? 'sage-edge-invalid' : undefined
  }));

  const onNodesChange = (changes: NodeChange[]) => {
    setSizes(prev => applyMeasurements(prev, changes));
    let next = flow;
    let record = false;
    for (const c of changes) {
      if (c.type === 'position' && c.position) {
        if (c.dragging && !dragging.current) {
          history.current.push(flow);
          dragging.current = true;
        }
        next = {
          ...next,
          nodes: next.nodes.map(n => (n.id === c.id ? { ...n, position: c.position! } : n))
        };
        if (!c.dragging) {
          dragging.current = false;
        }
      } else if (c.type === 'position' && c.dragging === false) {
        dragging.current = false;
      } else if (c.type === 'remove') {
        record = true;
        next = {
          ...next,
          nodes: next.nodes.filter(n => n.id !== c.id),
          edges: next.edges.filter(e => e.source !== c.id && e.target !== c.id)
        };
      } else if (c.type === 'select') {
        if (c.selected) {
          setSelected(c.id);
        } else if (selected === c.id) {
          setSelected(null);
        }
      }
    }
    if (next !== flow) {
      commit(next, record);
    }
  };
  const onEdgesChange = (changes: EdgeChange[]) => {
    const removed = new Set(changes.filter(c => c.type === 'remove').map(c => c.id));
    if (removed.size) {
      commit({ ...flow, edges: flow.edges.filter(e => !removed.has(e.id)) });
    }
  };
  const onConnect = (c: Connection) => {
    const problem = connectionError(flow, ops, c);
    if (problem) {
      setError(new Error(problem));
      return;
    }
    const id = `e_${c.source}_${c.sourceHandle}_${c.target}_${c.targetHandle}`;
    if (flow.edges.some(e => e.id === id)) {
      return;
    }
    commit({
      ...flow,
      edges: [
        ...flow.edges,
        {
          id,
          source: c.source,
          sourceHandle: c.sourceHandle,
          target: c.target,
          targetHandle: c.targetHandle
        }
      ]
    });
  };
  const addNode = (op: Operator, position?: { x: number; y: number }) => {
    const node = placeNode(flow, op, position);
    commit({ ...flow, nodes: [...flow.nodes, node] });
    setSelected(node.id);
  };
  // Drag and drop from the palette: the node's top-left corner lands under the pointer.
  const onDragOver = (e: React.DragEvent) => {
    if (e.dataTransfer.types.includes(OPERATOR_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  };
  const onDrop = (e: React.DragEvent) => {
    const op = ops[e.dataTransfer.getData(OPERATOR_MIME)];
    if (!op) {
      return;
    }
    e.preventDefault();
    addNode(op, screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  };

  const validate = async () => {
    setError(null);
    try {
      const r = await transport.call<Result<'flow.validate'>>('flow.validate', { flow });
      setIssues(r.issues ?? []);
      return r;
    } catch (err: any) {
      // A flow with errors answers 400 with every issue in the details.
      if (err?.details?.issues) {
        setIssues(err.details.issues);
        return { valid: false, issues: err.details.issues };
      }
      throw err;
    }
  };

  const trustFlow = async () => {
    await trust.trust(flow);
    setIssues(prev => prev.filter(i => i.code !== 'untrusted'));
  };

  const run = async (debug: DebugRun = {}) => {
    await trust.beforeRun(flow);
    const v = await validate();
    if (v && v.valid === false) {
      const untrusted = (v.issues ?? []).find((i: Issue) => i.code === 'untrusted');
      setError(
        new Error(
          untrusted
            ? `${untrusted.message} (the Trust button), or remove it`
            : 'fix the highlighted issues before running'
        )
      );
      return;
    }
    setRunStates({});
    setRunInfo({ status: 'running' });
    const names = inputNames(flow);
    const args = {
      flow,
      inputs: Object.fromEntries(names.map(n => [n, inputs[n] ?? ''])),
      ...debug
    };
    const handle = transport.stream('flow.run', args, e => {
      if (String(e.type).startsWith('node_')) {
        setRunStates(prev => applyRunEvent(prev, e));
      } else if (
        e.type === 'run_finished' ||
        e.type === 'run_failed' ||
        e.type === 'run_cancelled'
      ) {
        setRunInfo((prev: any) => ({ ...prev, ...e, status: runStatus(e) }));
      } else if (e.type === 'run_started' || e.type === 'started') {
        setRunInfo((prev: any) => ({ ...prev, run_id: e.run_id ?? prev?.run_id }));
      }
    });
    setRunning(handle);
    try {
      const result: any = await handle.done;
      if (result && typeof result === 'object') {
        // Keep the status named by the terminal event (finished / failed / cancelled).
        setRunInfo((prev: any) => ({ ...result, ...prev }));
      }
    } catch (err) {
      setError(err);
      setRunInfo((prev: any) => ({ ...prev, status: 'failed' }));
    } finally {
      setRunning(null);
    }
  };

  const exportPython = async () => {
    const script = await transport.call<string>('flow.export_python', { flow });
    if (onExport) {
      onExport(script, flow);
    } else {
      setCode(script);
    }
  };

  const selectedNode = flow.nodes.find(n => n.id === selected);
  const templateList = templates.data?.templates ?? [];
  const names = inputNames(flow);

  return (
    <div
      className="sage-flow"
      tabIndex={0}
      onKeyDown={e => {
        const mod = e.ctrlKey || e.metaKey;
        if (mod && e.key.toLowerCase() === 'z' && !e.shiftKey) {
          e.preventDefault();
          undo();
        } else if (
          mod &&
          (e.key.toLowerCase() === 'y' || (e.key.toLowerCase() === 'z' && e.shiftKey))
        ) {
          e.preventDefault();
          redo();
        }
      }}
    >
      <div className="sage-toolbar sage-flow-toolbar">
        <select
          className="sage-input"
          aria-label="Template"
          value=""
          onChange={e => {
            const t = templateList.find(x => x.id === e.target.value);
            if (t) {
              const f = t.flow as unknown as FlowDoc;
              setIssues([]);
              setRunStates({});
              // Laid out for this canvas's node sizes, fitted no smaller than a legible zoom.
              const next = layoutFlow({ ...f, nodes: f.nodes ?? [], edges: f.edges ?? [] }, ops);
              setRunInfo(null);
              commit(next);
              void trust.trust(next).catch(setError); // a template is made here: trusted
              setTimeout(() => fitLegibly(), 50);
            }
          }}
        >
          <option value="">Templates…</option>
          {templateList.map(t => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <button
          className="sage-button"
          onClick={undo}
          disabled={!history.current.canUndo}
          title="Undo (Ctrl+Z)"
        >
          Undo
        </button>
        <button
          className="sage-button"
          onClick={redo}
          disabled={!history.current.canRedo}
          title="Redo (Ctrl+Shift+Z)"
        >
          Redo
        </button>
        <ActionButton label="Validate" action={validate} onError={setError} />
        <ActionButton label="Export Python" action={exportPython} onError={setError} />
        <button className="sage-button" onClick={() => setShowRuns(!showRuns)}>
          History
        </button>
        <TrustBadge state={trust.state} onTrust={trustFlow} onError={setError} />
        <span className="sage-grow" />
        {names.map(n => (
          <input
            key={n}
            className="sage-input sage-flow-input"
            aria-label={`flow input ${n}`}
            placeholder={`${n}…`}
            value={inputs[n] ?? ''}
            onChange={e => setInputs({ ...inputs, [n]: e.target.value })}
            onKeyDown={e => e.key === 'Enter' && !running && void run().catch(setError)}
          />
        ))}
        {running ? (
          <button className="sage-button sage-danger" onClick={() => running.cancel()}>
            Stop
          </button>
        ) : (
          <ActionButton
            label="Run"
            className="sage-button sage-primary"
            action={() => run()}
            onError={setError}
          />
        )}
      </div>
      <ErrorBox error={error ?? opsCall.error} />
      {issues.length ? (
        <div className="sage-issues" role="status">
          {issues.map((is, i) => (
            <div key={i} className={`sage-issue sage-issue-${is.severity ?? 'error'}`}>
              {is.node_id ? <b>{is.node_id}: </b> : null}
              {is.message}
            </div>
          ))}
        </div>
      ) : null}
      {runInfo ? (
        <div
          className="sage-run-info"
          data-run-status={runInfo.status === 'succeeded' ? 'finished' : runInfo.status}
        >
          run {runInfo.run_id ? String(runInfo.run_id).slice(0, 8) : ''}: {runInfo.status}
          {runInfo.error ? <span className="sage-node-error"> {String(runInfo.error)}</span> : null}
          {runInfo.outputs && runInfo.status !== 'running' ? (
            <RunOutputs outputs={runInfo.outputs} />
          ) : null}
        </div>
      ) : null}
      {showRuns ? (
        <div className="sage-runs">
          <ErrorBox error={runs.error} />
          {(runs.data?.runs ?? []).map(r => (
            <div key={r.id} className="sage-muted">
              {String(r.id).slice(0, 8)} {r.status} {fmtTime(r.started_at)}
            </div>
          ))}
        </div>
      ) : null}
      <div className="sage-flow-body">
        <div className="sage-palette-column">
          <ErrorBox error={opsCall.error} onRetry={() => void opsCall.reload()} />
          <Palette ops={opsCall.data?.operators ?? []} onAdd={addNode} />
        </div>
        <div className="sage-flow-canvas" ref={canvasRef}>
          <ReactFlow
            nodes={rfNodes}
            edges={rfEdges}
            nodeTypes={NODE_TYPES}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            isValidConnection={c => connectionError(flow, ops, c as Connection) === null}
            onPaneClick={() => setSelected(null)}
            onDragOver={onDragOver}
            onDrop={onDrop}
            fitView={fitOnOpen}
            fitViewOptions={FIT_VIEW_OPTIONS}
            minZoom={MIN_ZOOM / 4}
            deleteKeyCode={['Delete', 'Backspace']}
          >
            <Background />
            <Controls />
            <MiniMap pannable zoomable />
          </ReactFlow>
        </div>
        {selectedNode ? (
          <ConfigForm
            node={selectedNode}
            op={ops[selectedNode.type]}
            onChange={node =>
              commit({ ...flow, nodes: flow.nodes.map(n => (n.id === node.id ? node : n)) })
            }
            onDelete={() => {
              commit({
                ...flow,
                nodes: flow.nodes.filter(n => n.id !== selectedNode.id),
                edges: flow.edges.filter(
                  e => e.source !== selectedNode.id && e.target !== selectedNode.id
                )
              });
              setSelected(null);
            }}
          >
            <NodeDebug
              node={selectedNode}
              lastRunId={runInfo?.run_id}
              running={!!running}
              onRun={debug => void run(debug).catch(setError)}
              onChange={node =>
                commit({ ...flow, nodes: flow.nodes.map(n => (n.id === node.id ? node : n)) })
              }
            />
          </ConfigForm>
        ) : null}
      </div>
      {code !== null ? (
        <div className="sage-code-export">
          <div className="sage-toolbar">
            <b className="sage-grow">Python</b>
            <button className="sage-link" onClick={() => setCode(null)}>
              close
            </button>
          </div>
          <pre className="sage-code">{code}</pre>
        </div>
      ) : null}
    </div>
  );
}

export function FlowView(props: FlowViewProps) {
  return (
    <ReactFlowProvider>
      <FlowCanvas {...props} />
    </ReactFlowProvider>
  );
}
