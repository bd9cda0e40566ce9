/**
 * Method name → server route (docs/TRANSPORT.md). Paths are relative to `<base_url>/sage-studio/`;
 * `{name}` segments are filled from args (and removed from them). Keep every route in this one table: where
 * a server route's shape differs from the transport contract, the adaptation lives here, not in the views.
 */
import { flatTask, flatTaskEvent } from './finetuneShapes';

export type Verb = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type Obj = Record<string, any>;
export type Caller = (method: string, args?: Obj) => Promise<any>;

export interface CallRoute {
  verb: Verb;
  path: string;
  /** Send the remaining args in the query string even for POST (routes that read `?x=`). */
  query?: boolean;
  /** Arg names the server spells differently (`tail` → `lines`). */
  rename?: Record<string, string>;
  /** Args the server does not take. */
  drop?: string[];
  /** The JSON body from the remaining args (default: the args themselves). */
  body?: (rest: Obj) => unknown;
  /** Send the args as multipart/form-data (file uploads). */
  multipart?: (rest: Obj) => FormData;
  /** A non-JSON answer (e.g. text/x-python) becomes `{[textKey]: text}`. */
  textKey?: string;
  /** Reshape the server's answer into the contract's result. */
  result?: (value: any, args: Obj) => any;
  /** A file answer: the result is `{filename, size, content_type, buffers: [DataView]}` (as over a widget). */
  binary?: boolean;
}

/** Methods answered by combining other calls (no single server route). */
export const COMPOSITE: Record<string, (args: Obj, call: Caller) => Promise<any>> = {
  'memory.config': async (args, call) => {
    const [config, list] = await Promise.all([
      call('memory.config_only', args),
      call('sessions.list').catch(() => null)
    ]);
    return { total_sessions: list?.sessions?.length, ...config };
  },
  'memory.stats': async (args, call) => {
    if (args.session_id) {
      return call('memory.session_stats', { session_id: args.session_id });
    }
    const list = await call('sessions.list');
    const rows = await Promise.all(
      (list.sessions ?? []).slice(0, 25).map((s: Obj) =>
        call('memory.session_stats', { session_id: s.id }).then(
          r => r.sessions.map((row: Obj) => ({ title: s.title, ...row })),
          () => []
        )
      )
    );
    return { sessions: rows.flat() };
  }
};

const engineList = (r: Obj) =>
  r && Array.isArray(r.engines)
    ? r
    : { engines: r && r.status && r.status !== 'stopped' ? [r] : [] };
const textLines = (r: Obj) =>
  Array.isArray(r?.lines)
    ? r
    : {
        lines: String(r?.text ?? '')
          .split('\n')
          .filter(Boolean)
      };

export const CALL_ROUTES: Record<string, CallRoute> = {
  health: { verb: 'GET', path: 'api/health' },
  // engine, models, GPU
  'engine.status': { verb: 'GET', path: 'api/engine/status', result: engineList },
  'engine.models': { verb: 'GET', path: 'api/engine/models' },
  'engine.start': { verb: 'POST', path: 'api/engine/start' },
  'engine.stop': { verb: 'POST', path: 'api/engine/stop', drop: ['id'] },
  'engine.logs': {
    verb: 'GET',
    path: 'api/engine/logs',
    rename: { tail: 'lines' },
    drop: ['id'],
    result: textLines
  },
  'gpu.info': { verb: 'GET', path: 'api/system/gpu' },
  // chat sessions
  'sessions.list': { verb: 'GET', path: 'api/chat/sessions' },
  'sessions.create': { verb: 'POST', path: 'api/chat/sessions' },
  'sessions.get': { verb: 'GET', path: 'api/chat/sessions/{id}' },
  'sessions.update': { verb: 'PATCH', path: 'api/chat/sessions/{id}' },
  'sessions.delete': { verb: 'DELETE', path: 'api/chat/sessions/{id}' },
  'sessions.switch': { verb: 'POST', path: 'api/chat/sessions/{id}/switch' },
  'sessions.export': {
    verb: 'GET',
    path: 'api/chat/sessions/{id}/export',
    textKey: 'content',
    result: r => (r && typeof r.content === 'string' ? r : { content: JSON.stringify(r, null, 2) })
  },
  'chat.models': { verb: 'GET', path: 'v1/models' },
  'chat.sources': { verb: 'GET', path: 'api/chat/sources' },
  // user-added documents for the chat's KnowledgeRAG step
  'knowledge.list': { verb: 'GET', path: 'api/chat/knowledge' },
  'knowledge.add': { verb: 'POST', path: 'api/chat/knowledge' },
  'knowledge.delete': {
    verb: 'DELETE',
    path: 'api/chat/knowledge/{name}',
    result: (_value, args) => ({ deleted: args.name })
  },
  // memory
  'memory.config_only': {
    verb: 'GET',
    path: 'api/memory/config',
    result: r => (r?.config ? { ...r.config, ...r } : r)
  },
  'memory.session_stats': {
    verb: 'GET',
    path: 'api/memory/stats',
    result: r => (Array.isArray(r?.sessions) ? r : { sessions: [r] })
  },
  'memory.list': { verb: 'GET', path: 'api/memory/sessions/{session_id}/memories' },
  'memory.delete': { verb: 'DELETE', path: 'api/memory/sessions/{session_id}/memories/{id}' },
  'memory.clear': { verb: 'DELETE', path: 'api/memory/sessions/{session_id}/memories' },
  'memory.cleanup': { verb: 'POST', path: 'api/memory/sessions/cleanup', query: true },
  // flows
  'flow.operators': { verb: 'GET', path: 'api/flow/operators' },
  'flow.templates': { verb: 'GET', path: 'api/flow/templates' },
  'flow.validate': { verb: 'POST', path: 'api/flow/validate', body: rest => rest.flow },
  'flow.runs': { verb: 'GET', path: 'api/flow/runs' },
  'flow.export': {
    verb: 'POST',
    path: 'api/flow/export-python',
    body: rest => rest.flow,
    textKey: 'code'
  },
  // fine-tune
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
    body: ({ base_model, config, ...rest }) => ({
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
      start: CallRoute;
      /** Path of the event socket, filled from the start call's result. */
      ws: string;
      cancel?: CallRoute;
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
    const session = await call('sessions.get', { id: session_id });
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
    start: { verb: 'POST', path: 'api/flow/run' },
    ws: 'api/flow/runs/{run_id}/events',
    cancel: { verb: 'POST', path: 'api/flow/runs/{run_id}/cancel' },
    terminal: e => FLOW_TERMINAL.has(String(e.type))
  }
};

/** Fill `{name}` segments from args; returns the path and the args that were not used. */
export function fillPath(path: string, args: Obj): { path: string; rest: Obj } {
  const rest = { ...args };
  const filled = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    let value = rest[name];
    // `{id}` may also be given as session_id / task_id, as the views call it.
    if (value === undefined && name === 'id') {
      value = rest.task_id ?? rest.run_id ?? rest.session_id;
    }
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

/** Apply a route's rename/drop to the args left after the path was filled. */
export function shapeArgs(route: CallRoute, rest: Obj): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(rest)) {
    if (route.drop?.includes(key)) {
      continue;
    }
    out[route.rename?.[key] ?? key] = value;
  }
  return out;
}
