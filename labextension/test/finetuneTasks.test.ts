import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { TransportError } from '../src/transport/types';
import { TaskTableStore, reduceTasks, taskRow, taskTableStore } from '../src/views/finetuneTasks';
import { FakeTransport } from './harness';

/** A task dict as both transports send it (`finetune.tasks`, `finetune.events`): latest events nested. */
const task = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  status: 'running',
  progress: null,
  eval: null,
  adapter_path: null,
  ...extra
});
const serverTask = task('ft-1', {
  progress: { type: 'progress', step: 3, total_steps: 4, epoch: 0.75, loss: 2.5, eta_s: 2 },
  eval: { type: 'eval', step: 2, eval_loss: 2.75 }
});
/** Let promise callbacks run (timers are fake in some tests). */
const tick = async () => {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
};

describe('taskRow', () => {
  it('flattens the latest events of a task dict into a table row', () => {
    const row = taskRow(serverTask);
    expect(row).toMatchObject({
      id: 'ft-1',
      status: 'running',
      progress: 0.75,
      step: 3,
      total_steps: 4,
      epoch: 0.75,
      loss: 2.5,
      eval_loss: 2.75,
      eta_s: 2,
      adapter_path: null
    });
    expect('eval' in row).toBe(false);
    expect(taskRow({ ...serverTask, status: 'completed' }).progress).toBe(1);
    expect(taskRow(task('x'))).toMatchObject({ progress: 0, eval_loss: null });
    expect('loss' in taskRow(task('x'))).toBe(false);
  });
});

describe('reduceTasks', () => {
  const rows = [
    taskRow(task('b')),
    taskRow(
      task('a', { progress: { step: 1, total_steps: 6, loss: 2.5 }, eval: { eval_loss: 2.9 } })
    )
  ];

  it('a snapshot replaces the rows', () => {
    expect(reduceTasks(rows, { type: 'snapshot', tasks: [serverTask] })).toEqual([
      taskRow(serverTask)
    ]);
  });

  it('a new task goes first; a known task is merged', () => {
    const added = reduceTasks(rows, { type: 'task', task: task('c', { status: 'queued' }) });
    expect(added.map(r => r.id)).toEqual(['c', 'b', 'a']);
    expect(added[0]).toMatchObject({ status: 'queued', progress: 0 });
    const changed = reduceTasks(rows, {
      type: 'task',
      task: task('a', {
        status: 'failed',
        error: 'boom',
        progress: { step: 2, total_steps: 6, loss: 2.4 }
      })
    });
    expect(changed[1]).toMatchObject({
      id: 'a',
      status: 'failed',
      error: 'boom',
      loss: 2.4,
      step: 2
    });
    expect(changed[0]).toBe(rows[0]); // untouched rows keep their identity
  });

  it('a progress message updates the fields it carries and never erases with null', () => {
    // The `finetune.events` progress message: flat fields, the raw latest events nested.
    const next = reduceTasks(rows, {
      type: 'progress',
      task_id: 'a',
      status: 'running',
      step: 3,
      total_steps: 6,
      epoch: 0.5,
      loss: 2.1,
      eta_s: 12,
      eval_loss: null,
      progress: { type: 'progress', step: 3, total_steps: 6, loss: 2.1, tokens_per_s: 88 },
      eval: null
    });
    expect(next[1]).toMatchObject({
      step: 3,
      progress: 0.5,
      loss: 2.1,
      eval_loss: 2.9,
      eta_s: 12,
      tokens_per_s: 88
    });
    expect(reduceTasks(rows, { type: 'progress', task_id: 'zzz', loss: 1 })).toBe(rows);
  });

  it('a completed status fills the bar; deleted removes the row', () => {
    const done = reduceTasks(rows, { type: 'task_status', task_id: 'b', status: 'completed' });
    expect(done[0]).toMatchObject({ status: 'completed', progress: 1 });
    expect(reduceTasks(rows, { type: 'deleted', task_id: 'b' }).map(r => r.id)).toEqual(['a']);
  });

  it('ignores messages it does not know', () => {
    expect(reduceTasks(rows, { type: 'hello' })).toBe(rows);
    expect(reduceTasks(rows, { type: 'task' })).toBe(rows);
  });
});

