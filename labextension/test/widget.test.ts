import { describe, expect, it } from 'vitest';

import { TransportError } from '../src/transport/types';
import { WidgetTransport } from '../src/transport/widget';

/** A stand-in for anywidget's model: records what JS sends, lets the test play the kernel. */
class FakeModel {
  sent: any[] = [];
  private handlers = new Map<string, Set<(...a: any[]) => void>>();
  send(content: unknown) {
    this.sent.push(content);
  }
  on(name: string, cb: (...a: any[]) => void) {
    if (!this.handlers.has(name)) {
      this.handlers.set(name, new Set());
    }
    this.handlers.get(name)!.add(cb);
  }
  off(name: string, cb: (...a: any[]) => void) {
    this.handlers.get(name)?.delete(cb);
  }
  kernel(msg: unknown, buffers?: DataView[]) {
    for (const cb of this.handlers.get('msg:custom') ?? []) {
      cb(msg, buffers ?? []);
    }
  }
  listeners() {
    return this.handlers.get('msg:custom')?.size ?? 0;
  }
}

describe('WidgetTransport', () => {
  it('sends a call message and resolves with the result value', async () => {
    const model = new FakeModel();
    const t = new WidgetTransport(model);
    const p = t.call('sessions.list', { q: 'x' });
    expect(model.sent).toHaveLength(1);
    const msg = model.sent[0];
    expect(msg).toMatchObject({ type: 'call', method: 'sessions.list', args: { q: 'x' } });
    expect(typeof msg.id).toBe('string');
    model.kernel({ type: 'result', id: msg.id, ok: true, value: { sessions: [] } });
    await expect(p).resolves.toEqual({ sessions: [] });
  });

  it('rejects with a TransportError carrying status and message', async () => {
    const model = new FakeModel();
    const t = new WidgetTransport(model);
    const p = t.call('sessions.get', { id: 'nope' });
    model.kernel({
      type: 'result',
      id: model.sent[0].id,
      ok: false,
      error: { status: 404, message: 'session not found' }
    });
    const err = await p.catch(e => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.status).toBe(404);
    expect(err.message).toBe('session not found');
  });

  it('streams events in order, then settles done with the result', async () => {
    const model = new FakeModel();
    const t = new WidgetTransport(model);
    const events: any[] = [];
    const h = t.stream('chat.send', { session_id: 's', content: 'hi' }, e => events.push(e));
    const { id } = model.sent[0];
    expect(model.sent[0]).toMatchObject({ type: 'call', stream: true, method: 'chat.send' });
    model.kernel({ type: 'event', id, event: { type: 'token', text: 'Hel' } });
    model.kernel({ type: 'event', id, event: { type: 'token', text: 'lo' } });
    model.kernel({ type: 'event', id: 'someone-else', event: { type: 'token', text: 'x' } });
    model.kernel({ type: 'result', id, ok: true, value: { content: 'Hello' } });
    await expect(h.done).resolves.toEqual({ content: 'Hello' });
    expect(events.map(e => e.text)).toEqual(['Hel', 'lo']);
  });

  it('cancel sends a cancel message with the stream id; the kernel result settles done', async () => {
    const model = new FakeModel();
    const t = new WidgetTransport(model);
    const h = t.stream('flow.run', { flow: {} }, () => undefined);
    const { id } = model.sent[0];
    h.cancel();
    expect(model.sent[1]).toEqual({ type: 'cancel', id });
    model.kernel({ type: 'result', id, ok: true, value: { cancelled: true } });
    await expect(h.done).resolves.toEqual({ cancelled: true });
    h.cancel(); // after the result: nothing more is sent
    expect(model.sent).toHaveLength(2);
  });

  it('uses unique ids and attaches binary buffers to values', async () => {
    const model = new FakeModel();
    const t = new WidgetTransport(model);
    const a = t.call('finetune.get', { task_id: 'a' });
    const b = t.call('finetune.get', { task_id: 'b' });
    expect(model.sent[0].id).not.toBe(model.sent[1].id);
    const buf = new DataView(new Float32Array([1, 2]).buffer);
    model.kernel({ type: 'result', id: model.sent[1].id, ok: true, value: { id: 'b' } }, [buf]);
    await expect(b).resolves.toMatchObject({ id: 'b', buffers: [buf] });
    model.kernel({ type: 'result', id: model.sent[0].id, ok: true, value: { id: 'a' } });
    await expect(a).resolves.toEqual({ id: 'a' });
  });

  it('dispose stops listening and rejects calls in flight', async () => {
    const model = new FakeModel();
    const t = new WidgetTransport(model);
    const p = t.call('health');
    expect(model.listeners()).toBe(1);
    t.dispose();
    expect(model.listeners()).toBe(0);
    await expect(p).rejects.toBeInstanceOf(TransportError);
  });
});
