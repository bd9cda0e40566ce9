import { describe, expect, it } from 'vitest';

import {
  History,
  applyMeasurements,
  Operator,
  applyRunEvent,
  configFields,
  connectionError,
  defaultConfig,
  newNodeId,
  parseFlow,
  runStatus,
  typesCompatible
} from '../src/views/flowModel';

const ops: Record<string, Operator> = {
  text_input: {
    type: 'text_input',
    inputs: [],
    outputs: [{ name: 'text', type: 'text' }],
    config: [{ name: 'name', default: 'input' }]
  },
  retriever: {
    type: 'retriever',
    inputs: [{ name: 'query', type: 'text' }],
    outputs: [{ name: 'documents', type: 'documents' }]
  },
  llm: {
    type: 'llm',
    inputs: [{ name: 'prompt', type: 'text' }],
    outputs: [{ name: 'text', type: 'text' }]
  },
  sink: { type: 'sink', inputs: [{ name: 'value', type: 'any' }], outputs: [] }
};
const flow = parseFlow(
  JSON.stringify({
    nodes: [
      { id: 'in', type: 'text_input', position: { x: 0, y: 0 } },
      { id: 'ret', type: 'retriever', position: { x: 1, y: 0 } },
      { id: 'llm', type: 'llm', position: { x: 2, y: 0 } },
      { id: 'out', type: 'sink', position: { x: 3, y: 0 } }
    ],
    edges: []
  })
);

describe('flow model', () => {
  it('parses empty files as empty flows and rejects non-flows', () => {
    expect(parseFlow('  ').nodes).toEqual([]);
    expect(() => parseFlow('{"nodes": 3}')).toThrow(/not a flow/);
  });

  it('typed handles refuse wrong connections', () => {
    expect(typesCompatible('text', 'text')).toBe(true);
    expect(typesCompatible('documents', 'any')).toBe(true);
    expect(
      connectionError(flow, ops, {
        source: 'in',
        sourceHandle: 'text',
        target: 'ret',
        targetHandle: 'query'
      })
    ).toBeNull();
    expect(
      connectionError(flow, ops, {
        source: 'ret',
        sourceHandle: 'documents',
        target: 'llm',
        targetHandle: 'prompt'
      })
    ).toMatch(/type mismatch/);
    expect(
      connectionError(flow, ops, {
        source: 'ret',
        sourceHandle: 'documents',
        target: 'out',
        targetHandle: 'value'
      })
    ).toBeNull();
    expect(
      connectionError(flow, ops, {
        source: 'llm',
        sourceHandle: 'text',
        target: 'llm',
        targetHandle: 'prompt'
      })
    ).toMatch(/itself/);
  });

  it('config fields come from a field list or a JSON Schema', () => {
    expect(defaultConfig(ops.text_input)).toEqual({ name: 'input' });
    const fields = configFields({
      type: 'x',
      inputs: [],
      outputs: [],
      config_schema: {
        properties: { k: { type: 'integer', default: 3, minimum: 1 }, mode: { enum: ['a', 'b'] } },
        required: ['k']
      }
    });
    expect(fields).toEqual([
      expect.objectContaining({ name: 'k', type: 'integer', default: 3, min: 1, required: true }),
      expect.objectContaining({ name: 'mode', type: 'select', options: ['a', 'b'] })
    ]);
  });

  it('new node ids are unique per type', () => {
    expect(newNodeId(flow, 'llm')).toBe('llm_1');
  });

  it('run events drive per-node status and tokens', () => {
    let s = applyRunEvent({}, { type: 'node_started', node_id: 'llm' });
    s = applyRunEvent(s, { type: 'node_token', node_id: 'llm', text: 'Par' });
    s = applyRunEvent(s, { type: 'node_token', node_id: 'llm', text: 'is' });
    expect(s.llm).toMatchObject({ status: 'running', tokens: 'Paris' });
    s = applyRunEvent(s, {
      type: 'node_finished',
      node_id: 'llm',
      output: 'Paris',
      duration_ms: 5
    });
    s = applyRunEvent(s, { type: 'node_failed', node_id: 'ret', error: 'boom' });
    expect(s.llm.status).toBe('done');
    expect(s.ret).toMatchObject({ status: 'failed', error: 'boom' });
    expect(applyRunEvent(s, { type: 'run_finished' })).toBe(s);
  });

  it('undo/redo walk the history and a new edit clears redo', () => {
    const h = new History<number>();
    h.push(1);
    h.push(2);
    expect(h.undo(3)).toBe(2);
    expect(h.undo(2)).toBe(1);
    expect(h.redo(1)).toBe(2);
    h.push(2);
    expect(h.canRedo).toBe(false);
    expect(h.undo(9)).toBe(2);
  });
});

describe('applyMeasurements', () => {
  it('keeps the measured size of each node and forgets removed ones', () => {
    let sizes = applyMeasurements({}, [
      { type: 'dimensions', id: 'a', dimensions: { width: 200, height: 80 } },
      { type: 'dimensions', id: 'b', dimensions: { width: 180, height: 60 } },
      { type: 'select', id: 'a' }
    ]);
    expect(sizes).toEqual({ a: { width: 200, height: 80 }, b: { width: 180, height: 60 } });
    sizes = applyMeasurements(sizes, [
      { type: 'remove', id: 'b' },
      { type: 'dimensions', id: 'a', dimensions: { width: 220, height: 80 } }
    ]);
    expect(sizes).toEqual({ a: { width: 220, height: 80 } });
  });

  it('returns the same object when nothing changed, so the canvas does not render again', () => {
    const sizes = { a: { width: 200, height: 80 } };
    expect(
      applyMeasurements(sizes, [
        { type: 'dimensions', id: 'a', dimensions: { width: 200, height: 80 } }
      ])
    ).toBe(sizes);
    expect(
      applyMeasurements(sizes, [
        { type: 'position', id: 'a' },
        { type: 'dimensions', id: 'a' }
      ])
    ).toBe(sizes);
  });
});

describe('runStatus', () => {
  it('reads the outcome from the terminal event, not from its name', () => {
    expect(runStatus({ type: 'run_finished', status: 'failed', error: "node 'llm' failed" })).toBe(
      'failed'
    );
    expect(runStatus({ type: 'run_finished', status: 'succeeded' })).toBe('succeeded');
    expect(runStatus({ type: 'run_cancelled' })).toBe('cancelled');
  });
});
