/**
 * Method name → server route (docs/TRANSPORT.md). Every operation of openapi.json answers over REST exactly
 * as over a widget (same argument names, same result), so its route comes from the generated `OPERATIONS`
 * table. Written here by hand: the streams and the few methods that are not operations (`chat.models`, the
 * OpenAI `v1/models`; the multipart dataset upload; the adapter zip download). Paths are relative to
 * `<base_url>/sage-studio/`; `{name}` segments are filled from args (and removed from them).
 */
import { OPERATIONS, OperationRoute } from './operations';

type Obj = Record<string, any>;
export type Caller = (method: string, args?: Obj) => Promise<any>;

export interface CallRoute extends OperationRoute {
  /** Send the args as multipart/form-data (file uploads). */
  multipart?: (rest: Obj) => FormData;
  /** A file answer: the result is `{filename, size, content_type, buffers: [DataView]}` (as over a widget). */
  binary?: boolean;
}

/** Methods that are not operations of openapi.json: the same names and arguments as the widget methods. */
export const EXTRA_ROUTES: Record<string, CallRoute> = {
  'chat.models': { verb: 'GET', path: 'v1/models' },
  // `{name, content}` (the file's text, as the widget's `finetune.upload` takes it) → the multipart upload.
  'finetune.upload': {
    verb: 'POST',
    path: 'api/finetune/upload-dataset',
    multipart: rest => {
      const form = new FormData();
      const name = String(rest.name || 'dataset.jsonl');
      form.append('name', name);
      form.append(
        'file',
        new Blob([String(rest.content ?? '')], { type: 'application/jsonl' }),
        name
      );
      return form;
    }
  },
  'finetune.download': {
    verb: 'GET',
    path: 'api/finetune/tasks/{task_id}/download',
    binary: true
  }
};

/** The route of a request/response method, or undefined for an unknown one. */
export function callRoute(method: string): CallRoute | undefined {
  return OPERATIONS[method] ?? EXTRA_ROUTES[method];
}

export interface SSERequest {
  path: string;
  body: unknown;
}

export type StreamRoute =
  | { kind: 'sse'; prepare: (args: Obj, call: Caller) => Promise<SSERequest> }
  | {
      kind: 'ws';
      path: string;
      terminal?: (e: Obj) => boolean;
      /** Query arg names the server spells differently. */
      rename?: Record<string, string>;
    }
  | {
      kind: 'start+ws';
      /** The method that starts the work and answers its `run_id`. */
      start: string;
      /** Path of the event socket, filled from the start call's result. */
      ws: string;
      /** The method that stops it, called with `{run_id}`. */
      cancel?: string;
      terminal: (e: Obj) => boolean;
    };

const FLOW_TERMINAL = new Set(['run_finished', 'run_failed', 'run_cancelled']);

/** One chat turn: a new message, a regenerated or continued answer, or an edited user message (a new branch). */
async function chatTurn(args: Obj, call: Caller): Promise<SSERequest> {
  const { session_id, content, source, model } = args;
  const sid = encodeURIComponent(String(session_id ?? ''));
  if (!session_id) {
    throw new Error("missing argument 'session_id'");
  }
  if (args.regenerate) {
    return { path: `api/chat/sessions/${sid}/regenerate`, body: { source, model, stream: true } };
  }
  if (args.continue_answer) {
    return { path: `api/chat/sessions/${sid}/continue`, body: { source, model, stream: true } };
  }
  if (args.parent_id !== undefined) {
    // The contract names the parent of the new branch; the server edits the user message under it.
    const session = await call('sessions.get', { session_id });
    const edited = (session.messages ?? []).find(
      (m: Obj) => m.role === 'user' && (m.parent_id ?? null) === (args.parent_id ?? null)
    );
    if (edited) {
      return {
        path: `api/chat/sessions/${sid}/messages/${encodeURIComponent(edited.id)}/edit?stream=1`,
        body: { content, source, model, generate: true }
      };
    }
  }
  return {
    path: `api/chat/sessions/${sid}/messages`,
    body: {
      content,
      source,
      model,
      stream: true,
      ...(args.context ? { context: args.context } : {})
    }
  };
}

export const STREAM_ROUTES: Record<string, StreamRoute> = {
  'chat.send': { kind: 'sse', prepare: chatTurn },
  // Two answers in one stream: token events carry their `side`.
  'improve.arena': {
    kind: 'sse',
    prepare: async args => ({ path: 'api/improve/arena', body: args })
  },
  'gpu.watch': { kind: 'ws', path: 'api/system/gpu/stream', rename: { interval_s: 'interval' } },
  'finetune.watch': { kind: 'ws', path: 'api/finetune/tasks/{task_id}/events' },
  'finetune.events': { kind: 'ws', path: 'api/finetune/events' },
  'flow.run': {
    kind: 'start+ws',
    start: 'flow.start',
    ws: 'api/flow/runs/{run_id}/events',
    cancel: 'flow.cancel',
    terminal: e => FLOW_TERMINAL.has(String(e.type))
  }
};

/** Fill `{name}` segments from args; returns the path and the args that were not used. */
export function fillPath(path: string, args: Obj): { path: string; rest: Obj } {
  const rest = { ...args };
  const filled = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = rest[name];
    if (value === undefined || value === null || value === '') {
      throw new Error(`missing argument '${name}'`);
    }
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  return { path: filled, rest };
}

export function queryString(args: Obj): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) {
      continue;
    }
    params.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Apply a route's renames to the args left after the path was filled. */
export function renameArgs(rename: Record<string, string> | undefined, rest: Obj): Obj {
  if (!rename) {
    return rest;
  }
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [rename[k] ?? k, v]));
}
