/**
 * One live task table per transport, shared by every fine-tune view (the sidebar list and the main panel show
 * the same rows). It is fed by one push stream, `finetune.events` (snapshot, then per-task changes), which is
 * open only while at least one fine-tune view is visible: `watch()` counts them, the last release closes it.
 * Both transports send the core's task dicts; the flat rows a table shows are derived here (`taskRow`).
 */
import { useEffect, useSyncExternalStore } from 'react';

import { StreamHandle, StudioEvent, Transport } from '../transport/types';
import { useActive, useTransport } from './common';

type Obj = Record<string, any>;

/**
 * A table row: the task dict of `finetune.tasks` / `finetune.events` (the same over both transports) with its
 * latest `progress` / `eval` events flattened — `step`, `total_steps`, `epoch`, `loss`, `eval_loss`, `eta_s`,
 * `tokens_per_s` at the top and `progress` a fraction (0..1).
 */
export type TaskRow = Obj & { id: string; status: string; progress: number };

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Fields of the latest progress event a row shows. */
const EVENT_FIELDS = ['step', 'total_steps', 'epoch', 'loss', 'eta_s', 'tokens_per_s'];
/** Flat fields of a `finetune.events` progress message; a null value never erases a known one. */
const PROGRESS_KEYS = ['step', 'total_steps', 'epoch', 'loss', 'eval_loss', 'eta_s'];

const known = (v: unknown) => v !== undefined && v !== null;
const asObj = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});

/** The share of the steps done (a completed task is full). */
export function fraction(step: unknown, total: unknown, status: unknown): number {
  if (status === 'completed') {
    return 1;
  }
  const s = Number(step);
  const t = Number(total);
  return t > 0 && s >= 0 ? Math.min(1, s / t) : 0;
}

/** A task dict (latest `progress` / `eval` events nested) → its table row. */
export function taskRow(task: Obj): TaskRow {
  const { progress, eval: evaluation, ...rest } = task;
  const p = asObj(progress);
  const row: Obj = { ...rest };
  for (const key of EVENT_FIELDS) {
    if (known(p[key])) {
      row[key] = p[key];
    }
  }
  row.eval_loss = asObj(evaluation).eval_loss ?? null;
  row.progress = fraction(p.step, p.total_steps, task.status);
  return row as TaskRow;
}

function patch(rows: TaskRow[], id: unknown, fn: (row: TaskRow) => TaskRow): TaskRow[] {
  const i = rows.findIndex(r => r.id === id);
  if (i < 0) {
    return rows;
  }
  const next = [...rows];
  next[i] = fn(rows[i]);
  return next;
}

function withStatus(row: TaskRow, status: unknown): TaskRow {
  if (typeof status !== 'string' || !status) {
    return row;
  }
  return { ...row, status, ...(status === 'completed' ? { progress: 1 } : {}) };
}

/**
 * Apply one message to the rows (newest first): the `finetune.events` messages `snapshot {tasks}`,
 * `task {task}` (new or changed), `progress {task_id, status, step, …, progress: <event>, eval: <event>}`,
 * `deleted {task_id}`, and a task stream's `status`/`task_status {task_id, status}`.
 */
export function reduceTasks(rows: TaskRow[], e: StudioEvent): TaskRow[] {
  switch (e.type) {
    case 'snapshot':
      return Array.isArray(e.tasks) ? e.tasks.map(taskRow) : rows;
    case 'task': {
      const task = e.task as Obj | undefined;
      if (!task?.id) {
        return rows;
      }
      const row = taskRow(task);
      return rows.some(r => r.id === task.id)
        ? patch(rows, task.id, r => ({ ...r, ...row }))
        : [row, ...rows];
    }
    case 'progress':
      return patch(rows, e.task_id, r => {
        const next: TaskRow = { ...r };
        for (const key of PROGRESS_KEYS) {
          if (known(e[key])) {
            next[key] = e[key];
          }
        }
        const tokens = asObj(e.progress).tokens_per_s;
        if (known(tokens)) {
          next.tokens_per_s = tokens;
        }
        next.progress = fraction(next.step, next.total_steps, e.status ?? r.status);
        return withStatus(next, e.status);
      });
    case 'status':
    case 'task_status':
      return patch(rows, e.task_id, r => withStatus(r, e.status));
    case 'deleted':
      return rows.filter(r => r.id !== e.task_id);
    default:
      return rows;
  }
}

