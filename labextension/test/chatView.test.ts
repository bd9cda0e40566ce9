// @vitest-environment jsdom
/**
 * The chat view's first-run behaviour against a recording fake Transport (no server): the local-engine offer
 * when nothing can answer (Start engine → engine.start, a progress state while the model loads), Stop that
 * asks the server to stop and keeps the partial answer on screen with a "stopped" marker, and the exports
 * saved as files.
 */
import { act, createElement } from 'react';
import { createRoot, Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Args, StreamHandle, StudioEvent, Transport } from '../src/transport/types';
import { ChatView, SessionList } from '../src/views/ChatView';
import { engineOffer } from '../src/views/chatSources';
import { ActiveContext, TransportContext } from '../src/views/common';
import { SettingsContext, SettingsStore } from '../src/views/settings';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const STOPPED = { default: 'auto', local: { available: false, status: 'stopped' }, cloud: {} };
const LOADING = { default: 'auto', local: { available: false, status: 'loading' }, cloud: {} };
const RUNNING = {
  default: 'auto',
  local: { available: true, status: 'running', model: 'SmolLM2-135M-Instruct' },
  cloud: {}
};

class FakeTransport implements Transport {
  readonly kind = 'rest' as const;
  calls: [string, Args][] = [];
  answers: Record<string, unknown> = { 'chat.sources': STOPPED, 'chat.models': { data: [] } };
  emit: ((e: StudioEvent) => void) | null = null;
  finish: ((v: unknown) => void) | null = null;
  cancelled = false;

  async call<T = any>(method: string, args: Args = {}): Promise<T> {
    this.calls.push([method, args]);
    const answer = this.answers[method];
    return (typeof answer === 'function' ? answer(args) : (answer ?? {})) as T;
  }

  stream<T = any>(method: string, args: Args, onEvent: (e: StudioEvent) => void): StreamHandle<T> {
    this.calls.push([method, args]);
    this.emit = onEvent;
    const done = new Promise<T>(resolve => (this.finish = resolve as (v: unknown) => void));
    return { cancel: () => (this.cancelled = true), done };
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
  await act(async () => undefined);
}

const button = (text: string) =>
  Array.from(container.querySelectorAll('button')).find(b => b.textContent === text);

const readText = (blob: Blob) =>
  new Promise<string>(resolve => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsText(blob);
  });

async function click(el: Element) {
  await act(async () => (el as HTMLElement).click());
  await act(async () => undefined);
}

beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  Element.prototype.scrollIntoView = () => undefined;
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('engineOffer', () => {
  it('offers a start when nothing can answer, follows a load, and stays out of a usable source', () => {
    expect(engineOffer('local', STOPPED)).toBe('start');
    expect(engineOffer('auto', STOPPED)).toBe('start');
    expect(engineOffer('auto', { ...STOPPED, local: { status: 'failed' } })).toBe('start');
    expect(engineOffer('local', LOADING)).toBe('loading');
    expect(engineOffer('local', RUNNING)).toBeNull();
    expect(engineOffer('cloud', STOPPED)).toBeNull();
    // Auto with a usable cloud answers from the cloud: no offer.
    const cloud = { configured: true, reachable: true, model: 'gpt', host: 'api' };
    expect(engineOffer('auto', { ...STOPPED, cloud })).toBeNull();
    expect(engineOffer('local', { ...STOPPED, cloud })).toBe('start');
    expect(engineOffer('auto', null)).toBeNull(); // not known yet
  });
});

