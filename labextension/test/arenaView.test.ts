// @vitest-environment jsdom
/**
 * The arena view against a fake transport: the two pickers list the chat models, *Compare* opens ONE
 * `improve.arena` stream whose side-tagged tokens fill two columns, blind mode names the columns "A"/"B" until
 * the pick, the pick (`improve.pick`) reveals the models and offers *Use in chat* for a winning adapter.
 */
import { act, createElement } from 'react';
import { describe, expect, it } from 'vitest';

import { RestConnection, RestTransport } from '../src/transport/rest';
import { StudioEvent, Transport } from '../src/transport/types';
import { ArenaView, columnTitle } from '../src/views/ArenaView';
import { click, FakeTransport, type, mountDom } from './harness';

const side = (text: string, model: string | null) => ({
  text,
  model,
  tokens: 2,
  ttft_s: 0.1,
  tok_s: 20,
  latency_s: 0.2,
  finish_reason: 'stop'
});

/** A transport answering the arena's calls. */
const fake = () =>
  new FakeTransport({
    'chat.models': {
      data: [
        { id: 'SmolLM2-135M-Instruct', parent: null, x_sage_source: 'local' },
        { id: 'ft-1', parent: 'SmolLM2-135M-Instruct', x_sage_source: 'local' }
      ]
    },
    'improve.pick': {
      id: 'duel-1',
      winner: 'b',
      model_a: 'SmolLM2-135M-Instruct',
      model_b: 'ft-1'
    },
    'finetune.use_in_chat': { model: 'ft-1' }
  });

const dom = mountDom();
const render = (transport: Transport) => dom.render(transport, createElement(ArenaView, {}));
const button = dom.button;
const column = (s: string) => dom.container.querySelector(`.sage-arena-col[data-side="${s}"]`)!;
const title = (s: string) => column(s).querySelector('.sage-arena-title')!.textContent;

describe('ArenaView', () => {
  it('streams two columns from one stream, hides blind names until the pick, then offers Use in chat', async () => {
    const t = fake();
    await render(t);
    const selects = dom.container.querySelectorAll('select');
    expect(selects[0].value).toBe('SmolLM2-135M-Instruct');
    expect(selects[1].value).toBe('ft-1');
    await click(dom.container.querySelector('input[aria-label="Blind"]')!);
    // The user's default temperature (0.7) until changed here: 0 compares greedy answers.
    const temperature = dom.container.querySelector(
      'input[aria-label="Arena temperature"]'
    ) as HTMLInputElement;
    expect(temperature.value).toBe('0.7');
    await type(temperature, '0');
    await type(dom.container.querySelector('textarea')!, 'Name three colours.');
    await click(button('Compare'));
    expect(t.streams.map(s => [s.method, s.args])).toEqual([
      [
        'improve.arena',
        {
          prompt: 'Name three colours.',
          model_a: 'SmolLM2-135M-Instruct',
          model_b: 'ft-1',
          blind: true,
          source: 'local',
          max_tokens: 128,
          temperature: 0
        }
      ]
    ]);
    await act(async () => {
      t.last.push({ type: 'token', side: 'a', text: 'Red' });
      t.last.push({ type: 'token', side: 'b', text: 'Blue' });
      t.last.push({ type: 'token', side: 'a', text: ', green' });
    });
    expect(column('a').querySelector('.sage-arena-text')!.textContent).toBe('Red, green');
    expect(column('b').querySelector('.sage-arena-text')!.textContent).toBe('Blue');
    await act(async () => {
      const duel = {
        type: 'done',
        id: 'duel-1',
        blind: true,
        a: side('Red, green', null),
        b: side('Blue', null)
      };
      t.last.push(duel);
      t.last.end(duel);
    });
    await act(async () => undefined);
    expect([title('a'), title('b')]).toEqual(['A', 'B']); // blind: no names yet
    expect(button('Use in chat')).toBeUndefined();

    await click(button('B is better'));
    expect(t.argsOf('improve.pick')).toEqual([{ duel_id: 'duel-1', winner: 'b' }]);
    expect(title('a')).toBe('A: SmolLM2-135M-Instruct');
    expect(title('b')).toBe('B: ft-1');
    expect(dom.container.querySelector('.sage-arena-picked')!.getAttribute('data-winner')).toBe(
      'b'
    );
    expect(button('A is better')).toBeUndefined(); // picked once

    await click(button('Use in chat')); // the winner is an adapter: its task id is its served name
    expect(t.argsOf('finetune.use_in_chat')).toEqual([{ task_id: 'ft-1' }]);
    expect(dom.container.textContent).toContain('Chat now answers with ft-1.');
  });

  it('names the columns by model when not blind', () => {
    const duel = { id: 'd', blind: false, a: side('x', 'base'), b: side('y', 'ft-2') };
    expect(columnTitle('a', duel, null)).toBe('A: base');
    expect(columnTitle('b', { ...duel, blind: true, b: side('y', null) }, null)).toBe('B');
  });
});

describe('improve.arena over REST', () => {
  it("posts the duel to the SSE route and keeps each token's side", async () => {
    const ev = (e: unknown) => `data: ${JSON.stringify(e)}\n\n`;
    const duel = {
      type: 'done',
      id: 'duel-1',
      blind: false,
      a: side('x', 'm1'),
      b: side('y', 'm2')
    };
    const requests: { url: string; body: unknown }[] = [];
    const conn: RestConnection = {
      studioUrl: 'http://localhost:8888/sage-studio/',
      studioWsUrl: 'ws://localhost:8888/sage-studio/',
      request: async (url, init) => {
        requests.push({ url, body: JSON.parse(String(init?.body)) });
        const enc = new TextEncoder();
        const chunks = [
          ev({ type: 'start', request_id: 'r' }),
          ev({ type: 'token', side: 'a', text: 'x' }),
          ev({ type: 'token', side: 'b', text: 'y' }),
          ev(duel)
        ];
        const body = new ReadableStream({
          start(ctrl) {
            chunks.forEach(c => ctrl.enqueue(enc.encode(c)));
            ctrl.close();
          }
        });
        return new Response(body, {
          status: 200,
          headers: { 'Content-Type': 'text/event-stream' }
        });
      },
      openSocket: () => {
        throw new Error('no sockets here');
      }
    };
    const events: StudioEvent[] = [];
    const args = { prompt: 'p', model_a: 'm1', model_b: 'm2', blind: false };
    await new RestTransport(conn).stream('improve.arena', args, e => events.push(e)).done;
    expect(requests).toEqual([
      { url: 'http://localhost:8888/sage-studio/api/improve/arena', body: args }
    ]);
    expect(events.filter(e => e.type === 'token').map(e => [e.side, e.text])).toEqual([
      ['a', 'x'],
      ['b', 'y']
    ]);
    expect(events.find(e => e.type === 'done')).toMatchObject({ id: 'duel-1', a: { text: 'x' } });
  });
});
