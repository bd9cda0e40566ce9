// @vitest-environment jsdom
/**
 * Shipping an arena winner against a fake transport: *Set as this session's model* writes `settings.model` of the
 * chosen session (`sessions.update`), *Merge & export* finds the adapter's task (served under its task id) and
 * merges it (`finetune.merge`), showing the merged folder; an adapter that is no task's says so. And the task
 * export over REST: a `binary` operation resolves to the file's bytes and its attachment name.
 */
import { act, createElement } from 'react';
import { createRoot, Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { OPERATIONS } from '../src/transport/operations';
import { RestConnection, RestTransport } from '../src/transport/rest';
import { Args, StreamHandle, Transport } from '../src/transport/types';
import { ArenaShip } from '../src/views/ArenaShip';
import { ActiveContext, TransportContext } from '../src/views/common';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

class FakeTransport implements Transport {
  readonly kind = 'rest' as const;
  calls: [string, Args][] = [];
  constructor(private readonly answers: Record<string, unknown>) {}

  async call<T = any>(method: string, args: Args = {}): Promise<T> {
    this.calls.push([method, args]);
    return (this.answers[method] ?? {}) as T;
  }

  stream<T = any>(): StreamHandle<T> {
    return { cancel: () => undefined, done: Promise.resolve({} as T) };
  }

  argsOf(method: string): Args[] {
    return this.calls.filter(c => c[0] === method).map(c => c[1]);
  }
}

const ANSWERS = {
  'sessions.list': {
    sessions: [
      { id: 's1', title: 'Newest chat' },
      { id: 's2', title: 'Support chat' }
    ]
  },
  'sessions.update': { id: 's2', title: 'Support chat', settings: { model: 'ft-1' } },
  'finetune.tasks': { tasks: [{ id: 'ft-1', name: 'door codes', status: 'completed' }] },
  'finetune.merge': { id: 'ft-1', merged_path: '/home/u/finetune/ft-1/merged' }
};

let container: HTMLDivElement;
let root: Root;

async function render(transport: Transport, model: string) {
  await act(async () => {
    root.render(
      createElement(
        TransportContext.Provider,
        { value: transport },
        createElement(ActiveContext.Provider, { value: true }, createElement(ArenaShip, { model }))
      )
    );
  });
  await act(async () => undefined);
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
});

describe('ArenaShip', () => {
  it("sets the chosen session's model to the adapter", async () => {
    const t = new FakeTransport(ANSWERS);
    await render(t, 'ft-1');
    const select = container.querySelector(
      'select[aria-label="Chat session"]'
    ) as HTMLSelectElement;
    expect(Array.from(select.options).map(o => o.textContent)).toEqual([
      'Newest chat',
      'Support chat'
    ]);
    await act(async () => {
      select.value = 's2';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await click(button("Set as this session's model"));
    expect(t.argsOf('sessions.update')).toEqual([
      { session_id: 's2', settings: { model: 'ft-1' } }
    ]);
    expect(container.textContent).toContain('“Support chat” now answers with ft-1.');
  });

  it("merges the adapter's task and shows the merged folder", async () => {
    const t = new FakeTransport(ANSWERS);
    await render(t, 'ft-1');
    await click(button('Merge & export'));
    expect(t.argsOf('finetune.merge')).toEqual([{ task_id: 'ft-1' }]);
    const merged = container.querySelector('.sage-arena-merged')!;
    expect(merged.getAttribute('data-path')).toBe('/home/u/finetune/ft-1/merged');
    expect(container.querySelector('.sage-error')).toBeNull();
  });

  it('says so when the adapter is no fine-tune task of this Studio', async () => {
    const t = new FakeTransport(ANSWERS);
    await render(t, 'hand-loaded');
    await click(button('Merge & export'));
    expect(t.argsOf('finetune.merge')).toEqual([]);
    expect(container.querySelector('.sage-error')!.textContent).toContain(
      'hand-loaded is not the adapter of a fine-tune task here'
    );
  });
});

describe('finetune.export_task over REST', () => {
  it('is a binary operation: the bytes and the attachment name come back', async () => {
    expect(OPERATIONS['finetune.export_task']).toMatchObject({ binary: true, verb: 'GET' });
    const urls: string[] = [];
    const conn: RestConnection = {
      studioUrl: 'http://localhost:8888/sage-studio/',
      studioWsUrl: 'ws://localhost:8888/sage-studio/',
      request: async url => {
        urls.push(url);
        return new Response(new Uint8Array([80, 75, 3, 4]), {
          status: 200,
          headers: {
            'Content-Type': 'application/zip',
            'Content-Disposition': `attachment; filename="door codes - v1.zip"; filename*=UTF-8''door%20codes%20-%20v1.zip`
          }
        });
      },
      openSocket: () => {
        throw new Error('no sockets here');
      }
    };
    const r = await new RestTransport(conn).call<any>('finetune.export_task', { task_id: 'ft-1' });
    expect(urls).toEqual(['http://localhost:8888/sage-studio/api/finetune/tasks/ft-1/export']);
    expect(r).toMatchObject({
      filename: 'door codes - v1.zip',
      size: 4,
      content_type: 'application/zip'
    });
    expect(new Uint8Array(r.buffers[0].buffer)).toEqual(new Uint8Array([80, 75, 3, 4]));
  });
});
