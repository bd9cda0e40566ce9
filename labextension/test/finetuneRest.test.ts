import { describe, expect, it } from 'vitest';

import { RestConnection, RestTransport, SocketLike, attachmentName } from '../src/transport/rest';
import { EXTRA_ROUTES } from '../src/transport/routes';
import { OPERATIONS } from '../src/transport/operations';

const BASE = 'http://localhost:8888/a%40b/sage-studio/';

/** The core's task dict (`finetune.tasks`, over both transports): latest progress / eval events nested. */
const serverTask = {
  id: 'ft-1',
  name: 'tiny',
  status: 'running',
  created_at: 1,
  progress: { type: 'progress', step: 3, total_steps: 4, epoch: 0.75, loss: 2.5, eta_s: 2 },
  eval: { type: 'eval', step: 2, eval_loss: 2.75 },
  adapter_path: null
};

describe('download file names', () => {
  it('reads the download file name from Content-Disposition', () => {
    expect(attachmentName('attachment; filename="ft-1-adapter.zip"', 'f')).toBe('ft-1-adapter.zip');
    expect(attachmentName("attachment; filename*=UTF-8''caf%C3%A9.zip", 'f')).toBe('café.zip');
    expect(attachmentName(null, 'fallback.zip')).toBe('fallback.zip');
  });
});

class FakeSocket implements SocketLike {
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(public url: string) {}
  close(code?: number, reason?: string) {
    this.onclose?.({ code: code ?? 1000, reason: reason ?? '' });
  }
}

function transport(handler: (url: string) => Response) {
  const requests: string[] = [];
  const sockets: FakeSocket[] = [];
  const conn: RestConnection = {
    studioUrl: BASE,
    studioWsUrl: BASE.replace('http', 'ws'),
    request: async url => {
      requests.push(url);
      return handler(url);
    },
    openSocket: url => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    }
  };
  return { t: new RestTransport(conn), requests, sockets };
}

describe('RestTransport fine-tune routes', () => {
  it('the fine-tune operations use the generated routes; only upload and download are written by hand', () => {
    const extra = Object.keys(EXTRA_ROUTES);
    expect(extra.filter(m => m in OPERATIONS)).toEqual([]);
    expect(extra.filter(m => m.startsWith('finetune.')).sort()).toEqual([
      'finetune.download',
      'finetune.upload'
    ]);
    expect(EXTRA_ROUTES['finetune.download'].path).toBe('api/finetune/tasks/{task_id}/download');
  });

  it('finetune.download fetches the zip with auth and returns bytes as buffers', async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);
    const { t, requests } = transport(
      () =>
        new Response(zip, {
          status: 200,
          headers: {
            'Content-Type': 'application/zip',
            'Content-Disposition': 'attachment; filename="ft-1-adapter.zip"'
          }
        })
    );
    const r = await t.call('finetune.download', { task_id: 'ft-1' });
    expect(requests).toEqual([`${BASE}api/finetune/tasks/ft-1/download`]);
    expect(r).toMatchObject({
      filename: 'ft-1-adapter.zip',
      size: 7,
      content_type: 'application/zip'
    });
    expect(r.buffers).toHaveLength(1);
    expect(new Uint8Array(r.buffers[0].buffer)).toEqual(zip);
  });

  it('finetune.download surfaces the 404 of a task without an adapter', async () => {
    const { t } = transport(
      () =>
        new Response(JSON.stringify({ status: 404, message: "task 'x' has no adapter yet" }), {
          status: 404,
          headers: { 'Content-Type': 'application/json' }
        })
    );
    await expect(t.call('finetune.download', { task_id: 'x' })).rejects.toMatchObject({
      status: 404,
      message: "task 'x' has no adapter yet"
    });
  });

  it('finetune.tasks answers the core task dicts unchanged (as the widget does)', async () => {
    const { t, requests } = transport(
      () =>
        new Response(JSON.stringify({ tasks: [serverTask] }), {
          headers: { 'Content-Type': 'application/json' }
        })
    );
    const r = await t.call('finetune.tasks');
    expect(requests).toEqual([`${BASE}api/finetune/tasks`]);
    expect(r).toEqual({ tasks: [serverTask] });
  });

  it('finetune.get, .logs, .progress, .cancel, .delete take task_id in the path', async () => {
    const { t, requests } = transport(
      () => new Response('{}', { headers: { 'Content-Type': 'application/json' } })
    );
    await t.call('finetune.get', { task_id: 'ft-1' });
    await t.call('finetune.logs', { task_id: 'ft-1', lines: 200 });
    await t.call('finetune.progress', { task_id: 'ft-1' });
    await t.call('finetune.cancel', { task_id: 'ft-1' });
    await t.call('finetune.delete', { task_id: 'ft-1' });
    expect(requests.map(u => u.slice(BASE.length))).toEqual([
      'api/finetune/tasks/ft-1',
      'api/finetune/tasks/ft-1/logs?lines=200',
      'api/finetune/tasks/ft-1/progress',
      'api/finetune/tasks/ft-1/cancel',
      'api/finetune/tasks/ft-1'
    ]);
  });

  it('finetune.events is one socket whose messages arrive unchanged', async () => {
    const { t, sockets } = transport(() => new Response('{}'));
    const events: any[] = [];
    const handle = t.stream('finetune.events', {}, e => events.push(e));
    expect(sockets.map(s => s.url)).toEqual([`${BASE.replace('http', 'ws')}api/finetune/events`]);
    sockets[0].onmessage?.({ data: JSON.stringify({ type: 'snapshot', tasks: [serverTask] }) });
    expect(events).toEqual([{ type: 'snapshot', tasks: [serverTask] }]);
    handle.cancel();
    await expect(handle.done).resolves.toEqual({ cancelled: true });
  });

  it('use_in_chat sends merge_and_restart in the JSON body', async () => {
    const bodies: unknown[] = [];
    const conn: RestConnection = {
      studioUrl: BASE,
      studioWsUrl: BASE,
      request: async (_url, init) => {
        bodies.push(JSON.parse(String(init.body)));
        return new Response(JSON.stringify({ restarted: true }), {
          headers: { 'Content-Type': 'application/json' }
        });
      },
      openSocket: url => new FakeSocket(url)
    };
    const t = new RestTransport(conn);
    await t.call('finetune.use_in_chat', { task_id: 'ft-1', merge_and_restart: true });
    await t.call('finetune.use_in_chat', { task_id: 'ft-1' });
    expect(bodies).toEqual([{ merge_and_restart: true }, {}]);
  });
});
