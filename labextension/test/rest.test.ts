import { describe, expect, it } from 'vitest';

import { RestConnection, RestTransport, SocketLike } from '../src/transport/rest';
import { STREAM_ROUTES, callRoute, fillPath, queryString } from '../src/transport/routes';
import { SSEParser } from '../src/transport/sse';
import { TransportError } from '../src/transport/types';

const BASE = 'http://localhost:8888/a%40b/sage-studio/';

class FakeSocket implements SocketLike {
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed: [number?, string?] | null = null;
  constructor(public url: string) {}
  close(code?: number, reason?: string) {
    this.closed = [code, reason];
    this.onclose?.({ code: code ?? 1000, reason: reason ?? '' });
  }
  push(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) });
  }
}

function connection(handler: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const requests: { url: string; init: RequestInit }[] = [];
  const sockets: FakeSocket[] = [];
  const conn: RestConnection = {
    studioUrl: BASE,
    studioWsUrl: BASE.replace('http', 'ws'),
    request: async (url, init) => {
      requests.push({ url, init });
      return handler(url, init);
    },
    openSocket: url => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    }
  };
  return { conn, requests, sockets };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function sseResponse(chunks: string[]) {
  const enc = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(ctrl) {
        for (const c of chunks) {
          ctrl.enqueue(enc.encode(c));
        }
        ctrl.close();
      }
    }),
    { status: 200, headers: { 'Content-Type': 'text/event-stream' } }
  );
}

describe('routes', () => {
  it('fills path params from args and keeps the rest', () => {
    expect(
      fillPath('api/chat/sessions/{session_id}', { session_id: 'a b', format: 'json' })
    ).toEqual({
      path: 'api/chat/sessions/a%20b',
      rest: { format: 'json' }
    });
    expect(() => fillPath('api/chat/sessions/{session_id}', {})).toThrow(
      /missing argument 'session_id'/
    );
  });

  it('builds query strings without empty values', () => {
    expect(queryString({ q: 'x y', n: 2, skip: undefined, none: null })).toBe('?q=x+y&n=2');
    expect(queryString({})).toBe('');
  });
});

describe('RestTransport.call', () => {
  it('GETs with args in the query under the base_url', async () => {
    const { conn, requests } = connection(() => json({ sessions: [] }));
    const t = new RestTransport(conn);
    await expect(t.call('sessions.list', { q: 'paris' })).resolves.toEqual({ sessions: [] });
    expect(requests[0].url).toBe(`${BASE}api/chat/sessions?q=paris`);
    expect(requests[0].init.method).toBe('GET');
  });

  it('POSTs JSON bodies and PATCHes with the id in the path', async () => {
    const { conn, requests } = connection(() => json({ ok: true }));
    const t = new RestTransport(conn);
    await t.call('engine.start', { model: 'SmolLM2-135M-Instruct', backend: 'cpu' });
    expect(requests[0].url).toBe(`${BASE}api/engine/start`);
    expect(JSON.parse(String(requests[0].init.body))).toEqual({
      model: 'SmolLM2-135M-Instruct',
      backend: 'cpu'
    });
    await t.call('sessions.update', { session_id: 's1', title: 'T' });
    expect(requests[1].url).toBe(`${BASE}api/chat/sessions/s1`);
    expect(requests[1].init.method).toBe('PATCH');
    expect(JSON.parse(String(requests[1].init.body))).toEqual({ title: 'T' });
  });

  it('turns the server JSON error into a TransportError with details', async () => {
    const { conn } = connection(() =>
      json(
        {
          status: 400,
          message: 'line 3: missing "output"',
          errors: [{ line: 3, message: 'missing' }]
        },
        400
      )
    );
    const err = await new RestTransport(conn)
      .call('finetune.upload', { name: 'd', content: '{}' })
      .catch(e => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.status).toBe(400);
    expect(err.message).toBe('line 3: missing "output"');
    expect(err.details.errors[0].line).toBe(3);
  });

  it('flags a non-JSON 404 as a missing route (server extension not enabled)', async () => {
    const { conn } = connection(() => new Response('<html>404: Not Found</html>', { status: 404 }));
    const err = await new RestTransport(conn).call('health').catch(e => e);
    expect(err.status).toBe(404);
    expect(err.details.missingRoute).toBe(true);
  });

  it('rejects unknown methods and missing path args with 4xx', async () => {
    const { conn, requests } = connection(() => json({}));
    const t = new RestTransport(conn);
    await expect(t.call('nope.nope')).rejects.toMatchObject({ status: 404 });
    await expect(t.call('sessions.get', {})).rejects.toMatchObject({ status: 400 });
    expect(requests).toHaveLength(0);
  });
});

