import { describe, expect, it } from 'vitest';

import rag from '../../sage_studio_lab/flow/templates/rag-over-documents.sage-flow.json';
import summarise from '../../sage_studio_lab/flow/templates/summarise-file.sage-flow.json';
import {
  FIT_VIEW_OPTIONS,
  MIN_ZOOM,
  estimateSize,
  legibleViewport,
  layoutFlow,
  needsLayout
} from '../src/views/flowLayout';
import { FlowDoc, Operator, mergeExternalRun } from '../src/views/flowModel';

const TEMPLATES = [rag, summarise] as unknown as FlowDoc[];

const MAX_NODE_WIDTH = 260; // .sage-node's max-width (style/base.css)

function boxes(flow: FlowDoc, ops: Record<string, Operator> = {}) {
  return flow.nodes.map(n => {
    const s = estimateSize(ops[n.type]);
    return { id: n.id, x: n.position.x, y: n.position.y, w: MAX_NODE_WIDTH, h: s.height };
  });
}

function overlaps(flow: FlowDoc, ops: Record<string, Operator> = {}): string[] {
  const b = boxes(flow, ops);
  const out: string[] = [];
  for (let i = 0; i < b.length; i++) {
    for (let j = i + 1; j < b.length; j++) {
      const p = b[i];
      const q = b[j];
      if (p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h) {
        out.push(`${p.id}/${q.id}`);
      }
    }
  }
  return out;
}

describe('flow layout', () => {
  it.each(TEMPLATES.map(t => [t.name, t] as const))(
    'lays out %s with no two nodes overlapping (at their widest), edges left to right',
    (_name, template) => {
      const laid = layoutFlow(template);
      expect(laid.nodes.map(n => n.id)).toEqual(template.nodes.map(n => n.id));
      expect(overlaps(laid)).toEqual([]);
      const at = Object.fromEntries(laid.nodes.map(n => [n.id, n.position]));
      for (const e of template.edges) {
        expect(at[e.target].x).toBeGreaterThan(at[e.source].x);
      }
    }
  );

  it('places nodes without positions or stacked on one spot', () => {
    const stacked: FlowDoc = {
      nodes: ['a', 'b', 'c', 'd'].map(id => ({ id, type: 'map', position: { x: 0, y: 0 } })),
      edges: [
        { id: 'ab', source: 'a', target: 'b' },
        { id: 'ac', source: 'a', target: 'c' },
        { id: 'cd', source: 'c', target: 'd' }
      ]
    };
    expect(needsLayout(stacked)).toBe(true);
    const laid = layoutFlow(stacked);
    expect(needsLayout(laid)).toBe(false);
    expect(overlaps(laid)).toEqual([]);
    const missing = { nodes: [{ id: 'x', type: 'map' }], edges: [] } as unknown as FlowDoc;
    expect(needsLayout(missing)).toBe(true);
    expect(needsLayout(TEMPLATES[0])).toBe(false);
  });

  it('uses measured sizes and tall nodes do not overlap', () => {
    const ops: Record<string, Operator> = {
      big: {
        type: 'big',
        inputs: [1, 2, 3, 4, 5, 6].map(i => ({ name: `i${i}` })),
        outputs: [{ name: 'o' }]
      }
    };
    const flow: FlowDoc = {
      nodes: ['a', 'b', 'c'].map(id => ({ id, type: 'big', position: { x: 0, y: 0 } })),
      edges: []
    };
    const laid = layoutFlow(flow, ops, { a: { width: 250, height: 300 } });
    expect(overlaps(laid, ops)).toEqual([]);
    const a = laid.nodes.find(n => n.id === 'a')!.position;
    const others = laid.nodes.filter(n => n.id !== 'a').map(n => n.position);
    // 'a' is 300 px tall: nothing in its column starts inside it.
    for (const p of others) {
      expect(
        p.y >= a.y + 300 || p.y + estimateSize(ops.big).height <= a.y || p.x >= a.x + 250
      ).toBe(true);
    }
  });

  it('fits the view no smaller than a legible zoom', () => {
    expect(MIN_ZOOM).toBeGreaterThanOrEqual(0.8);
    expect(FIT_VIEW_OPTIONS.minZoom).toBe(MIN_ZOOM);
    // 11 px node text (style/base.css) at the minimum zoom stays ≥ 9 px on screen.
    expect(11 * FIT_VIEW_OPTIONS.minZoom).toBeGreaterThanOrEqual(9);
  });
});

describe('a run driven from Python', () => {
  it('maps the widget traits to node states, keeping streamed tokens', () => {
    const prev = { llm: { status: 'running' as const, tokens: 'Par' } };
    const next = mergeExternalRun(prev, {
      nodes: { in: 'finished', llm: 'finished', map: 'failed', skip: 'skipped' },
      errors: { map: 'boom' }
    });
    expect(next.in.status).toBe('done');
    expect(next.llm).toEqual({ status: 'done', tokens: 'Par', error: undefined });
    expect(next.map).toMatchObject({ status: 'failed', error: 'boom' });
    expect(next.skip?.status ?? 'idle').toBe('idle');
    // Nothing new: the same object (no re-render).
    expect(mergeExternalRun(next, { nodes: { in: 'finished' } })).toBe(next);
  });
});

describe('legible viewport', () => {
  it('fits and centres a small flow', () => {
    const vp = legibleViewport({ x: 0, y: 0, width: 400, height: 100 }, 1000, 600);
    expect(vp.zoom).toBe(FIT_VIEW_OPTIONS.maxZoom);
    expect(vp.x).toBeCloseTo((1000 - 400 * vp.zoom) / 2);
    expect(vp.y).toBeCloseTo((600 - 100 * vp.zoom) / 2);
  });

  it('never zooms below the minimum: a wide flow starts at its left edge', () => {
    const vp = legibleViewport({ x: -20, y: 0, width: 2400, height: 300 }, 900, 600);
    expect(vp.zoom).toBe(MIN_ZOOM);
    expect(vp.x).toBeCloseTo(16 + 20 * MIN_ZOOM); // the left-most node is 16 px from the canvas's edge
    expect(vp.y).toBeCloseTo((600 - 300 * MIN_ZOOM) / 2);
  });

  it('lays out and fits each template at a legible zoom', () => {
    for (const t of TEMPLATES) {
      const laid = layoutFlow(t);
      const b = boxes(laid);
      const x = Math.min(...b.map(n => n.x));
      const y = Math.min(...b.map(n => n.y));
      const bounds = {
        x,
        y,
        width: Math.max(...b.map(n => n.x + n.w)) - x,
        height: Math.max(...b.map(n => n.y + n.h)) - y
      };
      expect(legibleViewport(bounds, 900, 600).zoom).toBeGreaterThanOrEqual(MIN_ZOOM);
    }
  });
});
