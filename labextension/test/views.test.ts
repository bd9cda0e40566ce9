// @vitest-environment jsdom
/**
 * The views against the Studio API's shapes (openapi.json): the single engine record, engine logs as text,
 * memory config nested under `config`, `session_id` / `memory_id` arguments, a Markdown export as text.
 * Rendered in jsdom against a recording fake Transport (no server).
 */
import { act, createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { Result, Schema, Transport, TransportError } from '../src/transport/types';
import { SessionList } from '../src/views/ChatView';
import { Dialogs, DialogsContext } from '../src/views/dialogs';
import { EngineView } from '../src/views/EngineView';
import { MemoryView } from '../src/views/MemoryView';
import { notifySessionsChanged } from '../src/views/sessionEvents';
import { SettingsContext, SettingsStore } from '../src/views/settings';
import { captureDownloads, click, FakeTransport, provide, type, mountDom } from './harness';

const MiB = 1024 * 1024;

const engine = (over: Partial<Schema<'EngineStatus'>>): Schema<'EngineStatus'> => ({
  status: 'stopped',
  id: null,
  backend: null,
  model: null,
  base_url: null,
  port: null,
  pid: null,
  uptime_s: null,
  adapters: [],
  rss_bytes: null,
  gpu_memory: null,
  exit_code: null,
  error: null,
  log_tail: '',
  progress: null,
  stage: null,
  stage_detail: null,
  stages: [],
  elapsed_s: null,
  adapter_labels: [],
  argv: [],
  ...over
});

/** A transport answering the engine view's calls. */
const fake = () =>
  new FakeTransport({
    'engine.status': engine({}),
    'engine.models': { default: 'SmolLM2-135M-Instruct', models: [] },
    'engine.logs': { lines: 200, text: '' },
    'gpu.info': { available: false, devices: [] }
  });

const dom = mountDom();

/** Dialogs that answer at once (what a user clicked), recording what they were asked. */
function answering(accept: boolean, text: string | null = null) {
  const asked: string[] = [];
  const dialogs: Dialogs = {
    confirm: async (title, body) => (asked.push(body), accept),
    prompt: async (title, label) => (asked.push(label), text)
  };
  return { asked, dialogs };
}

const render = (view: React.ReactElement, transport: Transport, dialogs?: Dialogs) =>
  dom.render(
    transport,
    view,
    ...(dialogs ? [provide(DialogsContext, dialogs)] : []),
    provide(SettingsContext, new SettingsStore())
  );
const button = dom.button;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EngineView', () => {
  it('shows the engine record as a card, stops it, and shows its log text', async () => {
    const t = fake();
    t.answers['engine.status'] = engine({
      status: 'running',
      id: 'e1',
      backend: 'cpu',
      model: 'SmolLM2-135M-Instruct',
      port: 8001,
      pid: 42,
      uptime_s: 65,
      adapters: ['tiny-lora'],
      rss_bytes: 300 * MiB
    });
    t.answers['engine.logs'] = { lines: 200, text: 'loading\n\nready\n' };
    await render(createElement(EngineView), t);
    const card = dom.container.querySelector('.sage-engine-card[data-engine-status="running"]')!;
    expect(card.textContent).toContain('300 MiB');
    expect(card.textContent).toContain('tiny-lora');
    expect(card.textContent).toContain('1 min 5 s');
    expect(dom.container.querySelector('[data-engine-status="stopped"]')).toBeNull();

    await click(button('show logs'));
    expect(t.argsOf('engine.logs')).toEqual([{ lines: 200 }]);
    expect(dom.container.querySelector('.sage-logs')!.textContent).toBe('loading\nready');

    await click(button('Stop engine'));
    expect(t.argsOf('engine.stop')).toEqual([{}]);
  });

  it('without an engine offers the catalog by id and starts the picked model', async () => {
    const t = fake();
    t.answers['engine.status'] = engine({ status: 'failed', error: 'out of memory' });
    t.answers['engine.models'] = {
      default: 'SmolLM2-135M-Instruct',
      models: [
        {
          id: 'SmolLM2-135M-Instruct',
          name: 'SmolLM2 135M Instruct',
          type: 'base',
          source: 'bundled',
          path: null,
          base_model: null,
          details: {}
        }
      ]
    } satisfies Result<'engine.models'>;
    await render(createElement(EngineView), t);
    expect(dom.container.querySelector('[data-engine-status="stopped"]')).not.toBeNull();
    expect(dom.container.querySelector('.sage-error')!.textContent).toContain(
      'the engine failed: out of memory'
    );
    const select = dom.container.querySelector(
      'select[aria-label="Engine model"]'
    ) as HTMLSelectElement;
    const option = select.querySelector('option[value="SmolLM2-135M-Instruct"]')!;
    expect(option.textContent).toBe('SmolLM2 135M Instruct (base)');
    await act(async () => {
      select.value = 'SmolLM2-135M-Instruct';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await click(button('Start engine'));
    expect(t.argsOf('engine.start')).toEqual([{ backend: 'auto', model: 'SmolLM2-135M-Instruct' }]);
  });
});

describe('MemoryView', () => {
  it('reads the nested config, lists sessions with memories and deletes one by memory_id', async () => {
    const { asked, dialogs } = answering(true);
    const t = fake();
    t.answers['memory.config'] = {
      session_id: null,
      config: {
        backend: 'vector',
        window: 8,
        top_k: 4,
        min_score: 0,
        embedding_model: 'all-MiniLM-L6-v2'
      },
      backends: ['short_term', 'vector', 'kv'],
      total_sessions: 3
    } satisfies Result<'memory.config'>;
    t.answers['memory.stats'] = {
      sessions: [
        {
          session_id: 's1',
          title: 'Paris',
          backend: 'vector',
          config: (t.answers['memory.config'] as any).config,
          dialogs: 2,
          max_dialogs: 8,
          usage_percent: 25,
          vector_count: 2,
          index_size_bytes: 3072,
          last_hits: [{ text: 'capital of France', score: 0.9 }],
          token_budget: { memory: 120 }
        }
      ]
    } satisfies Result<'memory.stats'>;
    t.answers['memory.list'] = {
      memories: [
        {
          id: 7,
          session_id: 's1',
          kind: 'dialog',
          text: 'Q: capital?',
          metadata: {},
          created_at: 1
        }
      ]
    } satisfies Result<'memory.list'>;
    await render(createElement(MemoryView, {}), t, dialogs);
    const cards = dom.container.querySelector('.sage-cards')!.textContent;
    expect(cards).toContain('Semantic search (embeddings)');
    expect(cards).toContain('all-MiniLM-L6-v2');
    expect(cards).toContain('3');
    expect(t.argsOf('memory.stats')).toEqual([{}]);
    const row = dom.container.querySelector('tr[data-session-id="s1"]')!;
    expect(row.textContent).toContain('2 / 8');
    expect(row.textContent).toContain('capital of France');

    await click(button('Paris'));
    expect(t.argsOf('memory.list')).toEqual([{ session_id: 's1' }]);
    await click(dom.container.querySelector('.sage-memory button')!);
    expect(t.argsOf('memory.delete')).toEqual([{ session_id: 's1', memory_id: 7 }]);
    await click(button('Clear'));
    expect(asked[0]).toContain('Forget everything "Paris" remembers?');
    expect(t.argsOf('memory.clear')).toEqual([{ session_id: 's1' }]);
  });
});

describe('SessionList', () => {
  it('renames, exports (the Markdown text, named by the view) and deletes by session_id', async () => {
    const { asked, dialogs } = answering(true, 'Renamed');
    const saved = captureDownloads();
    const t = fake();
    t.answers['sessions.list'] = { sessions: [{ id: 's1', title: 'Trip', message_count: 2 }] };
    t.answers['sessions.export'] = '# Trip\n';
    await render(createElement(SessionList, { onSelect: () => undefined }), t, dialogs);
    const action = (title: string) => dom.container.querySelector(`button[title="${title}"]`)!;

    await click(action('Rename'));
    expect(asked).toEqual(['New name']);
    expect(t.argsOf('sessions.update')).toEqual([{ session_id: 's1', title: 'Renamed' }]);
    await click(action('Export as Markdown'));
    expect(t.argsOf('sessions.export')).toEqual([{ session_id: 's1', format: 'markdown' }]);
    expect(saved.map(s => s.name)).toEqual(['Trip.md']);
    await click(action('Delete'));
    expect(asked[1]).toContain('Delete chat "Trip"?');
    expect(t.argsOf('sessions.delete')).toEqual([{ session_id: 's1' }]);
  });
});

describe('memory settings: plain names, units and the form', () => {
  it('names backends and fields in plain language, and shows minutes as days / hours', async () => {
    const labels = await import('../src/views/memoryLabels');
    expect(labels.backendLabel('short_term')).toBe('Recent messages');
    expect(labels.backendLabel('vector')).toBe('Semantic search (embeddings)');
    expect(labels.backendLabel('kv')).toBe('Keyword search (BM25)');
    expect(labels.backendLabel('other')).toBe('other');
    expect(labels.FIELD_INFO.top_k.label).toBe('Memories recalled per turn');
    expect(labels.splitMinutes(43200)).toEqual({ value: 30, unit: 'days' });
    expect(labels.splitMinutes(120)).toEqual({ value: 2, unit: 'hours' });
    expect(labels.splitMinutes(90)).toEqual({ value: 90, unit: 'minutes' });
    expect(labels.fmtMinutes(43200)).toBe('30 days');
    expect(labels.fmtMinutes(60)).toBe('1 hour');
    expect(labels.toMinutes(30, 'days')).toBe(43200);
    expect(labels.toMinutes(3, 'hours')).toBe(180);
    const err = new TransportError(400, 'invalid request: top_k: too small', {
      errors: [{ loc: ['top_k'], msg: 'Input should be greater than or equal to 1' }]
    });
    expect(labels.fieldErrors(err)).toEqual({
      top_k: 'Input should be greater than or equal to 1'
    });
    expect(labels.fieldErrors(new Error('x'))).toEqual({});
  });

  const config = {
    backend: 'short_term',
    window: 8,
    top_k: 4,
    min_score: 0,
    embedding_model: 'all-MiniLM-L6-v2'
  } as const;

  function memoryTransport() {
    const t = fake();
    t.answers['sessions.list'] = { sessions: [{ id: 's1', title: 'Trip' }] };
    t.answers['memory.config'] = {
      session_id: 's1',
      config,
      backends: ['short_term', 'vector', 'kv'],
      total_sessions: 1
    };
    t.answers['memory.stats'] = { sessions: [] };
    t.answers['memory.set_config'] = {
      session_id: 's1',
      config: { ...config, top_k: 6, backend: 'kv' }
    };
    return t;
  }

  const field = (name: string) =>
    dom.container.querySelector(`.sage-memory-settings [data-field="${name}"]`)!;

  it("edits a chat's settings and saves them with memory.set_config", async () => {
    const t = memoryTransport();
    await render(createElement(MemoryView, {}), t);
    expect(t.argsOf('memory.config')).toContainEqual({ session_id: 's1' });
    const backend = field('backend').querySelector('select')!;
    expect(Array.from(backend.options).map(o => o.textContent)).toEqual([
      'Recent messages',
      'Semantic search (embeddings)',
      'Keyword search (BM25)'
    ]);
    expect(field('top_k').textContent).toContain('Memories recalled per turn');
    expect(field('top_k').textContent).toContain('memories');
    await type(backend, 'kv');
    await type(field('top_k').querySelector('input')!, '6');
    await click(button('Save memory settings'));
    expect(t.argsOf('memory.set_config')).toEqual([
      { session_id: 's1', backend: 'kv', window: 8, top_k: 6, min_score: 0 }
    ]);
    expect(
      dom.container.querySelector('.sage-memory-settings [role="status"]')!.textContent
    ).toContain('Keyword search (BM25)');
  });

  it("shows the server's 400 next to the field it names", async () => {
    const t = memoryTransport();
    t.answers['memory.set_config'] = new TransportError(400, 'invalid request: top_k: too small', {
      errors: [{ loc: ['top_k'], msg: 'Input should be greater than or equal to 1' }]
    });
    await render(createElement(MemoryView, {}), t);
    await type(field('top_k').querySelector('input')!, '0');
    await click(button('Save memory settings'));
    expect(t.argsOf('memory.set_config')[0].top_k).toBe(0);
    expect(field('top_k').querySelector('.sage-field-error')!.textContent).toBe(
      'Input should be greater than or equal to 1'
    );
    expect(field('window').querySelector('.sage-field-error')).toBeNull();
    expect(dom.container.querySelector('.sage-memory-settings [role="status"]')).toBeNull();
  });

  it('cleans up after confirming, converting the chosen unit to minutes', async () => {
    const t = memoryTransport();
    t.answers['memory.cleanup'] = { deleted: ['a', 'b'] };
    const { asked, dialogs } = answering(true);
    await render(createElement(MemoryView, {}), t, dialogs);
    await type(dom.container.querySelector('select[aria-label="Idle time unit"]')!, 'hours');
    await type(dom.container.querySelector('input[aria-label="Idle time"]')!, '12');
    await click(button('Clean up'));
    expect(asked).toEqual(['Delete every chat idle for more than 12 hours, with its memories?']);
    expect(t.argsOf('memory.cleanup')).toEqual([{ max_age_minutes: 720 }]);
    expect(dom.container.textContent).toContain('Deleted 2 chats.');
  });
});

describe('dialogs and session refresh', () => {
  it('without JupyterLab, asks in an in-view dialog (Enter accepts, Cancel refuses)', async () => {
    const t = fake();
    t.answers['sessions.list'] = { sessions: [{ id: 's1', title: 'Trip', message_count: 2 }] };
    await render(createElement(SessionList, { onSelect: () => undefined }), t);
    await click(dom.container.querySelector('button[title="Rename"]')!);
    const input = document.querySelector('.sage-dialog input') as HTMLInputElement;
    expect(input.value).toBe('Trip');
    await type(input, 'Paris');
    await act(async () => {
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    });
    await act(async () => new Promise(r => setTimeout(r)));
    expect(t.argsOf('sessions.update')).toEqual([{ session_id: 's1', title: 'Paris' }]);
    expect(document.querySelector('.sage-dialog')).toBeNull();

    await click(dom.container.querySelector('button[title="Delete"]')!);
    const dialog = document.querySelector('.sage-dialog')!;
    expect(dialog.textContent).toContain('Delete chat "Trip"?');
    await click(
      Array.from(dialog.querySelectorAll('button')).find(b => b.textContent === 'Cancel')!
    );
    await act(async () => new Promise(r => setTimeout(r)));
    expect(t.argsOf('sessions.delete')).toEqual([]);
    expect(document.querySelector('.sage-dialog')).toBeNull();
  });

  it('every session list reloads when a view announces a change', async () => {
    const t = fake();
    t.answers['sessions.list'] = { sessions: [{ id: 's1', title: 'Trip', message_count: 2 }] };
    await render(createElement(SessionList, { onSelect: () => undefined }), t);
    expect(t.argsOf('sessions.list')).toHaveLength(1);
    t.answers['sessions.list'] = { sessions: [{ id: 's1', title: 'Trip', message_count: 4 }] };
    await act(async () => notifySessionsChanged());
    expect(t.argsOf('sessions.list')).toHaveLength(2);
    expect(dom.container.querySelector('li[data-session-id="s1"]')!.textContent).toContain('4');
  });
});
