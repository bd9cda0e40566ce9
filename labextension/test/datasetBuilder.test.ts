// @vitest-environment jsdom
/**
 * The dataset builder (issue #20) against the Studio API's shapes (fake transport, no server): the form's plain
 * words → the `improve.*` arguments (sessions, days, ratings, models, eval share, dedupe, seed, name), the empty
 * preview saying why and what to do, the rows with their token counts, a build's version and "Fine-tune on it",
 * and the preference pairs' download.
 */
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { Transport } from '../src/transport/types';
import { DatasetBuilder } from '../src/views/DatasetBuilder';
import {
  buildArgs,
  DEFAULT_FORM,
  emptyText,
  formProblem,
  preferenceArgs,
  previewArgs,
  splitCounts
} from '../src/views/datasetBuilderModel';
import { captureDownloads, click, FakeTransport, type, mountDom } from './harness';

const EMPTY_PREVIEW = {
  selected: 0,
  duplicates: 0,
  skipped: {},
  rows: [],
  total_tokens: 0,
  max_tokens: 0,
  sessions: []
};

const PREVIEW = {
  selected: 3,
  duplicates: 1,
  skipped: {},
  rows: [
    {
      messages: [
        { role: 'user', content: 'And 3+3?' },
        { role: 'assistant', content: '6' }
      ],
      rendered: '<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n6<|im_end|>\n',
      tokens: 17,
      session_id: 's1',
      answer_id: 'm2',
      rated_id: 'm2',
      kind: 'corrected',
      model: 'old-adapter'
    }
  ],
  total_tokens: 51,
  max_tokens: 20,
  sessions: ['s1', 's2']
};

const BUILD = {
  id: 'build-1',
  kind: 'sft',
  name: 'my data',
  version: 2,
  dataset_id: 'ds-1',
  path: '/x/ds-1/data.jsonl',
  sessions: ['s1', 's2'],
  filters: {},
  counts: { selected: 3, duplicates: 1, skipped: {}, train: 2, eval: 1 },
  created_at: 1,
  available: true
};

/** A transport answering the builder's calls. */
const fake = () =>
  new FakeTransport({
    'sessions.list': {
      sessions: [
        { id: 's1', title: 'maths', message_count: 4 },
        { id: 's2', title: 'capitals', message_count: 2 }
      ]
    },
    'chat.models': { data: [{ id: 'SmolLM2-135M-Instruct' }] },
    'finetune.models': { models: [{ name: 'SmolLM2-135M-Instruct', type: 'bundled' }] },
    'improve.datasets': { builds: [] },
    'improve.preview_dataset': EMPTY_PREVIEW,
    'improve.build_dataset': BUILD,
    'finetune.datasets': {
      datasets: [{ id: 'ds-1', name: 'my data v2', format: 'openai', rows: 2 }]
    },
    'improve.preference_export': {
      rows: [{ prompt: [{ role: 'user', content: 'q' }], chosen: [], rejected: [] }],
      count: 1,
      sessions: ['s1']
    }
  });

const dom = mountDom();
const render = (view: React.ReactElement, transport: Transport) => dom.render(transport, view);
const button = dom.button;
const labelled = (label: string) =>
  dom.container.querySelector(`[aria-label="${label}"]`) as HTMLInputElement;
const checkbox = (text: string) =>
  Array.from(dom.container.querySelectorAll('label'))
    .find(l => l.textContent!.startsWith(text))!
    .querySelector('input') as HTMLInputElement;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('datasetBuilderModel', () => {
  it('leaves unset filters out so the core defaults apply', () => {
    expect(previewArgs(DEFAULT_FORM)).toEqual({
      ratings: ['corrected', 'up'],
      dedupe: true,
      rows: 5
    });
    expect(buildArgs(DEFAULT_FORM)).toEqual({
      ratings: ['corrected', 'up'],
      dedupe: true,
      name: 'chat feedback',
      eval_ratio: 0.1,
      seed: 42
    });
    expect(preferenceArgs(DEFAULT_FORM, false)).toEqual({});
  });

  it('maps chats, days, models and the template model', () => {
    const form = {
      ...DEFAULT_FORM,
      sessions: ['s2'],
      from: '2026-03-01',
      to: '2026-03-31',
      models: ['my-adapter'],
      ratings: ['down' as const],
      dedupe: false,
      evalPercent: 25,
      seed: 7,
      name: '  support  ',
      templateModel: 'Qwen'
    };
    const selection = {
      session_ids: ['s2'],
      since: new Date(2026, 2, 1).toISOString(), // the first day's local midnight
      until: new Date(2026, 3, 1).toISOString(), // "before" the day after the last: the last day is in
      models: ['my-adapter']
    };
    expect(previewArgs(form, 3)).toEqual({
      ...selection,
      ratings: ['down'],
      dedupe: false,
      rows: 3,
      model: 'Qwen'
    });
    expect(buildArgs(form)).toEqual({
      ...selection,
      ratings: ['down'],
      dedupe: false,
      name: 'support',
      eval_ratio: 0.25,
      seed: 7
    });
    // preference pairs take the selection only (no ratings: the op forbids unknown fields)
    expect(preferenceArgs(form, true)).toEqual({
      ...selection,
      name: 'support preferences',
      save: true
    });
  });

  it('says what is wrong with the form', () => {
    expect(formProblem(DEFAULT_FORM)).toBe('');
    expect(formProblem({ ...DEFAULT_FORM, ratings: [] })).toMatch(/at least one kind/);
    expect(formProblem({ ...DEFAULT_FORM, sessions: [] })).toMatch(/at least one chat/);
    expect(formProblem({ ...DEFAULT_FORM, from: '2026-02-01', to: '2026-01-01' })).toMatch(/after/);
    expect(formProblem({ ...DEFAULT_FORM, evalPercent: 100 })).toMatch(/below 100/);
  });

  it('counts the split as the core does (Python rounding, at least one eval row)', () => {
    expect(splitCounts(10, 0.1)).toEqual({ train: 9, eval: 1 });
    expect(splitCounts(3, 0.1)).toEqual({ train: 2, eval: 1 }); // 0.3 → at least one
    expect(splitCounts(1, 0.1)).toEqual({ train: 1, eval: 0 });
    expect(splitCounts(5, 0.5)).toEqual({ train: 3, eval: 2 }); // round(2.5) = 2
    expect(splitCounts(7, 0.5)).toEqual({ train: 3, eval: 4 }); // round(3.5) = 4
    expect(splitCounts(4, 0)).toEqual({ train: 4, eval: 0 });
  });

  it('explains an empty result and what to do', () => {
    expect(emptyText(EMPTY_PREVIEW)).toBe(
      'No rows: no rated or corrected answers match these filters. Rate answers in chat: mark a bad ' +
        'one and write its ideal answer, or mark good ones; then preview again.'
    );
    const skipped = emptyText({
      selected: 0,
      duplicates: 0,
      skipped: { 'rated down without an ideal answer': 2 }
    });
    expect(skipped).toMatch(
      /^No rows: 2 skipped: rated down without an ideal answer\. Rate answers/
    );
    expect(emptyText(PREVIEW)).toBe('');
  });
});