describe('ChatView', () => {
  it('with no engine offers Start engine, starts it, shows the load, then the offer goes', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const t = new FakeTransport();
    await render(createElement(ChatView, { showSessions: false }), t);
    const offer = () => container.querySelector('.sage-engine-offer');
    expect(offer()?.getAttribute('data-offer')).toBe('start');
    expect(offer()?.textContent).toContain('local engine is not running');

    t.answers['chat.sources'] = LOADING;
    await click(button('Start engine')!);
    expect(t.argsOf('engine.start')).toEqual([{}]);
    expect(offer()?.getAttribute('data-offer')).toBe('loading');
    expect(offer()?.querySelector('progress')).not.toBeNull();

    t.answers['chat.sources'] = RUNNING;
    await act(async () => void vi.advanceTimersByTime(2100)); // the view polls the sources while loading
    await act(async () => undefined);
    expect(offer()).toBeNull();
    expect(container.querySelector('.sage-source-state')?.textContent).toContain('running');
  });

  it('Stop asks the server to stop and keeps the partial answer with a stopped marker', async () => {
    const t = new FakeTransport();
    t.answers['chat.sources'] = RUNNING;
    const stored = {
      id: 's1',
      title: 'Hi',
      settings: { source: 'auto' },
      messages: [] as any[]
    };
    t.answers['sessions.get'] = () => stored;
    t.answers['chat.stop'] = { stopped: ['r1'] };
    await render(createElement(ChatView, { sessionId: 's1', showSessions: false }), t);

    const box = container.querySelector('textarea[aria-label="Message"]') as HTMLTextAreaElement;
    await act(async () => {
      const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
      setter.call(box, 'Tell me a story');
      box.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await click(button('Send')!);
    await act(async () => {
      t.emit!({ type: 'token', text: 'Once upon ' });
      t.emit!({ type: 'token', text: 'a time' });
    });
    const answer = () => container.querySelector('.sage-msg-assistant');
    expect(answer()?.textContent).toContain('Once upon a time');

    await click(button('Stop')!);
    expect(t.argsOf('chat.stop')).toEqual([{ session_id: 's1' }]);
    expect(t.cancelled).toBe(false); // the server stops it: the stream ends with the stored answer
    expect(answer()?.textContent).toContain('Once upon a time');
    expect(answer()?.querySelector('[data-stopped]')?.textContent).toContain('partial answer');

    // The server stored the partial answer (cancelled); the stream ends; the stored turn replaces the
    // optimistic one and keeps both the text and the marker, with Regenerate offered.
    stored.messages = [
      { id: 'u1', role: 'user', content: 'Tell me a story', parent_id: null },
      {
        id: 'a1',
        role: 'assistant',
        content: 'Once upon a time',
        parent_id: 'u1',
        metadata: { cancelled: true, partial: true }
      }
    ];
    await act(async () => t.finish!({ id: 'a1' }));
    await act(async () => undefined);
    expect(answer()?.textContent).toContain('Once upon a time');
    expect(answer()?.querySelector('[data-stopped]')).not.toBeNull();
    const regenerate = button('Regenerate')!;
    await click(regenerate);
    expect(t.argsOf('chat.send').at(-1)).toMatchObject({ session_id: 's1', regenerate: true });
  });

  it('drops the stream itself when the server knows no turn to stop', async () => {
    const t = new FakeTransport();
    t.answers['chat.sources'] = RUNNING;
    t.answers['sessions.get'] = { id: 's1', title: 'Hi', settings: {}, messages: [] };
    t.answers['chat.stop'] = { stopped: [] };
    await render(createElement(ChatView, { sessionId: 's1', showSessions: false }), t);
    const box = container.querySelector('textarea[aria-label="Message"]') as HTMLTextAreaElement;
    await act(async () => {
      const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
      setter.call(box, 'Hello');
      box.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await click(button('Send')!);
    await click(button('Stop')!);
    expect(t.cancelled).toBe(true);
  });
});

describe('SessionList exports', () => {
  it('saves the JSON export as a .json file', async () => {
    const saved: { name: string; blob: Blob }[] = [];
    let blob: Blob | null = null;
    (URL as any).createObjectURL = (b: Blob) => ((blob = b), 'blob:x');
    (URL as any).revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement
    ) {
      expect(this.isConnected).toBe(true); // attached while clicked
      saved.push({ name: this.download, blob: blob! });
    });
    const t = new FakeTransport();
    t.answers['sessions.list'] = { sessions: [{ id: 's1', title: 'Trip', message_count: 2 }] };
    t.answers['sessions.export'] = { format: 'json', id: 's1', messages: [] };
    await render(createElement(SessionList, { onSelect: () => undefined }), t);
    await click(container.querySelector('button[title="Export as JSON"]')!);
    expect(t.argsOf('sessions.export')).toEqual([{ session_id: 's1', format: 'json' }]);
    expect(saved.map(s => s.name)).toEqual(['Trip.json']);
    expect(JSON.parse(await readText(saved[0].blob))).toMatchObject({ format: 'json', id: 's1' });
    expect(saved[0].blob.type).toBe('application/json');
  });
});