describe('TaskTableStore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens one stream for any number of visible views and closes it with the last', () => {
    const t = new FakeTransport();
    const store = new TaskTableStore(t);
    expect(t.streams).toHaveLength(0); // nothing live until a view is visible
    const sidebar = store.watch();
    const main = store.watch();
    expect(t.open()).toHaveLength(1);
    expect(t.streams[0].method).toBe('finetune.events');
    expect(store.getState().live).toBe(true);
    sidebar();
    sidebar(); // releasing twice counts once
    expect(t.open()).toHaveLength(1);
    main();
    expect(t.open()).toHaveLength(0);
    expect(store.getState().live).toBe(false);
    // Visible again: a fresh stream (and so a fresh snapshot).
    store.watch();
    expect(t.open()).toHaveLength(1);
    expect(t.streams).toHaveLength(2);
  });

  it('feeds every subscriber from the pushed messages', () => {
    const t = new FakeTransport();
    const store = new TaskTableStore(t);
    const seen: number[] = [];
    store.subscribe(() => seen.push(store.getState().rows.length));
    store.watch();
    expect(store.getState().loaded).toBe(false);
    t.streams[0].push({ type: 'snapshot', tasks: [task('a')] });
    t.streams[0].push({ type: 'task', task: task('b') });
    t.streams[0].push({
      type: 'progress',
      task_id: 'b',
      status: 'running',
      step: 1,
      total_steps: 2,
      progress: { step: 1, total_steps: 2 }
    });
    const state = store.getState();
    expect(state.loaded).toBe(true);
    expect(state.rows.map(r => r.id)).toEqual(['b', 'a']);
    expect(state.rows[0].progress).toBe(0.5);
    expect(seen.at(-1)).toBe(2);
  });

  it('ignores late messages of a stream it closed', () => {
    const t = new FakeTransport();
    const store = new TaskTableStore(t);
    const release = store.watch();
    const first = t.streams[0];
    first.push({ type: 'snapshot', tasks: [task('a')] });
    release();
    first.push({ type: 'task', task: task('ghost') });
    expect(store.getState().rows.map(r => r.id)).toEqual(['a']);
  });

  it('reconnects with backoff while watched, and not after the view is hidden', async () => {
    const t = new FakeTransport();
    const store = new TaskTableStore(t, { retryMs: 100, maxRetryMs: 250 });
    const release = store.watch();
    t.streams[0].fail(new TransportError(0, 'stream refused or unreachable'));
    await tick();
    expect(store.getState()).toMatchObject({ live: false });
    expect(String(store.getState().error)).toMatch(/unreachable/);
    vi.advanceTimersByTime(99);
    expect(t.streams).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.streams).toHaveLength(2); // retried after 100 ms
    t.streams[1].end(); // the server closed it (restart): try again, later
    await tick();
    vi.advanceTimersByTime(199);
    expect(t.streams).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(t.streams).toHaveLength(3);
    // A snapshot clears the error and resets the backoff.
    t.streams[2].push({ type: 'snapshot', tasks: [] });
    expect(store.getState().error).toBeNull();
    t.streams[2].end();
    await tick();
    release(); // hidden before the retry fires: nothing reopens
    vi.advanceTimersByTime(1000);
    expect(t.streams).toHaveLength(3);
    expect(t.open()).toHaveLength(0);
  });

  it('reconnect() replaces the stream; one store per transport', () => {
    const t = new FakeTransport();
    const store = taskTableStore(t);
    expect(taskTableStore(t)).toBe(store);
    expect(taskTableStore(new FakeTransport())).not.toBe(store);
    store.reconnect(); // not watched: nothing to do
    expect(t.streams).toHaveLength(0);
    store.watch();
    store.reconnect();
    expect(t.streams).toHaveLength(2);
    expect(t.streams[0].cancelled).toBe(true);
    expect(t.open()).toHaveLength(1);
  });
});
