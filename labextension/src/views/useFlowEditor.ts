/**
 * The flow document as the canvas edits it: the working copy, undo/redo history, and React Flow's node/edge
 * change and connect events turned into edits. Every edit goes out through `onChange` (the file or the widget's
 * model) except while a node is being dragged, which is one undo step and one change when it is dropped.
 */
import { Connection, EdgeChange, NodeChange } from '@xyflow/react';
import { useEffect, useRef, useState } from 'react';

import { FlowDoc, History, Operator, Size, applyMeasurements, connectionError } from './flowModel';

export interface FlowEditorOptions {
  external: FlowDoc;
  ops: Record<string, Operator>;
  onChange: (flow: FlowDoc) => void;
  /** After each edit that went out (e.g. keep a trusted flow trusted). */
  onEdited: (flow: FlowDoc) => void;
  /** When an outside change replaced the canvas (the file reverted, Python updated the widget). */
  onReplaced: (flow: FlowDoc) => void;
  onError: (err: unknown) => void;
}

export function useFlowEditor({
  external,
  ops,
  onChange,
  onEdited,
  onReplaced,
  onError
}: FlowEditorOptions) {
  const [flow, setFlow] = useState<FlowDoc>(external);
  const lastEmitted = useRef<string>(JSON.stringify(external));
  const history = useRef(new History<FlowDoc>());
  const dragging = useRef(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [sizes, setSizes] = useState<Record<string, Size>>({});

  useEffect(() => {
    const text = JSON.stringify(external);
    if (text !== lastEmitted.current) {
      lastEmitted.current = text;
      setFlow(external);
      onReplaced(external);
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
      onEdited(next);
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
  const removeNode = (id: string) => {
    commit({
      ...flow,
      nodes: flow.nodes.filter(n => n.id !== id),
      edges: flow.edges.filter(e => e.source !== id && e.target !== id)
    });
    if (selected === id) {
      setSelected(null);
    }
  };

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
      onError(new Error(problem));
      return;
    }
    const id = `e_${c.source}_${c.sourceHandle}_${c.target}_${c.targetHandle}`;
    if (flow.edges.some(e => e.id === id)) {
      return;
    }
    const edge = {
      id,
      source: c.source,
      sourceHandle: c.sourceHandle,
      target: c.target,
      targetHandle: c.targetHandle
    };
    commit({ ...flow, edges: [...flow.edges, edge] });
  };

  return {
    flow,
    commit,
    undo,
    redo,
    canUndo: history.current.canUndo,
    canRedo: history.current.canRedo,
    selected,
    setSelected,
    sizes,
    removeNode,
    onNodesChange,
    onEdgesChange,
    onConnect
  };
}
