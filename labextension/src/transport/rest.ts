/**
 * RestTransport: the panels' transport over the server extension's REST, SSE and WebSocket routes.
 * It only needs a `RestConnection` (built from JupyterLab's ServerConnection in `connection.ts`), so it is
 * unit-tested without a browser.
 */
import { CallRoute, STREAM_ROUTES, callRoute, fillPath, queryString, renameArgs } from './routes';
import { SSEParser } from './sse';
import { Args, StreamHandle, StudioEvent, Transport, TransportError } from './types';

export interface SocketLike {
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onopen?: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface RestConnection {
  /** Absolute base of the Studio routes, ending in `/sage-studio/` (base_url already included). */
  studioUrl: string;
  /** The same for WebSockets (`ws://…/sage-studio/`). */
  studioWsUrl: string;
  /** fetch with the server's auth (token header, XSRF cookie). */
  request(url: string, init: RequestInit): Promise<Response>;
  /** Open an authenticated WebSocket. */
  openSocket(url: string): SocketLike;
}

export const SERVER_EXTENSION_HINT =
  'The SAGE Studio server extension is not enabled: run `jupyter server extension enable sage_studio_lab` ' +
  '(or `pip install sage_studio_lab`) and restart JupyterLab.';

async function errorFrom(response: Response, url: string): Promise<TransportError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text);
    const err = body && typeof body === 'object' ? (body.error ?? body) : {};
    const message = String(err.message ?? body.message ?? response.statusText);
    return new TransportError(response.status, message, body);
  } catch {
    if (response.status === 404) {
      // Tornado's own 404 page (not our JSON): the route is not served at all.
      const missing = url.includes('/sage-studio/');
      return new TransportError(404, missing ? `route not found: ${url}` : 'not found', {
        missingRoute: true
      });
    }
    return new TransportError(response.status, text.slice(0, 300) || response.statusText);
  }
}

/** The file name of an `attachment; filename="x.zip"` header (RFC 6266, with the `filename*` form). */
export function attachmentName(header: string | null, fallback: string): string {
  if (!header) {
    return fallback;
  }
  const star = /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain ? plain[1].trim() : fallback;
}

export class RestTransport implements Transport {
  readonly kind = 'rest' as const;

  constructor(private readonly conn: RestConnection) {}

  async call<T = any>(method: string, args: Args = {}): Promise<T> {
    const route = callRoute(method);
    if (!route) {
      throw new TransportError(404, `unknown method '${method}'`);
    }
    return this.request<T>(route, args);
  }

