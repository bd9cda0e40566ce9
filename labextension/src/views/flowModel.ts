/** Flow JSON (React-Flow shaped, docs/TRANSPORT.md) ⇄ canvas nodes/edges, port typing, undo history. */

export interface Port {
  name: string;
  type?: string;
  label?: string;
}

export interface ConfigField {
  name: string;
  type?: string; // string | text | integer | number | boolean | select | json | code | secret
  default?: unknown;
  label?: string;
  description?: string;
  required?: boolean;
  min?: number;
  max?: number;
  options?: unknown[];
}

export interface Operator {
  type: string;
  label?: string;
  category?: string;
  description?: string;
  inputs: Port[];
  outputs: Port[];
  config?: ConfigField[];
  config_schema?: { properties?: Record<string, any>; required?: string[] };
}

export interface FlowNode {
  id: string;
  type: string;
  position: { x: number; y: number };
  data?: { config?: Record<string, unknown>; label?: string; [k: string]: unknown };
}

export interface FlowEdge {
  id: string;
  source: string;
  sourceHandle?: string | null;
  target: string;
  targetHandle?: string | null;
}

export interface FlowDoc {
  name?: string;
  description?: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
  [k: string]: unknown;
}

export const emptyFlow = (name = 'Untitled flow'): FlowDoc => ({ name, nodes: [], edges: [] });

/** Parse a `.sage-flow.json` text; an empty file is an empty flow. Throws a readable error otherwise. */
export function parseFlow(text: string): FlowDoc {
  if (!text.trim()) {
    return emptyFlow();
  }
  const data = JSON.parse(text);
  if (!data || typeof data !== 'object' || !Array.isArray(data.nodes ?? [])) {
    throw new Error('not a flow: expected {"nodes": [...], "edges": [...]}');
  }
  return { ...data, nodes: data.nodes ?? [], edges: data.edges ?? [] };
}

/** Config fields of an operator, from its field list or a JSON Schema. */
export function configFields(op: Operator | undefined): ConfigField[] {
  if (!op) {
    return [];
  }
  if (Array.isArray(op.config)) {
    return op.config;
  }
  const props = op.config_schema?.properties ?? {};
  return Object.entries(props).map(([name, s]) => ({
    name,
    type: s.enum
      ? 'select'
      : s.type === 'integer' || s.type === 'number' || s.type === 'boolean'
        ? s.type
        : 'string',
    default: s.default,
    label: s.title ?? name,
    description: s.description,
    options: s.enum,
    min: s.minimum,
    max: s.maximum,
    required: op.config_schema?.required?.includes(name)
  }));
}

/** Two port types connect when equal or when either is `any`. */
export function typesCompatible(out?: string, inp?: string): boolean {
  const a = out || 'any';
  const b = inp || 'any';
  return a === 'any' || b === 'any' || a === b;
}

export function connectionError(
  flow: FlowDoc,
  ops: Record<string, Operator>,
  c: {
    source: string | null;
    sourceHandle?: string | null;
    target: string | null;
    targetHandle?: string | null;
  }
): string | null {
  if (!c.source || !c.target) {
    return 'incomplete connection';
  }
  if (c.source === c.target) {
    return 'a node cannot feed itself';
  }
  const src = flow.nodes.find(n => n.id === c.source);
  const dst = flow.nodes.find(n => n.id === c.target);
  const out = ops[src?.type ?? '']?.outputs.find(p => p.name === c.sourceHandle);
  const inp = ops[dst?.type ?? '']?.inputs.find(p => p.name === c.targetHandle);
  if (!typesCompatible(out?.type, inp?.type)) {
    return `type mismatch: ${out?.type} output cannot feed ${inp?.type} input`;
  }
  return null;
}

export function newNodeId(flow: FlowDoc, type: string): string {
  const base = type.replace(/[^\w]+/g, '_').toLowerCase();
  let i = 1;
  while (flow.nodes.some(n => n.id === `${base}_${i}`)) {
    i += 1;
  }
  return `${base}_${i}`;
}

export function defaultConfig(op: Operator): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const f of configFields(op)) {
    if (f.default !== undefined && f.default !== null) {
      config[f.name] = f.default;
    }
  }
  return config;
}

/** MIME type of a palette entry dragged onto the canvas (HTML5 drag and drop carries the operator type). */
export const OPERATOR_MIME = 'application/x-sage-operator';

/**
 * A new node of `op`: at `position` when it was dropped there (flow coordinates, rounded), otherwise
 * (click-to-add) to the right of the right-most node, on one of three rows.
 */
