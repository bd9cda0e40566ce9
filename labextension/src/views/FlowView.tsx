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
  MiniMap,
  Node,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow
} from '@xyflow/react';
import React, { useEffect, useMemo, useRef, useState } from 'react';

import { Result, Schema } from '../transport/types';
import { ErrorBox, fmtTime, useCall, useTransport } from './common';
import {
  ExternalRun,
  FlowDoc,
  FlowNode,
  OPERATOR_MIME,
  Operator,
  connectionError,
  placeNode
} from './flowModel';
import { FIT_VIEW_OPTIONS, MIN_ZOOM, layoutFlow, needsLayout } from './flowLayout';
import { FlowIssues, RunSummary } from './flowOutput';
import { useFlowTrust } from './flowTrust';
import { DebugRun, NodeDebug } from './flowDebug';
import { FlowToolbar } from './FlowToolbar';
import { useFlowEditor } from './useFlowEditor';
import { useFlowRun } from './useFlowRun';
import { useLegibleViewport } from './useLegibleViewport';
import { ConfigForm } from './flowConfigForm';
import { NODE_TYPES, Palette, StudioNodeData } from './flowNodes';

type Issue = Schema<'Issue'>;

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
  /** A recorded run to show on open (a chat turn): node states, outputs, each node's inputs/outputs. */
  replayRunId?: string;
  /** Only look (a chat turn's run): no palette, toolbar or run controls; a node shows what it got and gave. */
  viewOnly?: boolean;
}

function FlowCanvas({
  flow: external,
  onChange,
  onExport,
  externalRun,
  replayRunId,
  viewOnly = false
}: FlowViewProps) {
  const transport = useTransport();
  const { screenToFlowPosition } = useReactFlow();
  const canvasRef = useRef<HTMLDivElement>(null);
  const opsCall = useCall<{ operators: Operator[] }>('flow.operators');
  const templates = useCall<Result<'flow.templates'>>('flow.templates');
  // Fit a loaded flow once; an empty canvas keeps zoom 1 so the first dropped node stays where it fell.
  const [fitOnOpen] = useState(external.nodes.length > 0);
  const trust = useFlowTrust();
  const [error, setError] = useState<unknown>(null);
  const ops = useMemo(() => {
    const map: Record<string, Operator> = {};
    for (const op of opsCall.data?.operators ?? []) {
      map[op.type] = op;
    }
    return map;
  }, [opsCall.data]);
  const editor = useFlowEditor({
    external,
    ops,
    onChange,
    onEdited: next => trust.edited(next), // the user's own edit of a trusted flow stays trusted
    onReplaced: next => void trust.check(next),
    onError: setError
  });
  const { flow, commit, selected, setSelected } = editor;
  const fitLegibly = useLegibleViewport(canvasRef, selected);
  const [issues, setIssues] = useState<Issue[]>([]);
  const {
    runStates,
    runInfo,
    running,
    reset: resetRun,
    start: startRun,
    replay
  } = useFlowRun(transport, externalRun);
  const [inputs, setInputs] = useState<Record<string, string>>({});
  // A recorded run (a chat turn) opened on the canvas: its node states, outputs and per-node inputs/outputs.
  useEffect(() => {
    if (replayRunId) {
      replay(replayRunId).catch(setError);
    }
  }, [replayRunId]);
  const [code, setCode] = useState<string | null>(null);
  const [showRuns, setShowRuns] = useState(false);
  const runs = useCall<Result<'flow.runs'>>(
    showRuns ? 'flow.runs' : null,
    {},
    String(runInfo?.run_id ?? '')
  );

  // Whether the flow opened is trusted (a file from elsewhere is not until the user trusts it).
  useEffect(() => {
    if (!viewOnly) {
      void trust.check(external);
    }
  }, []);

  // A flow opened without positions (or with nodes stacked on one spot) is laid out once.
  useEffect(() => {
    if (external.nodes.length && needsLayout(external) && Object.keys(ops).length) {
      commit(layoutFlow(flow, ops), false);
      setTimeout(() => fitLegibly(), 50);
    }
  }, [ops]);

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
    measured: editor.sizes[n.id],
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
    const names = inputNames(flow);
    try {
      await startRun(flow, Object.fromEntries(names.map(n => [n, inputs[n] ?? ''])), debug);
    } catch (err) {
      setError(err);
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

  // A template is laid out for this canvas's node sizes, fitted no smaller than a legible zoom, and trusted (made here).
  const pickTemplate = (id: string) => {
    const t = templateList.find(x => x.id === id);
    if (!t) {
      return;
    }
    const f = t.flow as unknown as FlowDoc;
    setIssues([]);
    resetRun();
    const next = layoutFlow({ ...f, nodes: f.nodes ?? [], edges: f.edges ?? [] }, ops);
    commit(next);
    void trust.trust(next).catch(setError);
    setTimeout(() => fitLegibly(), 50);
  };

  const selectedNode = flow.nodes.find(n => n.id === selected);
  const replaceNode = (node: FlowNode) =>
    commit({ ...flow, nodes: flow.nodes.map(n => (n.id === node.id ? node : n)) });
  // What the selected node got and gave in the last run, and (when editing) run to here / re-run / pin.
  const nodeDebug = selectedNode ? (
    <NodeDebug
      actions={!viewOnly}
      node={selectedNode}
      lastRunId={runInfo?.run_id}
      running={!!running}
      onRun={debug => void run(debug).catch(setError)}
      onChange={replaceNode}
    />
  ) : null;
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
          editor.undo();
        } else if (
          mod &&
          (e.key.toLowerCase() === 'y' || (e.key.toLowerCase() === 'z' && e.shiftKey))
        ) {
          e.preventDefault();
          editor.redo();
        }
      }}
    >
      {viewOnly ? null : (
        <FlowToolbar
          templates={templateList}
          onTemplate={pickTemplate}
          canUndo={editor.canUndo}
          canRedo={editor.canRedo}
          onUndo={editor.undo}
          onRedo={editor.redo}
          onValidate={validate}
          onExport={exportPython}
          onHistory={() => setShowRuns(!showRuns)}
          trust={trust.state}
          onTrust={trustFlow}
          inputNames={names}
          inputs={inputs}
          onInputs={setInputs}
          running={running}
          onRun={() => run()}
          onError={setError}
        />
      )}
      <ErrorBox error={error} />
      <FlowIssues issues={issues} />
      {runInfo ? <RunSummary info={runInfo} showOutputs={!viewOnly} /> : null}
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
        {viewOnly ? null : (
          <div className="sage-palette-column">
            <ErrorBox error={opsCall.error} onRetry={() => void opsCall.reload()} />
            <Palette ops={opsCall.data?.operators ?? []} onAdd={addNode} />
          </div>
        )}
        <div className="sage-flow-canvas" ref={canvasRef}>
          <ReactFlow
            nodes={rfNodes}
            edges={rfEdges}
            nodeTypes={NODE_TYPES}
            onNodesChange={editor.onNodesChange}
            onEdgesChange={editor.onEdgesChange}
            onConnect={editor.onConnect}
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
        {selectedNode && viewOnly ? (
          <div className="sage-config">
            <b>{selectedNode.id}</b>
            <div className="sage-muted">{ops[selectedNode.type]?.description}</div>
            {nodeDebug}
          </div>
        ) : null}
        {selectedNode && !viewOnly ? (
          <ConfigForm
            node={selectedNode}
            op={ops[selectedNode.type]}
            onChange={replaceNode}
            onDelete={() => editor.removeNode(selectedNode.id)}
          >
            {nodeDebug}
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
