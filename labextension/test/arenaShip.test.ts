// @vitest-environment jsdom
/**
 * Shipping an arena winner against a fake transport: *Set as this session's model* writes `settings.model` of the
 * chosen session (`sessions.update`), *Merge & export* finds the adapter's task (served under its task id) and
 * merges it (`finetune.merge`), showing the merged folder; an adapter that is no task's says so. And the task
 * export over REST: a `binary` operation resolves to the file's bytes and its attachment name.
 */
import { act, createElement } from 'react';
import { describe, expect, it } from 'vitest';

import { OPERATIONS } from '../src/transport/operations';
import { RestConnection, RestTransport } from '../src/transport/rest';
import { Transport } from '../src/transport/types';
import { ArenaShip } from '../src/views/ArenaShip';
import { click, FakeTransport, mountDom } from './harness';

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

const dom = mountDom();
const render = (transport: Transport, model: string) =>
  dom.render(transport, createElement(ArenaShip, { model }));
const button = dom.button;

describe('ArenaShip', () => {
  it("sets the chosen session's model to the adapter", async () => {
    const t = new FakeTransport(ANSWERS);
    await render(t, 'ft-1');
    const select = dom.container.querySelector(
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
    expect(dom.container.textContent).toContain('“Support chat” now answers with ft-1.');
  });

  it("merges the adapter's task and shows the merged folder", async () => {
    const t = new FakeTransport(ANSWERS);
    await render(t, 'ft-1');
    await click(button('Merge & export'));
    expect(t.argsOf('finetune.merge')).toEqual([{ task_id: 'ft-1' }]);
    const merged = dom.container.querySelector('.sage-arena-merged')!;
    expect(merged.getAttribute('data-path')).toBe('/home/u/finetune/ft-1/merged');
    expect(dom.container.querySelector('.sage-error')).toBeNull();
  });

  it('says so when the adapter is no fine-tune task of this Studio', async () => {
    const t = new FakeTransport(ANSWERS);
    await render(t, 'hand-loaded');
    await click(button('Merge & export'));
    expect(t.argsOf('finetune.merge')).toEqual([]);
    expect(dom.container.querySelector('.sage-error')!.textContent).toContain(
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
