/**
 * Automatic layout of a flow (dagre, left to right) and the canvas's legible zoom: a template or a flow whose
 * nodes have no positions is laid out so no two nodes overlap, and fitting the view never zooms out below
 * `MIN_ZOOM` (a wide flow is then panned, not shrunk to unreadable text).
 */
import dagre from '@dagrejs/dagre';

import { FlowDoc, Operator, Size } from './flowModel';

/** The smallest zoom the canvas fits to (11 px node text stays ≥ 9 px). */
export const MIN_ZOOM = 0.85;
export const FIT_VIEW_OPTIONS = { padding: 0.12, minZoom: MIN_ZOOM, maxZoom: 1.2 };

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The viewport that shows `bounds` (flow coordinates) in a `width`×`height` canvas: fitted and centred, but never
 * below `MIN_ZOOM`; a flow still too wide (or tall) then starts at its left (top) edge, where its inputs are.
 */
export function legibleViewport(
  bounds: Rect,
  width: number,
  height: number,
  { padding, minZoom, maxZoom } = FIT_VIEW_OPTIONS
): { x: number; y: number; zoom: number } {
  const fit = Math.min(
    width / Math.max(bounds.width * (1 + 2 * padding), 1),
    height / Math.max(bounds.height * (1 + 2 * padding), 1)
  );
  const zoom = Math.min(maxZoom, Math.max(minZoom, fit));
  const margin = 16;
  const place = (start: number, size: number, room: number) =>
    size * zoom > room - 2 * margin
      ? margin - start * zoom
      : (room - size * zoom) / 2 - start * zoom;
  return {
    x: place(bounds.x, bounds.width, width),
    y: place(bounds.y, bounds.height, height),
    zoom
  };
}

const NODE_WIDTH = 220; // nodes are 170–260 px wide (CSS): with RANK_SEP, ≥ 20 px apart
const NODE_SEP = 40;
const RANK_SEP = 60;

/** A node's size before React Flow measures it: the CSS's width bounds and the height of its port rows. */
export function estimateSize(op: Operator | undefined): Size {
  const rows = Math.max(op?.inputs.length ?? 0, op?.outputs.length ?? 0, 1);
  return { width: NODE_WIDTH, height: 40 + rows * 18 };
}

/** Whether a flow needs a layout: any node without a position, or nodes stacked on the same spot. */
export function needsLayout(flow: FlowDoc): boolean {
  const seen = new Set<string>();
  for (const n of flow.nodes) {
    const p = n.position;
    if (!p || typeof p.x !== 'number' || typeof p.y !== 'number') {
      return true;
    }
    const key = `${Math.round(p.x)},${Math.round(p.y)}`;
    if (seen.has(key)) {
      return true;
    }
    seen.add(key);
  }
  return false;
}

/** `flow` with every node placed by dagre (left to right along the edges); sizes measured win over estimates. */
export function layoutFlow(
  flow: FlowDoc,
  ops: Record<string, Operator> = {},
  sizes: Record<string, Size> = {}
): FlowDoc {
  if (!flow.nodes.length) {
    return flow;
  }
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: NODE_SEP, ranksep: RANK_SEP, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const size = (id: string, type: string): Size => {
    const est = estimateSize(ops[type]);
    const m = sizes[id];
    return m ? { width: Math.max(m.width, 1), height: Math.max(m.height, 1) } : est;
  };
  for (const n of flow.nodes) {
    g.setNode(n.id, size(n.id, n.type));
  }
  const ids = new Set(flow.nodes.map(n => n.id));
  for (const e of flow.edges) {
    if (ids.has(e.source) && ids.has(e.target)) {
      g.setEdge(e.source, e.target);
    }
  }
  dagre.layout(g);
  return {
    ...flow,
    nodes: flow.nodes.map(n => {
      const p = g.node(n.id);
      const s = size(n.id, n.type);
      // dagre gives centres; React Flow positions are top-left corners.
      return {
        ...n,
        position: { x: Math.round(p.x - s.width / 2), y: Math.round(p.y - s.height / 2) }
      };
    })
  };
}