describe('DatasetBuilder', () => {
  it('sends the picked filters, shows the empty state, then rows with tokens, a build and its dataset', async () => {
    const t = fake();
    const picked: unknown[] = [];
    await render(createElement(DatasetBuilder, { onFinetune: d => picked.push(d) }), t);

    // Only the chat "capitals", only bad answers (corrected ones unticked, good ones unticked), a 2-day range.
    await click(labelled('All chats'));
    await click(checkbox('maths'));
    await click(labelled('Answers I corrected'));
    await click(labelled('Answers rated good'));
    expect(dom.container.textContent).toContain('Pick at least one kind of answer.');
    expect(button('Preview').disabled).toBe(true);
    await click(labelled('Answers rated bad'));
    await type(labelled('from day'), '2026-01-02');
    await type(labelled('to day'), '2026-01-03');
    await type(labelled('eval share'), '20');
    await click(labelled('drop duplicates'));
    await click(button('Preview'));
    const sent = t.argsOf('improve.preview_dataset');
    expect(sent).toEqual([
      {
        session_ids: ['s2'],
        since: new Date(2026, 0, 2).toISOString(),
        until: new Date(2026, 0, 4).toISOString(),
        ratings: ['down'],
        dedupe: false,
        rows: 5
      }
    ]);
    const empty = dom.container.querySelector('.sage-builder-empty')!;
    expect(empty.textContent).toContain('mark a bad one and write its ideal answer');

    // Rows: counts in words, the split at 20 %, each row's tokens and rendering.
    t.answers['improve.preview_dataset'] = PREVIEW;
    await click(button('Preview'));
    const counts = dom.container.querySelector('.sage-builder-counts')!.textContent!;
    expect(counts).toContain('3 rows from maths, capitals (1 duplicate dropped) → 2 train, 1 eval');
    const row = dom.container.querySelector('.sage-builder-rows tbody tr')!;
    expect(row.getAttribute('data-tokens')).toBe('17');
    expect(row.textContent).toContain('<|im_start|>assistant\n6');
    // the model seen in the preview becomes a choice of "Answered by"
    await click(labelled('Any model'));
    expect(checkbox('old-adapter')).toBeTruthy();
    await click(labelled('Any model'));

    await type(labelled('dataset name'), 'my data');
    await click(button('Build dataset'));
    expect(t.argsOf('improve.build_dataset')).toEqual([
      {
        session_ids: ['s2'],
        since: new Date(2026, 0, 2).toISOString(),
        until: new Date(2026, 0, 4).toISOString(),
        ratings: ['down'],
        dedupe: false,
        name: 'my data',
        eval_ratio: 0.2,
        seed: 42
      }
    ]);
    const built = dom.container.querySelector('.sage-builder-built')!;
    expect(built.textContent).toContain(
      'Built my data v2: 3 rows: 2 train, 1 eval (1 duplicate dropped)'
    );
    expect(built.textContent).toContain('from maths, capitals');
    expect(t.argsOf('improve.datasets').length).toBe(2); // the list reloaded after the build

    await click(button('Fine-tune on it'));
    expect(picked).toEqual([{ id: 'ds-1', name: 'my data v2', format: 'openai', rows: 2 }]);
  });

  it('downloads the preference pairs as JSONL with their count', async () => {
    const t = fake();
    const saved = captureDownloads();
    await render(createElement(DatasetBuilder, { onFinetune: () => undefined }), t);
    await click(button('Download preference pairs'));
    expect(t.argsOf('improve.preference_export')).toEqual([{}]);
    expect(dom.container.querySelector('.sage-builder-pairs')!.textContent).toBe(
      'Downloaded 1 preference pair from maths.'
    );
    expect(saved.map(s => s.name)).toEqual(['chat feedback-preferences.jsonl']);
    expect(saved[0].blob.type).toBe('application/jsonl');

    t.answers['improve.preference_export'] = { rows: [], count: 0, sessions: [] };
    await click(button('Download preference pairs'));
    expect(dom.container.querySelector('.sage-builder-pairs')!.textContent).toMatch(
      /^No preference pairs/
    );
    expect(saved.length).toBe(1); // nothing to download
  });
});
