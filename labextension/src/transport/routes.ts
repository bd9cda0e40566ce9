/**
 * Method name → server route (docs/TRANSPORT.md). Every operation of openapi.json answers over REST exactly
 * as over a widget (same argument names, same result), so its route comes from the generated `OPERATIONS`
 * table. Written here by hand: the streams, `chat.models` (the OpenAI `v1/models`) and the fine-tune routes
 * that are not operations yet, with their adapters. Paths are relative to `<base_url>/sage-studio/`; `{name}`
 * segments are filled from args (and removed from them).
 */
import { flatTask, flatTaskEvent } from './finetuneShapes';
import { OPERATIONS, OperationRoute } from './operations';

type Obj = Record<string, any>;
export type Caller = (method: string, args?: Obj) => Promise<any>;

export interface CallRoute extends OperationRoute {
  /** Arg names the server spells differently (`tail` → `lines`). */
  rename?: Record<string, string>;
  /** The JSON body from the remaining args (default: the args themselves). */
  json?: (rest: Obj) => unknown;
  /** Send the args as multipart/form-data (file uploads). */
  multipart?: (rest: Obj) => FormData;
  /** Reshape the server's answer into the contract's result. */
  result?: (value: any, args: Obj) => any;
  /** A file answer: the result is `{filename, size, content_type, buffers: [DataView]}` (as over a widget). */
  binary?: boolean;
}

const textLines = (r: Obj) =>
  Array.isArray(r?.lines)
    ? r
    : {
        lines: String(r?.text ?? '')
          .split('\n')
          .filter(Boolean)
      };

/**
 * Routes that are not (yet) operations of openapi.json. The fine-tune ones keep their adapters until the
 * fine-tune area is ported to the Studio API; they win over a generated entry of the same name meanwhile.
 */
export const EXTRA_ROUTES: Record<string, CallRoute> = {
  'chat.models': { verb: 'GET', path: 'v1/models' },
  'finetune.models': { verb: 'GET', path: 'api/finetune/models' },
  'finetune.datasets': { verb: 'GET', path: 'api/finetune/datasets' },
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
  'finetune.tasks': {
    verb: 'GET',
    path: 'api/finetune/tasks',
    result: r => ({ ...r, tasks: (r?.tasks ?? []).map(flatTask) })
  },
  'finetune.create': {
    verb: 'POST',
    path: 'api/finetune/tasks',
    // The server takes one flat TaskConfig; the contract nests hyperparameters under `config`.
    json: ({ base_model, config, ...rest }) => ({
      ...rest,
      ...(base_model ? { model: base_model } : {}),
      ...config
    })
  },
  'finetune.get': { verb: 'GET', path: 'api/finetune/tasks/{id}' },
  'finetune.logs': {
    verb: 'GET',
    path: 'api/finetune/tasks/{id}/logs',
    rename: { tail: 'lines' },
    result: textLines
  },
  'finetune.cancel': { verb: 'POST', path: 'api/finetune/tasks/{id}/cancel' },
  'finetune.delete': { verb: 'DELETE', path: 'api/finetune/tasks/{id}' },
  'finetune.use_in_chat': { verb: 'POST', path: 'api/finetune/tasks/{id}/use-in-chat' },
  'finetune.merge': { verb: 'POST', path: 'api/finetune/tasks/{id}/merge' },
  'finetune.download': { verb: 'GET', path: 'api/finetune/tasks/{id}/download', binary: true }
};

/** The route of a request/response method, or undefined for an unknown one. */
export function callRoute(method: string): CallRoute | undefined {
  return EXTRA_ROUTES[method] ?? OPERATIONS[method];
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
      /** Reshape each server message into the contract's event. */
      event?: (e: Obj) => Obj;
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

/** One chat turn: a new message, a regenerated answer, or an edited user message (a new branch). */
async function chatTurn(args: Obj, call: Caller): Promise<SSERequest> {
  const { session_id, content, source, model } = args;
  const sid = encodeURIComponent(String(session_id ?? ''));
  if (!session_id) {
    throw new Error("missing argument 'session_id'");
  }
  if (args.regenerate) {
    return { path: `api/chat/sessions/${sid}/regenerate`, body: { source, model, stream: true } };
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
    body: { content, source, model, stream: true }
  };
}

export const STREAM_ROUTES: Record<string, StreamRoute> = {
  'chat.send': { kind: 'sse', prepare: chatTurn },
  'gpu.watch': { kind: 'ws', path: 'api/system/gpu/stream', rename: { interval_s: 'interval' } },
  'finetune.watch': { kind: 'ws', path: 'api/finetune/tasks/{id}/events' },
  'finetune.events': { kind: 'ws', path: 'api/finetune/events', event: flatTaskEvent },
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