export function placeNode(
  flow: FlowDoc,
  op: Operator,
  position?: { x: number; y: number }
): FlowNode {
  const maxX = Math.max(0, ...flow.nodes.map(n => n.position?.x ?? 0));
  const at = position
    ? { x: Math.round(position.x), y: Math.round(position.y) }
    : { x: flow.nodes.length ? maxX + 240 : 40, y: 80 + (flow.nodes.length % 3) * 60 };
  return {
    id: newNodeId(flow, op.type),
    type: op.type,
    position: at,
    data: { config: defaultConfig(op) }
  };
}

/** Undo/redo over immutable flow snapshots. */
export class History<T> {
  private past: T[] = [];
  private future: T[] = [];

  constructor(private limit = 100) {}

  push(previous: T): void {
    this.past.push(previous);
    if (this.past.length > this.limit) {
      this.past.shift();
    }
    this.future = [];
  }

  undo(current: T): T | null {
    const prev = this.past.pop();
    if (prev === undefined) {
      return null;
    }
    this.future.push(current);
    return prev;
  }

  redo(current: T): T | null {
    const next = this.future.pop();
    if (next === undefined) {
      return null;
    }
    this.past.push(current);
    return next;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }
}

/** Per-node status from one run event (node_started, node_token, node_finished, node_failed, …). */
export interface NodeRunState {
  status: 'idle' | 'running' | 'done' | 'failed' | 'retrying';
  tokens: string;
  output?: unknown;
  error?: string;
  duration_ms?: number;
}

/** The outcome a terminal run event names: `run_finished` carries it (succeeded / failed / cancelled). */
export function runStatus(e: Record<string, any>): string {
  return e.status ? String(e.status) : String(e.type ?? '').replace('run_', '');
}

export function applyRunEvent(
  states: Record<string, NodeRunState>,
  e: Record<string, any>
): Record<string, NodeRunState> {
  const id = e.node_id ?? e.node;
  if (!id) {
    return states;
  }
  const prev: NodeRunState = states[id] ?? { status: 'idle', tokens: '' };
  const type = String(e.type ?? '');
  let next: NodeRunState = prev;
  if (type === 'node_started') {
    next = { ...prev, status: 'running' };
  } else if (type === 'node_token') {
    next = { ...prev, status: 'running', tokens: prev.tokens + String(e.text ?? e.token ?? '') };
  } else if (type === 'node_output') {
    next = { ...prev, output: e.output ?? e.value };
  } else if (type === 'node_finished') {
    next = { ...prev, status: 'done', output: e.output ?? prev.output, duration_ms: e.duration_ms };
  } else if (type === 'node_failed') {
    next = { ...prev, status: 'failed', error: String(e.error ?? 'failed') };
  } else if (type === 'node_retry') {
    next = { ...prev, status: 'retrying', error: String(e.error ?? '') };
  }
  return { ...states, [id]: next };
}

export interface Size {
  width: number;
  height: number;
}

/**
 * The sizes React Flow measured, kept per node id. The canvas is controlled and rebuilds its node objects from the
 * flow document on every render; a node object without `measured` makes React Flow hide that node until its
 * ResizeObserver fires again, and a render between two observations can leave it hidden for good.
 */
export function applyMeasurements(
  sizes: Record<string, Size>,
  changes: { type: string; id?: string; dimensions?: Size }[]
): Record<string, Size> {
  let next = sizes;
  for (const c of changes) {
    if (c.type === 'dimensions' && c.id && c.dimensions) {
      const old = next[c.id];
      if (!old || old.width !== c.dimensions.width || old.height !== c.dimensions.height) {
        next = { ...next, [c.id]: { width: c.dimensions.width, height: c.dimensions.height } };
      }
    } else if (c.type === 'remove' && c.id && c.id in next) {
      next = { ...next };
      delete next[c.id];
    }
  }
  return next;
}

/** A canvas widget's run traits (`node_status`, `node_errors`, `status`, `outputs`) set from Python. */
export interface ExternalRun {
  nodes?: Record<string, string>;
  errors?: Record<string, string>;
  status?: string;
  outputs?: unknown;
}

const TRAIT_STATUS: Record<string, NodeRunState['status']> = {
  running: 'running',
  pending: 'idle',
  finished: 'done',
  done: 'done',
  skipped: 'idle',
  failed: 'failed',
  retrying: 'retrying'
};

/** The node states of a run driven from Python, merged over what the canvas has (keeping streamed tokens). */
export function mergeExternalRun(
  states: Record<string, NodeRunState>,
  run: ExternalRun
): Record<string, NodeRunState> {
  let next = states;
  for (const [id, status] of Object.entries(run.nodes ?? {})) {
    const prev: NodeRunState = states[id] ?? { status: 'idle', tokens: '' };
    const mapped = TRAIT_STATUS[status] ?? 'idle';
    const error = run.errors?.[id] ?? (mapped === 'failed' ? prev.error : undefined);
    if (prev.status !== mapped || prev.error !== error) {
      next = { ...next, [id]: { ...prev, status: mapped, error } };
    }
  }
  return next;
}
