import { describe, expect, it } from 'vitest';

import { Operator, emptyFlow, placeNode } from '../src/views/flowModel';

const chunker: Operator = {
  type: 'chunker',
  inputs: [{ name: 'text', type: 'text' }],
  outputs: [{ name: 'chunks', type: 'chunks' }],
  config: [
    { name: 'size', default: 400 },
    { name: 'mode', default: null }
  ]
};

describe('placeNode', () => {
  it('puts a dropped node at the drop position (rounded) with the default config', () => {
    const node = placeNode(emptyFlow(), chunker, { x: 123.6, y: -40.2 });
    expect(node).toEqual({
      id: 'chunker_1',
      type: 'chunker',
      position: { x: 124, y: -40 },
      data: { config: { size: 400 } }
    });
  });

  it('gives a fresh id beside existing nodes of the same type', () => {
    const flow = { ...emptyFlow(), nodes: [placeNode(emptyFlow(), chunker, { x: 0, y: 0 })] };
    expect(placeNode(flow, chunker, { x: 5, y: 5 }).id).toBe('chunker_2');
  });

  it('click-to-add (no position) goes right of the right-most node', () => {
    expect(placeNode(emptyFlow(), chunker).position).toEqual({ x: 40, y: 80 });
    const flow = {
      ...emptyFlow(),
      nodes: [
        { id: 'a', type: 'chunker', position: { x: 300, y: 0 } },
        { id: 'b', type: 'chunker', position: { x: 100, y: 0 } }
      ]
    };
    expect(placeNode(flow, chunker).position).toEqual({ x: 540, y: 200 });
  });
});
