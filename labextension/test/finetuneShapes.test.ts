import { describe, expect, it } from 'vitest';

import { attachmentName, flatTask, flatTaskEvent } from '../src/transport/finetuneShapes';
import { RestConnection, RestTransport, SocketLike } from '../src/transport/rest';

const BASE = 'http://localhost:8888/a%40b/sage-studio/';

/** The server's task dict (`GET api/finetune/tasks`): latest progress / eval events nested. */
const serverTask = {
  id: 'ft-1',
  name: 'tiny',
  status: 'running',
  created_at: 1,
  progress: { type: 'progress', step: 3, total_steps: 4, epoch: 0.75, loss: 2.5, eta_s: 2 },
  eval: { type: 'eval', step: 2, eval_loss: 2.75 },
  adapter_path: null
};

describe('fine-tune shapes', () => {
  it('flattens a server task into a table row; flat rows pass through', () => {
    const row = flatTask(serverTask);
    expect(row).toMatchObject({
      id: 'ft-1',
      status: 'running',
      progress: 0.75,
      step: 3,
      total_steps: 4,
      epoch: 0.75,
      loss: 2.5,
      eval_loss: 2.75,
      eta_s: 2
    });
    expect('eval' in row).toBe(false);
    expect(flatTask({ ...serverTask, status: 'completed' }).progress).toBe(1);
    expect(flatTask({ ...serverTask, progress: null, eval: null })).toMatchObject({
      progress: 0,
      eval_loss: null
    });
    const flat = { id: 'x', status: 'queued', progress: 0.2, loss: 1 };
    expect(flatTask(flat)).toBe(flat);
  });

  it('maps finetune.events messages to the contract', () => {
    expect(flatTaskEvent({ type: 'snapshot', tasks: [serverTask] }).tasks[0].progress).toBe(0.75);
    expect(flatTaskEvent({ type: 'task', task: serverTask }).task.loss).toBe(2.5);
    const progress = flatTaskEvent({
      type: 'progress',
      task_id: 'ft-1',
      status: 'running',
      step: 1,
      total_steps: 4,
      epoch: 0.25,
      loss: 3,
      eta_s: 9,
      eval_loss: null,
      progress: { step: 1, total_steps: 4, tokens_per_s: 88 },
      eval: null
    });
    expect(progress).toEqual({
      type: 'progress',
      task_id: 'ft-1',
      status: 'running',
      step: 1,
      total_steps: 4,
      epoch: 0.25,
      loss: 3,
      eta_s: 9,
      eval_loss: null,
      tokens_per_s: 88,
      progress: 0.25
    });
    expect(flatTaskEvent({ type: 'deleted', task_id: 'x' })).toEqual({
      type: 'deleted',
      task_id: 'x'
    });
  });

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
    const r = await t.call('finetune.download', { id: 'ft-1' });
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
    await expect(t.call('finetune.download', { id: 'x' })).rejects.toMatchObject({
      status: 404,
      message: "task 'x' has no adapter yet"
    });
  });

  it('finetune.tasks rows are flat', async () => {
    const { t } = transport(
      () =>
        new Response(JSON.stringify({ tasks: [serverTask] }), {
          headers: { 'Content-Type': 'application/json' }
        })
    );
    const r = await t.call('finetune.tasks');
    expect(r.tasks[0]).toMatchObject({ id: 'ft-1', progress: 0.75, eval_loss: 2.75 });
  });

  it('finetune.events is one socket whose messages arrive in the contract shape', async () => {
    const { t, sockets } = transport(() => new Response('{}'));
    const events: any[] = [];
    const handle = t.stream('finetune.events', {}, e => events.push(e));
    expect(sockets.map(s => s.url)).toEqual([`${BASE.replace('http', 'ws')}api/finetune/events`]);
    sockets[0].onmessage?.({ data: JSON.stringify({ type: 'snapshot', tasks: [serverTask] }) });
    expect(events[0].tasks[0].progress).toBe(0.75);
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
    await t.call('finetune.use_in_chat', { id: 'ft-1', merge_and_restart: true });
    await t.call('finetune.use_in_chat', { id: 'ft-1' });
    expect(bodies).toEqual([{ merge_and_restart: true }, {}]);
  });
});