export interface TaskTableState {
  rows: TaskRow[];
  /** A snapshot arrived at least once. */
  loaded: boolean;
  /** The push stream is open. */
  live: boolean;
  error: unknown;
}

export interface StoreOptions {
  /** First reconnect delay after the stream ended while still watched (doubles up to `maxRetryMs`). */
  retryMs?: number;
  maxRetryMs?: number;
}

export class TaskTableStore {
  private state: TaskTableState = { rows: [], loaded: false, live: false, error: null };
  private readonly listeners = new Set<() => void>();
  private watchers = 0;
  private handle: StreamHandle | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private delay: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;

  constructor(
    private readonly transport: Transport,
    options: StoreOptions = {}
  ) {
    this.retryMs = options.retryMs ?? 2000;
    this.maxRetryMs = options.maxRetryMs ?? 30000;
    this.delay = this.retryMs;
  }

  getState = (): TaskTableState => this.state;

  /** Re-render hook for React (`useSyncExternalStore`); does not open the stream. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A visible view needs live rows: the first watcher opens the stream; the returned release closes the last. */
  watch(): () => void {
    this.watchers += 1;
    if (this.watchers === 1) {
      this.open();
    }
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      this.watchers -= 1;
      if (this.watchers === 0) {
        this.close();
      }
    };
  }

  get watching(): number {
    return this.watchers;
  }

  /** Apply a message known locally (e.g. the detail stream saw a status first). */
  apply(e: StudioEvent): void {
    const rows = reduceTasks(this.state.rows, e);
    const loaded = this.state.loaded || e.type === 'snapshot';
    if (rows !== this.state.rows || loaded !== this.state.loaded) {
      this.set({ rows, loaded });
    }
  }

  /** Drop the stream and open a fresh one (a new snapshot), e.g. after an error. */
  reconnect(): void {
    if (this.watchers > 0) {
      this.close();
      this.delay = this.retryMs;
      this.open();
    }
  }

  private set(part: Partial<TaskTableState>): void {
    this.state = { ...this.state, ...part };
    for (const listener of [...this.listeners]) {
      listener();
    }
  }

  private open(): void {
    const handle: StreamHandle = this.transport.stream('finetune.events', {}, e => {
      if (this.handle !== handle) {
        return; // a late message of a stream we closed
      }
      if (e.type === 'snapshot') {
        this.delay = this.retryMs;
        if (this.state.error) {
          this.set({ error: null });
        }
      }
      this.apply(e);
    });
    this.handle = handle;
    this.set({ live: true });
    handle.done.then(
      () => this.ended(handle, null),
      err => this.ended(handle, err)
    );
  }

  private ended(handle: StreamHandle, error: unknown): void {
    if (this.handle !== handle) {
      return; // closed on purpose
    }
    this.handle = null;
    this.set({ live: false, ...(error ? { error } : {}) });
    if (this.watchers > 0 && !this.timer) {
      // Still watched (the server went away or restarted): try again, more slowly each time.
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.watchers > 0 && !this.handle) {
          this.open();
        }
      }, this.delay);
      this.delay = Math.min(this.delay * 2, this.maxRetryMs);
    }
  }

  private close(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const handle = this.handle;
    this.handle = null;
    handle?.cancel();
    if (this.state.live) {
      this.set({ live: false });
    }
  }
}

const stores = new WeakMap<Transport, TaskTableStore>();

/** The one store of a transport (all panels of a JupyterLab share one RestTransport). */
export function taskTableStore(transport: Transport): TaskTableStore {
  let store = stores.get(transport);
  if (!store) {
    store = new TaskTableStore(transport);
    stores.set(transport, store);
  }
  return store;
}

/** The live task table for a view; the stream stays open only while the view is visible. */
export function useTaskTable(): TaskTableState & { store: TaskTableStore } {
  const store = taskTableStore(useTransport());
  const active = useActive();
  const state = useSyncExternalStore(store.subscribe, store.getState);
  useEffect(() => (active ? store.watch() : undefined), [store, active]);
  return { ...state, store };
}
