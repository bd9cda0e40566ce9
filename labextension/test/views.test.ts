// @vitest-environment jsdom
/**
 * The views against the Studio API's shapes (openapi.json): the single engine record, engine logs as text,
 * memory config nested under `config`, `session_id` / `memory_id` arguments, a Markdown export as text.
 * Rendered in jsdom against a recording fake Transport (no server).
 */
import { act, createElement } from 'react';
import { createRoot, Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Args, Result, Schema, StreamHandle, StudioEvent, Transport } from '../src/transport/types';
import { SessionList } from '../src/views/ChatView';
import { ActiveContext, TransportContext } from '../src/views/common';
import { EngineView } from '../src/views/EngineView';
import { MemoryView } from '../src/views/MemoryView';
import { SettingsContext, SettingsStore } from '../src/views/settings';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

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
  ...over
});

class FakeTransport implements Transport {
  readonly kind = 'rest' as const;
  calls: [string, Args][] = [];
  answers: Record<string, unknown> = {
    'engine.status': engine({}),
    'engine.models': { default: 'SmolLM2-135M-Instruct', models: [] },
    'engine.logs': { lines: 200, text: '' },
    'gpu.info': { available: false, devices: [] }
  };

  async call<T = any>(method: string, args: Args = {}): Promise<T> {
    this.calls.push([method, args]);
    return (this.answers[method] ?? {}) as T;
  }

  stream<T = any>(method: string, args: Args, onEvent: (e: StudioEvent) => void): StreamHandle<T> {
    return { cancel: () => undefined, done: new Promise<T>(() => undefined) };
  }

  argsOf(method: string): Args[] {
    return this.calls.filter(c => c[0] === method).map(c => c[1]);
  }
}

let container: HTMLDivElement;
let root: Root;

async function render(view: React.ReactElement, transport: Transport) {
  await act(async () => {
    root.render(
      createElement(
        TransportContext.Provider,
        { value: transport },
        createElement(
          ActiveContext.Provider,
          { value: true },
          createElement(SettingsContext.Provider, { value: new SettingsStore() }, view)
        )
      )
    );
  });
  await act(async () => undefined); // let the first calls resolve
}

const button = (text: string) =>
  Array.from(container.querySelectorAll('button')).find(b => b.textContent === text)!;

async function click(el: Element) {
  await act(async () => (el as HTMLElement).click());
  await act(async () => undefined);
}

beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  vi.restoreAllMocks();
});

describe('EngineView', () => {
  it('shows the engine record as a card, stops it, and shows its log text', async () => {
    const t = new FakeTransport();
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
    const card = container.querySelector('.sage-engine-card[data-engine-status="running"]')!;
    expect(card.textContent).toContain('300 MiB');
    expect(card.textContent).toContain('tiny-lora');
    expect(card.textContent).toContain('1 min 5 s');
    expect(container.querySelector('[data-engine-status="stopped"]')).toBeNull();

    await click(button('show logs'));
    expect(t.argsOf('engine.logs')).toEqual([{ lines: 200 }]);
    expect(container.querySelector('.sage-logs')!.textContent).toBe('loading\nready');

    await click(button('Stop engine'));
    expect(t.argsOf('engine.stop')).toEqual([{}]);
  });

  it('without an engine offers the catalog by id and starts the picked model', async () => {
    const t = new FakeTransport();
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
    expect(container.querySelector('[data-engine-status="stopped"]')).not.toBeNull();
    expect(container.querySelector('.sage-error')!.textContent).toContain(
      'the engine failed: out of memory'
    );
    const select = container.querySelector(
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
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    const t = new FakeTransport();
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
    await render(createElement(MemoryView, {}), t);
    const cards = container.querySelector('.sage-cards')!.textContent;
    expect(cards).toContain('vector');
    expect(cards).toContain('all-MiniLM-L6-v2');
    expect(cards).toContain('3');
    expect(t.argsOf('memory.stats')).toEqual([{}]);
    const row = container.querySelector('tr[data-session-id="s1"]')!;
    expect(row.textContent).toContain('2 / 8');
    expect(row.textContent).toContain('capital of France');

    await click(button('Paris'));
    expect(t.argsOf('memory.list')).toEqual([{ session_id: 's1' }]);
    await click(container.querySelector('.sage-memory button')!);
    expect(t.argsOf('memory.delete')).toEqual([{ session_id: 's1', memory_id: 7 }]);
    await click(button('Clear'));
    expect(t.argsOf('memory.clear')).toEqual([{ session_id: 's1' }]);
  });
});

describe('SessionList', () => {
  it('renames, exports (the Markdown text, named by the view) and deletes by session_id', async () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    vi.spyOn(window, 'prompt').mockReturnValue('Renamed');
    const saved: { name: string; blob: Blob }[] = [];
    let blob: Blob | null = null;
    (URL as any).createObjectURL = (b: Blob) => ((blob = b), 'blob:x');
    (URL as any).revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement
    ) {
      saved.push({ name: this.download, blob: blob! });
    });
    const t = new FakeTransport();
    t.answers['sessions.list'] = { sessions: [{ id: 's1', title: 'Trip', message_count: 2 }] };
    t.answers['sessions.export'] = '# Trip\n';
    await render(createElement(SessionList, { onSelect: () => undefined }), t);
    const action = (title: string) => container.querySelector(`button[title="${title}"]`)!;

    await click(action('Rename'));
    expect(t.argsOf('sessions.update')).toEqual([{ session_id: 's1', title: 'Renamed' }]);
    await click(action('Export as Markdown'));
    expect(t.argsOf('sessions.export')).toEqual([{ session_id: 's1', format: 'markdown' }]);
    expect(saved.map(s => s.name)).toEqual(['Trip.md']);
    await click(action('Delete'));
    expect(t.argsOf('sessions.delete')).toEqual([{ session_id: 's1' }]);
  });
});
