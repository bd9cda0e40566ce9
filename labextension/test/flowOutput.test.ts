import React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import { RunOutputs, outputView } from '../src/views/flowOutput';

describe('run outputs', () => {
  it('shows a string as text (a one-value list is its value)', () => {
    expect(outputView(['Paris is the capital.'])).toEqual({
      kind: 'text',
      text: 'Paris is the capital.'
    });
    expect(outputView(42)).toEqual({ kind: 'text', text: '42' });
  });

  it('shows a list of records as a table', () => {
    const docs = [
      { text: 'A flow is a graph.', score: 0.9, metadata: { source: 'flows.md' } },
      { text: 'Edges are typed.', score: 0.5 }
    ];
    const view = outputView([docs]);
    expect(view).toEqual({
      kind: 'table',
      columns: ['text', 'score', 'metadata'],
      rows: [
        ['A flow is a graph.', '0.9', '{"source":"flows.md"}'],
        ['Edges are typed.', '0.5', '']
      ]
    });
  });

  it('shows anything else as pretty JSON, and nothing as empty', () => {
    expect(outputView({ a: 1 })).toEqual({ kind: 'json', text: '{\n  "a": 1\n}' });
    expect(outputView([])).toEqual({ kind: 'empty' });
    expect(outputView(null)).toEqual({ kind: 'empty' });
  });

  it('renders each named output readably, never a bare {}', () => {
    const html = renderToStaticMarkup(
      React.createElement(RunOutputs, {
        outputs: { answer: ['Paris.'], sources: [[{ text: 'France…', score: 1 }]] }
      })
    );
    expect(html).toContain('data-output="answer"');
    expect(html).toContain('<div class="sage-output-text">Paris.</div>');
    expect(html).toContain('<table class="sage-output-table">');
    expect(html).toContain('<td>France…</td>');
    expect(html).not.toContain('{}');
    const empty = renderToStaticMarkup(React.createElement(RunOutputs, { outputs: {} }));
    expect(empty).toContain('no output');
    expect(empty).not.toContain('{}');
  });
});

describe('outputView of a wide record', () => {
  it('shows one record with many fields as field / value rows', () => {
    const turn = Object.fromEntries(
      ['session_id', 'text', 'intent', 'history', 'messages', 'answer', 'model'].map(k => [k, k])
    );
    const view = outputView([turn]);
    expect(view.kind).toBe('fields');
    expect(view.kind === 'fields' && view.rows[1]).toEqual(['text', 'text']);
    expect(outputView([{ a: 1, b: 2 }]).kind).toBe('table'); // a narrow record stays a table
  });
});