describe('RestTransport.stream', () => {
  it('chat.send posts a turn and maps the Studio SSE events to token/meta/done', async () => {
    const ev = (e: unknown) => `data: ${JSON.stringify(e)}\n\n`;
    const message = {
      id: 'm2',
      role: 'assistant',
      content: 'The capital is Paris.',
      metadata: { intent: 'chat', source: 'local' }
    };
    const { conn, requests } = connection(() =>
      sseResponse([
        ev({ type: 'start', request_id: 'r' }),
        ev({ type: 'token', text: 'The capital' }) +
          ev({ type: 'token', text: ' is Par' }).slice(0, 12),
        ev({ type: 'token', text: ' is Par' }).slice(12) + ev({ type: 'token', text: 'is.' }),
        ev({ type: 'done', message })
      ])
    );
    const events: any[] = [];
    const h = new RestTransport(conn).stream(
      'chat.send',
      { session_id: 's1', content: 'Capital of France?', source: 'local' },
      e => events.push(e)
    );
    const result: any = await h.done;
    expect(result).toEqual(message);
    expect(events.filter(e => e.type === 'token').map(e => e.text)).toEqual([
      'The capital',
      ' is Par',
      'is.'
    ]);
    expect(events.find(e => e.type === 'meta').metadata).toEqual({
      intent: 'chat',
      source: 'local'
    });
    expect(events.at(-1)).toMatchObject({ type: 'done', content: 'The capital is Paris.' });
    expect(requests[0].url).toBe(`${BASE}api/chat/sessions/s1/messages`);
    expect(JSON.parse(String(requests[0].init.body))).toEqual({
      content: 'Capital of France?',
      source: 'local',
      stream: true
    });
  });

  it('chat.send also understands OpenAI chunks (the /v1 gateway)', async () => {
    const chunk = (content: string) =>
      `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;
    const { conn } = connection(() =>
      sseResponse([
        chunk('Par'),
        chunk('is'),
        `data: ${JSON.stringify({ choices: [{ delta: {} }], x_sage: { source: 'cloud' } })}\n\n`,
        'data: [DONE]\n\n'
      ])
    );
    const events: any[] = [];
    const result: any = await new RestTransport(conn).stream(
      'chat.send',
      { session_id: 's', content: 'x' },
      e => events.push(e)
    ).done;
    expect(result).toMatchObject({ content: 'Paris', metadata: { source: 'cloud' } });
    expect(events.map(e => e.type)).toEqual(['token', 'token', 'meta', 'done']);
  });

  it('chat.send routes regenerate and edit-and-branch to their session routes', async () => {
    const session = {
      id: 's1',
      messages: [
        { id: 'u1', parent_id: null, role: 'user', content: 'a' },
        { id: 'a1', parent_id: 'u1', role: 'assistant', content: 'b' },
        { id: 'u2', parent_id: 'a1', role: 'user', content: 'c' }
      ]
    };
    const { conn, requests } = connection(url =>
      url.endsWith('/s1') ? json(session) : sseResponse(['data: {"type":"done","message":{}}\n\n'])
    );
    const t = new RestTransport(conn);
    await t.stream(
      'chat.send',
      { session_id: 's1', content: '', regenerate: true },
      () => undefined
    ).done;
    expect(requests[0].url).toBe(`${BASE}api/chat/sessions/s1/regenerate`);
    expect(JSON.parse(String(requests[0].init.body))).toEqual({ stream: true });
    await t.stream(
      'chat.send',
      { session_id: 's1', content: 'c2', parent_id: 'a1' },
      () => undefined
    ).done;
    expect(requests[2].url).toBe(`${BASE}api/chat/sessions/s1/messages/u2/edit?stream=1`);
    expect(JSON.parse(String(requests[2].init.body))).toEqual({ content: 'c2', generate: true });
  });

  it('chat.send cancel aborts the request', async () => {
    let signal: AbortSignal | undefined;
    const { conn } = connection((_url, init) => {
      signal = init.signal ?? undefined;
      return new Promise<Response>((_resolve, reject) => {
        if (init.signal?.aborted) {
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        }
        init.signal?.addEventListener('abort', () =>
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))
        );
      });
    });
    const h = new RestTransport(conn).stream(
      'chat.send',
      { session_id: 's', content: 'x' },
      () => undefined
    );
    await new Promise(r => setTimeout(r, 0));
    h.cancel();
    await expect(h.done).resolves.toEqual({ cancelled: true });
    expect(signal?.aborted).toBe(true);
  });

  it('chat.send surfaces an error chunk as a TransportError', async () => {
    const { conn } = connection(() =>
      sseResponse([`data: ${JSON.stringify({ error: { message: 'no engine', code: 503 } })}\n\n`])
    );
    const h = new RestTransport(conn).stream(
      'chat.send',
      { session_id: 's', content: 'x' },
      () => undefined
    );
    await expect(h.done).rejects.toMatchObject({ status: 503, message: 'no engine' });
  });

  it('flow.run starts a run over REST then follows its event socket to the terminal event', async () => {
    const { conn, requests, sockets } = connection(() => json({ run_id: 'r1' }));
    const events: any[] = [];
    const h = new RestTransport(conn).stream(
      'flow.run',
      { flow: { nodes: [], edges: [] }, inputs: { input: 'hi' } },
      e => events.push(e)
    );
    await new Promise(r => setTimeout(r, 0));
    expect(requests[0].url).toBe(`${BASE}api/flow/run`);
    expect(JSON.parse(String(requests[0].init.body))).toEqual({
      flow: { nodes: [], edges: [] },
      inputs: { input: 'hi' }
    });
    expect(sockets[0].url).toBe(`${BASE.replace('http', 'ws')}api/flow/runs/r1/events`);
    sockets[0].push({ type: 'node_started', node_id: 'a' });
    sockets[0].push({ type: 'run_finished', outputs: { out: 1 } });
    await expect(h.done).resolves.toMatchObject({ type: 'run_finished' });
    expect(events.map(e => e.type)).toEqual(['started', 'node_started', 'run_finished']);
    expect(sockets[0].closed?.[0]).toBe(1000);
  });

  it('flow.run cancel asks the server to stop the run (flow.cancel) and closes the socket', async () => {
    const { conn, requests, sockets } = connection(() => json({ run_id: 'r1', status: 'running' }));
    const h = new RestTransport(conn).stream('flow.run', { flow: {}, inputs: {} }, () => undefined);
    await new Promise(r => setTimeout(r, 0));
    h.cancel();
    await expect(h.done).resolves.toEqual({ cancelled: true });
    expect(`${requests[1].init.method} ${requests[1].url}`).toBe(
      `POST ${BASE}api/flow/runs/r1/cancel`
    );
    expect(sockets[0].closed?.[0]).toBe(1000);
  });

  it('gpu.watch sends the interval as the query arg the server reads; cancel closes the socket', async () => {
    const { conn, sockets } = connection(() => json({}));
    const events: any[] = [];
    const h = new RestTransport(conn).stream('gpu.watch', { interval_s: 7 }, e => events.push(e));
    expect(sockets[0].url).toBe(`${BASE.replace('http', 'ws')}api/system/gpu/stream?interval=7`);
    sockets[0].push({ available: true, devices: [] });
    h.cancel();
    await expect(h.done).resolves.toEqual({ cancelled: true });
    expect(events).toHaveLength(1);
  });

  it('a socket the server closes without a code (1005) ends the stream normally', async () => {
    const { conn, sockets } = connection(() => json({}));
    const h = new RestTransport(conn).stream('finetune.watch', { task_id: 't1' }, () => undefined);
    sockets[0].push({ task_id: 't1', type: 'task_status', status: 'completed', error: null });
    sockets[0].onclose?.({ code: 1005, reason: '' });
    await expect(h.done).resolves.toMatchObject({ status: 'completed' });
  });

  it('a socket closed abnormally rejects', async () => {
    const { conn, sockets } = connection(() => json({}));
    const h = new RestTransport(conn).stream(
      'finetune.watch',
      { task_id: 't1', logs: 1 },
      () => {}
    );
    expect(sockets[0].url).toBe(`${BASE.replace('http', 'ws')}api/finetune/tasks/t1/events?logs=1`);
    sockets[0].onclose?.({ code: 1011, reason: 'server error' });
    await expect(h.done).rejects.toMatchObject({ status: 1011, message: 'server error' });
  });
});

describe('operation routes (generated from openapi.json)', () => {
  it('every operation that answers once has its route; streams have their own', () => {
    expect(callRoute('memory.delete')).toEqual({
      verb: 'DELETE',
      path: 'api/memory/sessions/{session_id}/memories/{memory_id}'
    });
    expect(callRoute('chat.send')).toBeUndefined();
    expect(STREAM_ROUTES['chat.send']).toBeDefined();
    expect(callRoute('chat.models')).toEqual({ verb: 'GET', path: 'v1/models' });
  });

  it('results pass through unchanged: the engine record, its logs, memory stats and config', async () => {
    const answers: Record<string, unknown> = {
      'api/engine/status': { status: 'running', id: 'e1', model: 'm', adapters: [] },
      'api/engine/logs': { lines: 2, text: 'a\nb\n' },
      'api/memory/stats': { sessions: [{ session_id: 's1', dialogs: 2, max_dialogs: 8 }] },
      'api/memory/config': { session_id: null, config: { backend: 'vector' }, total_sessions: 3 }
    };
    const { conn, requests } = connection(url =>
      json(answers[url.slice(BASE.length).split('?')[0]] ?? {})
    );
    const t = new RestTransport(conn);
    for (const [method, path] of [
      ['engine.status', 'api/engine/status'],
      ['memory.stats', 'api/memory/stats'],
      ['memory.config', 'api/memory/config']
    ]) {
      expect(await t.call(method)).toEqual(answers[path]);
    }
    expect(await t.call('engine.logs', { lines: 50 })).toEqual(answers['api/engine/logs']);
    expect(requests.map(r => r.url.slice(BASE.length))).toEqual([
      'api/engine/status',
      'api/memory/stats',
      'api/memory/config',
      'api/engine/logs?lines=50'
    ]);
  });

  it('path args come from the args of that name; PUT/POST send the rest as JSON', async () => {
    const { conn, requests } = connection(() => json({ deleted: 7 }));
    const t = new RestTransport(conn);
    await expect(t.call('memory.delete', { session_id: 's1', memory_id: 7 })).resolves.toEqual({
      deleted: 7
    });
    await t.call('memory.set_config', { session_id: 's1', top_k: 2 });
    await t.call('memory.cleanup', { max_age_minutes: 60 });
    expect(requests.map(r => `${r.init.method} ${r.url.slice(BASE.length)}`)).toEqual([
      'DELETE api/memory/sessions/s1/memories/7',
      'PUT api/memory/config',
      'POST api/memory/sessions/cleanup'
    ]);
    expect(JSON.parse(String(requests[1].init.body))).toEqual({ session_id: 's1', top_k: 2 });
    expect(JSON.parse(String(requests[2].init.body))).toEqual({ max_age_minutes: 60 });
  });

  it('a body operation sends its one argument as the body; a flow with errors rejects with its issues', async () => {
    const issues = [{ node_id: 'a', message: 'missing config', severity: 'error' }];
    const { conn, requests } = connection(() =>
      json({ status: 400, message: 'the flow has 1 problem(s)', issues }, 400)
    );
    const flow = { nodes: [{ id: 'a' }], edges: [] };
    const err = await new RestTransport(conn).call('flow.validate', { flow }).catch(e => e);
    expect(requests[0].url).toBe(`${BASE}api/flow/validate`);
    expect(JSON.parse(String(requests[0].init.body))).toEqual(flow);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.status).toBe(400);
    expect(err.details.issues).toEqual(issues);
  });

  it('text answers are the result; JSON answers of the same operation stay JSON; 204 is null', async () => {
    const { conn, requests } = connection((url, init) => {
      if (url.includes('export-python')) {
        return new Response('from sage_studio_lab.flow import Flow\n', {
          headers: { 'Content-Type': 'text/x-python; charset=utf-8' }
        });
      }
      if (url.includes('format=markdown')) {
        return new Response('# T\n', { headers: { 'Content-Type': 'text/markdown' } });
      }
      if (init.method === 'DELETE') {
        return new Response(null, { status: 204 });
      }
      return json({ format: 'json', id: 's1', messages: [] });
    });
    const t = new RestTransport(conn);
    await expect(t.call('flow.export_python', { flow: { nodes: [] } })).resolves.toBe(
      'from sage_studio_lab.flow import Flow\n'
    );
    expect(JSON.parse(String(requests[0].init.body))).toEqual({ nodes: [] });
    await expect(t.call('sessions.export', { session_id: 's1', format: 'markdown' })).resolves.toBe(
      '# T\n'
    );
    await expect(t.call('sessions.export', { session_id: 's1', format: 'json' })).resolves.toEqual({
      format: 'json',
      id: 's1',
      messages: []
    });
    await expect(t.call('sessions.delete', { session_id: 's1' })).resolves.toBeNull();
    expect(requests.map(r => `${r.init.method} ${r.url.slice(BASE.length)}`)).toEqual([
      'POST api/flow/export-python',
      'GET api/chat/sessions/s1/export?format=markdown',
      'GET api/chat/sessions/s1/export?format=json',
      'DELETE api/chat/sessions/s1'
    ]);
  });

  it('finetune.create sends the flat TaskConfig as it is given', async () => {
    const { conn, requests } = connection(() => json({ id: 't1' }, 201));
    const config = { name: 'n', model: 'M', dataset_id: 'd', epochs: 1, lora: { rank: 8 } };
    await new RestTransport(conn).call('finetune.create', config);
    expect(requests[0].url).toBe(`${BASE}api/finetune/tasks`);
    expect(requests[0].init.method).toBe('POST');
    expect(JSON.parse(String(requests[0].init.body))).toEqual(config);
  });

  it('chat sources and knowledge documents map to their chat routes', async () => {
    const sources = {
      default: 'auto',
      local: { available: true, status: 'running', model: 'm', chat_model: null },
      cloud: { configured: false, model: null, host: null, reachable: null }
    };
    const { conn, requests } = connection((url, init) =>
      url.endsWith('api/chat/sources')
        ? json(sources)
        : init.method === 'DELETE'
          ? new Response(null, { status: 204 })
          : json({ documents: [] })
    );
    const t = new RestTransport(conn);
    await expect(t.call('chat.sources')).resolves.toEqual(sources);
    await t.call('knowledge.list');
    await t.call('knowledge.add', { name: 'notes.md', text: '# hi' });
    await expect(t.call('knowledge.delete', { name: 'my notes.md' })).resolves.toBeNull();
    expect(requests.map(r => `${r.init.method} ${r.url.slice(BASE.length)}`)).toEqual([
      'GET api/chat/sources',
      'GET api/chat/knowledge',
      'POST api/chat/knowledge',
      'DELETE api/chat/knowledge/my%20notes.md'
    ]);
    expect(JSON.parse(String(requests[2].init.body))).toEqual({ name: 'notes.md', text: '# hi' });
  });

  it('dataset upload is multipart with the file and its name', async () => {
    const { conn, requests } = connection(() => json({ id: 'd1', rows: 2 }, 201));
    await new RestTransport(conn).call('finetune.upload', {
      name: 'train.jsonl',
      content: '{"a":1}\n'
    });
    const form = requests[0].init.body as FormData;
    expect(form).toBeInstanceOf(FormData);
    expect(form.get('name')).toBe('train.jsonl');
    const file = form.get('file') as File;
    expect(file.name).toBe('train.jsonl');
    expect(await file.text()).toBe('{"a":1}\n');
  });
});

describe('SSEParser', () => {
  it('joins events split across chunks and multi-line data', () => {
    const out: string[] = [];
    const p = new SSEParser(d => out.push(d));
    p.feed('data: {"a"');
    p.feed(':1}\n\ndata: x\r\ndata: y\r\n\r\n: comment\n\ndata: last');
    p.end();
    expect(out).toEqual(['{"a":1}', 'x\ny', 'last']);
  });
});