  private async request<T>(route: CallRoute, args: Args, signal?: AbortSignal): Promise<T> {
    let filled;
    try {
      filled = fillPath(route.path, args);
    } catch (err) {
      throw new TransportError(400, (err as Error).message);
    }
    const rest = filled.rest;
    const inQuery = route.verb === 'GET' || route.verb === 'DELETE';
    const url = this.conn.studioUrl + filled.path + (inQuery ? queryString(rest) : '');
    const init: RequestInit = { method: route.verb, signal };
    if (route.multipart) {
      init.body = route.multipart(rest); // the browser sets the multipart boundary
    } else if (!inQuery) {
      // An operation with a body argument (a flow) sends that argument alone as the JSON body.
      const body = route.body ? rest[route.body] : rest;
      init.body = JSON.stringify(body ?? null);
      init.headers = { 'Content-Type': 'application/json' };
    }
    let response: Response;
    try {
      response = await this.conn.request(url, init);
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') {
        throw err;
      }
      throw new TransportError(
        0,
        `cannot reach the Jupyter server: ${(err as Error)?.message ?? err}`
      );
    }
    if (!response.ok) {
      throw await errorFrom(response, url);
    }
    if (route.binary) {
      const buffer = await response.arrayBuffer();
      return {
        filename: attachmentName(
          response.headers.get('Content-Disposition'),
          filled.path.split('/').pop() ?? 'download'
        ),
        size: buffer.byteLength,
        content_type: response.headers.get('Content-Type') ?? 'application/octet-stream',
        buffers: [new DataView(buffer)]
      } as T;
    }
    const text = await response.text();
    const isJson = (response.headers.get('Content-Type') ?? 'application/json').includes('json');
    let value: any;
    if (route.media && !isJson) {
      value = text; // e.g. a Python script or a Markdown transcript: the result is the text
    } else {
      try {
        value = text ? JSON.parse(text) : null;
      } catch {
        throw new TransportError(502, `the server answered ${url} with something that is not JSON`);
      }
    }
    return value as T;
  }

  stream<T = any>(
    method: string,
    args: Args,
    onEvent: (event: StudioEvent) => void
  ): StreamHandle<T> {
    const route = STREAM_ROUTES[method];
    if (!route) {
      return {
        cancel: () => undefined,
        done: Promise.reject(new TransportError(404, `unknown stream method '${method}'`))
      };
    }
    if (route.kind === 'sse') {
      return this.sse<T>(() => route.prepare(args, (m, a) => this.call(m, a)), onEvent);
    }
    if (route.kind === 'ws') {
      let path;
      try {
        path = fillPath(route.path, args);
      } catch (err) {
        return {
          cancel: () => undefined,
          done: Promise.reject(new TransportError(400, (err as Error).message))
        };
      }
      const query = renameArgs(route.rename, path.rest);
      return this.socket<T>(
        this.conn.studioWsUrl + path.path + queryString(query),
        onEvent,
        route.terminal
      );
    }
    // start+ws: a REST call starts the work (run id), a socket then carries its events.
    let cancelled = false;
    let inner: StreamHandle<T> | null = null;
    let runArgs: Args = {};
    const done = (async () => {
      const started = await this.call<Args>(route.start, args);
      runArgs = { ...started, run_id: started.run_id ?? started.id };
      onEvent({ type: 'started', ...runArgs });
      if (cancelled) {
        return { cancelled: true } as T;
      }
      const wsPath = fillPath(route.ws, runArgs).path;
      inner = this.socket<T>(this.conn.studioWsUrl + wsPath, onEvent, route.terminal);
      return inner.done;
    })();
    return {
      done,
      cancel: () => {
        cancelled = true;
        if (route.cancel && runArgs.run_id) {
          this.call(route.cancel, { run_id: runArgs.run_id }).catch(() => undefined);
        }
        inner?.cancel();
      }
    };
  }

  private sse<T>(
    prepare: () => Promise<{ path: string; body: unknown }>,
    onEvent: (e: StudioEvent) => void
  ): StreamHandle<T> {
    const controller = new AbortController();
    const done = (async () => {
      let req;
      try {
        req = await prepare();
      } catch (err) {
        throw err instanceof TransportError ? err : new TransportError(400, (err as Error).message);
      }
      if (controller.signal.aborted) {
        return { cancelled: true } as T;
      }
      const url = this.conn.studioUrl + req.path;
      let response: Response;
      try {
        response = await this.conn.request(url, {
          method: 'POST',
          body: JSON.stringify(req.body),
          headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
          signal: controller.signal
        });
      } catch (err) {
        if (controller.signal.aborted) {
          return { cancelled: true } as T;
        }
        throw new TransportError(0, `cannot reach the Jupyter server: ${(err as Error)?.message}`);
      }
      if (!response.ok) {
        throw await errorFrom(response, url);
      }
      const result: Record<string, any> = { content: '' };
      let failure: TransportError | null = null;
      let finished = false;
      // `extra`: a token's other fields (the arena's `side`) reach the view too.
      const token = (text: string, extra: Record<string, unknown> = {}) => {
        result.content += text;
        onEvent({ ...extra, type: 'token', text });
      };
      const meta = (metadata: unknown) => {
        if (metadata && typeof metadata === 'object' && Object.keys(metadata).length) {
          result.metadata = { ...result.metadata, ...metadata };
          onEvent({ type: 'meta', metadata: metadata as Record<string, unknown> });
        }
      };
      const parser = new SSEParser(data => {
        if (data === '[DONE]') {
          return;
        }
        let chunk: any;
        try {
          chunk = JSON.parse(data);
        } catch {
          return;
        }
        // Studio turn events: {type: start | token | done | error}.
        if (typeof chunk.type === 'string' && !chunk.choices) {
          if (chunk.type === 'token') {
            token(String(chunk.text ?? ''), chunk);
          } else if (chunk.type === 'done') {
            result.message = chunk.message;
            meta(chunk.message?.metadata);
            finished = true;
            onEvent({ ...chunk, content: result.content });
          } else if (chunk.type === 'error') {
            failure = new TransportError(
              Number(chunk.status) || 502,
              String(chunk.message ?? 'chat failed'),
              chunk
            );
          } else {
            onEvent(chunk);
          }
          return;
        }
        // OpenAI chunks (the /v1 gateway).
        if (chunk.error) {
          const e = chunk.error;
          failure = new TransportError(
            Number(e.status ?? e.code) || 502,
            String(e.message ?? e),
            e
          );
          return;
        }
        const delta = chunk.choices?.[0]?.delta?.content;
        if (typeof delta === 'string' && delta) {
          token(delta);
        }
        meta(chunk.x_sage ?? chunk.sage ?? chunk.metadata);
        if (chunk.usage) {
          result.usage = chunk.usage;
        }
      });
      const reader = response.body?.getReader();
      const decoder = new TextDecoder();
      try {
        while (reader) {
          const { value, done: end } = await reader.read();
          if (end) {
            break;
          }
          parser.feed(decoder.decode(value, { stream: true }));
        }
        parser.end();
      } catch (err) {
        if (controller.signal.aborted) {
          onEvent({ type: 'done', cancelled: true, ...result });
          return { ...result, cancelled: true } as T;
        }
        throw new TransportError(0, `stream interrupted: ${(err as Error)?.message}`);
      }
      if (failure) {
        throw failure;
      }
      if (!finished) {
        onEvent({ type: 'done', ...result });
      }
      return (result.message ?? result) as T;
    })();
    return { cancel: () => controller.abort(), done };
  }

  private socket<T>(
    url: string,
    onEvent: (e: StudioEvent) => void,
    terminal?: (e: StudioEvent) => boolean
  ): StreamHandle<T> {
    let ws: SocketLike | null = null;
    let cancelled = false;
    const done = new Promise<T>((resolve, reject) => {
      let last: StudioEvent | null = null;
      try {
        ws = this.conn.openSocket(url);
      } catch (err) {
        reject(new TransportError(0, `cannot open ${url}: ${(err as Error)?.message}`));
        return;
      }
      ws.onmessage = ev => {
        let event: StudioEvent;
        try {
          event = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        last = event;
        onEvent(event);
        if (terminal?.(event)) {
          ws?.close(1000, 'done');
          resolve(event as T);
        }
      };
      ws.onerror = () => undefined; // the close event carries the outcome
      ws.onclose = ev => {
        // 1000 normal, 1005 closed without a code (the server's plain `close()` after the last event).
        if (cancelled || ev.code === 1000 || ev.code === 1005) {
          resolve((cancelled ? { cancelled: true } : last) as T);
        } else if (ev.code === 1006 && last === null) {
          reject(new TransportError(0, `stream ${url} refused or unreachable`));
        } else {
          reject(new TransportError(ev.code, ev.reason || `stream closed (${ev.code})`));
        }
      };
    });
    return {
      done,
      cancel: () => {
        cancelled = true;
        ws?.close(1000, 'cancelled');
      }
    };
  }
}
