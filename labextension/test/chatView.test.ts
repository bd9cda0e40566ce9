// @vitest-environment jsdom
/**
 * The chat view's first-run behaviour against a recording fake Transport (no server): the local-engine offer
 * when nothing can answer (Start engine → engine.start, a progress state while the model loads), Stop that
 * asks the server to stop and keeps the partial answer on screen with a "stopped" marker, and the exports
 * saved as files; Continue on a stopped answer (the same bubble grows, the marker goes), the details line's
 * decode rate from the core, Clear (confirmed in a dialog) and Import (a picked export) in the session list.
 */
import { act, createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Args, Transport } from '../src/transport/types';
import { ChatView, SessionList } from '../src/views/ChatView';
import { TransportError } from '../src/transport/types';
import { ChatModelChoice, describeCurrentModel } from '../src/views/ChatModelChoice';
import { Details } from '../src/views/chatDetails';
import { engineOffer } from '../src/views/chatSources';
import { Dialogs, DialogsContext } from '../src/views/dialogs';
import { importBody } from '../src/views/SessionList';
import { SettingsContext, SettingsStore } from '../src/views/settings';
import { captureDownloads, click, FakeTransport, provide, type, mountDom } from './harness';

const STOPPED = { default: 'auto', local: { available: false, status: 'stopped' }, cloud: {} };
const LOADING = { default: 'auto', local: { available: false, status: 'loading' }, cloud: {} };
const RUNNING = {
  default: 'auto',
  local: { available: true, status: 'running', model: 'SmolLM2-135M-Instruct' },
  cloud: {}
};

/** A transport answering the chat's calls (nothing can answer yet). */
const fake = () => new FakeTransport({ 'chat.sources': STOPPED, 'chat.models': { data: [] } });

const dom = mountDom();
const render = (view: React.ReactElement, transport: Transport) =>
  dom.render(transport, view, provide(SettingsContext, new SettingsStore()));
const button = dom.button;

const readText = (blob: Blob) =>
  new Promise<string>(resolve => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsText(blob);
  });

beforeEach(() => {
  Element.prototype.scrollIntoView = () => undefined;
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('engineOffer', () => {
  it('offers a start when nothing can answer, follows a load, and stays out of a usable source', () => {
    expect(engineOffer('local', STOPPED)).toBe('start');
    expect(engineOffer('auto', STOPPED)).toBe('start');
    expect(engineOffer('auto', { ...STOPPED, local: { status: 'failed' } })).toBe('start');
    expect(engineOffer('local', LOADING)).toBe('loading');
    expect(engineOffer('local', RUNNING)).toBeNull();
    expect(engineOffer('cloud', STOPPED)).toBeNull();
    // Auto with a usable cloud answers from the cloud: no offer.
    const cloud = { configured: true, reachable: true, model: 'gpt', host: 'api' };
    expect(engineOffer('auto', { ...STOPPED, cloud })).toBeNull();
    expect(engineOffer('local', { ...STOPPED, cloud })).toBe('start');
    expect(engineOffer('auto', null)).toBeNull(); // not known yet
  });
});

describe('ChatView', () => {
  it('with no engine offers Start engine, starts it, shows the load, then the offer goes', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const t = fake();
    await render(createElement(ChatView, { showSessions: false }), t);
    const offer = () => dom.container.querySelector('.sage-engine-offer');
    expect(offer()?.getAttribute('data-offer')).toBe('start');
    expect(offer()?.textContent).toContain('local engine is not running');

    t.answers['chat.sources'] = LOADING;
    await click(button('Start engine')!);
    expect(t.argsOf('engine.start')).toEqual([{}]);
    expect(offer()?.getAttribute('data-offer')).toBe('loading');
    expect(offer()?.querySelector('progress')).not.toBeNull();

    t.answers['chat.sources'] = RUNNING;
    await act(async () => void vi.advanceTimersByTime(2100)); // the view polls the sources while loading
    await act(async () => undefined);
    expect(offer()).toBeNull();
    expect(dom.container.querySelector('.sage-source-state')?.textContent).toContain('running');
  });

  it('Stop asks the server to stop and keeps the partial answer with a stopped marker', async () => {
    const t = fake();
    t.answers['chat.sources'] = RUNNING;
    const stored = {
      id: 's1',
      title: 'Hi',
      settings: { source: 'auto' },
      messages: [] as any[]
    };
    t.answers['sessions.get'] = () => stored;
    t.answers['chat.stop'] = { stopped: ['r1'] };
    await render(createElement(ChatView, { sessionId: 's1', showSessions: false }), t);

    const box = dom.container.querySelector(
      'textarea[aria-label="Message"]'
    ) as HTMLTextAreaElement;
    await type(box, 'Tell me a story');
    await click(button('Send')!);
    await act(async () => {
      t.last.push({ type: 'token', text: 'Once upon ' });
      t.last.push({ type: 'token', text: 'a time' });
    });
    const answer = () => dom.container.querySelector('.sage-msg-assistant');
    expect(answer()?.textContent).toContain('Once upon a time');

    await click(button('Stop')!);
    expect(t.argsOf('chat.stop')).toEqual([{ session_id: 's1' }]);
    expect(t.last.cancelled).toBe(false); // the server stops it: the stream ends with the stored answer
    expect(answer()?.textContent).toContain('Once upon a time');
    expect(answer()?.querySelector('[data-stopped]')?.textContent).toContain('partial answer');

    // The server stored the partial answer (cancelled); the stream ends; the stored turn replaces the
    // optimistic one and keeps both the text and the marker, with Regenerate offered.
    stored.messages = [
      { id: 'u1', role: 'user', content: 'Tell me a story', parent_id: null },
      {
        id: 'a1',
        role: 'assistant',
        content: 'Once upon a time',
        parent_id: 'u1',
        metadata: { cancelled: true, partial: true }
      }
    ];
    await act(async () => t.last.end({ id: 'a1' }));
    await act(async () => undefined);
    expect(answer()?.textContent).toContain('Once upon a time');
    expect(answer()?.querySelector('[data-stopped]')).not.toBeNull();
    const regenerate = button('Regenerate')!;
    await click(regenerate);
    expect(t.argsOf('chat.send').at(-1)).toMatchObject({ session_id: 's1', regenerate: true });
  });

  it('drops the stream itself when the server knows no turn to stop', async () => {
    const t = fake();
    t.answers['chat.sources'] = RUNNING;
    t.answers['sessions.get'] = { id: 's1', title: 'Hi', settings: {}, messages: [] };
    t.answers['chat.stop'] = { stopped: [] };
    await render(createElement(ChatView, { sessionId: 's1', showSessions: false }), t);
    const box = dom.container.querySelector(
      'textarea[aria-label="Message"]'
    ) as HTMLTextAreaElement;
    await type(box, 'Hello');
    await click(button('Send')!);
    await click(button('Stop')!);
    expect(t.last.cancelled).toBe(true);
  });
});

describe('Continue', () => {
  it('streams the continuation onto the stopped bubble, and the stopped marker goes', async () => {
    const t = fake();
    t.answers['chat.sources'] = RUNNING;
    const stopped = {
      id: 'a1',
      role: 'assistant',
      content: 'Once upon a time',
      parent_id: 'u1',
      metadata: { cancelled: true, partial: true }
    };
    const stored = {
      id: 's1',
      title: 'Story',
      settings: {},
      messages: [
        { id: 'u1', role: 'user', content: 'Tell me a story', parent_id: null },
        stopped
      ] as any[]
    };
    t.answers['sessions.get'] = () => stored;
    await render(createElement(ChatView, { sessionId: 's1', showSessions: false }), t);
    const answers = () => dom.container.querySelectorAll('.sage-msg-assistant');
    expect(answers()[0].querySelector('[data-stopped]')).not.toBeNull();

    await click(button('Continue')!);
    expect(t.argsOf('chat.send').at(-1)).toMatchObject({ session_id: 's1', continue_answer: true });
    expect(t.argsOf('chat.send').at(-1)).not.toHaveProperty('regenerate');
    await act(async () => {
      t.last.push({ type: 'token', text: ', there was' });
      t.last.push({ type: 'token', text: ' a fox.' });
    });
    expect(answers()).toHaveLength(1);
    expect(answers()[0].getAttribute('data-message-id')).toBe('a1');
    expect(answers()[0].textContent).toContain('Once upon a time, there was a fox.');
    expect(answers()[0].querySelector('[data-stopped]')).toBeNull();

    stored.messages[1] = {
      ...stopped,
      content: 'Once upon a time, there was a fox.',
      metadata: { finish_reason: 'stop', continued: 1, tok_s: 12.5 }
    };
    await act(async () => t.last.end({ id: 'a1' }));
    await act(async () => undefined);
    expect(answers()).toHaveLength(1);
    expect(answers()[0].textContent).toContain('there was a fox.');
    expect(answers()[0].querySelector('[data-stopped]')).toBeNull();
  });

  it('details show the decode rate of the core, not tokens over the whole request', async () => {
    const t = fake();
    const meta = { tokens: 40, tok_s: 18.25, latency: { llm_s: 200, ttft_s: 0.3 } };
    await render(createElement(Details, { meta }), t);
    expect(dom.container.textContent).toContain('tok/s: 18.3');
    await render(createElement(Details, { meta: { tokens: 1, latency: { llm_s: 5 } } }), t);
    expect(dom.container.textContent).not.toContain('tok/s: 0.2');
  });
});

describe('SessionList clear and import', () => {
  function withDialogs(view: React.ReactElement, answer: boolean) {
    const asked: string[] = [];
    const dialogs: Dialogs = {
      confirm: async (title: string) => (asked.push(title), answer),
      prompt: async () => null
    };
    return { asked, view: createElement(DialogsContext.Provider, { value: dialogs }, view) };
  }

  it('clears a chat only after the dialog says yes', async () => {
    const t = fake();
    t.answers['sessions.list'] = { sessions: [{ id: 's1', title: 'Trip', message_count: 2 }] };
    const no = withDialogs(createElement(SessionList, { onSelect: () => undefined }), false);
    await render(no.view, t);
    await click(dom.container.querySelector('button[title="Clear messages"]')!);
    expect(no.asked).toEqual(['Clear chat']);
    expect(t.argsOf('sessions.clear')).toEqual([]);
    const yes = withDialogs(createElement(SessionList, { onSelect: () => undefined }), true);
    await render(yes.view, t);
    await click(dom.container.querySelector('button[title="Clear messages"]')!);
    expect(t.argsOf('sessions.clear')).toEqual([{ session_id: 's1' }]);
  });

  it('imports the picked JSON export and opens the new chat', async () => {
    const t = fake();
    t.answers['sessions.list'] = { sessions: [] };
    t.answers['sessions.import'] = { id: 's9', title: 'Trip' };
    const opened: string[] = [];
    await render(createElement(SessionList, { onSelect: (id: string) => opened.push(id) }), t);
    const exported = {
      format: 'json',
      title: 'Trip',
      settings: {},
      messages: [{ role: 'user', content: 'hi' }]
    };
    const file = new File([JSON.stringify(exported)], 'Trip.json', { type: 'application/json' });
    const input = dom.container.querySelector('input[type="file"]') as HTMLInputElement;
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await act(async () => void input.dispatchEvent(new Event('change', { bubbles: true })));
    await act(async () => new Promise(r => setTimeout(r, 20)));
    expect(t.argsOf('sessions.import')).toEqual([exported]);
    expect(opened).toEqual(['s9']);
  });

  it('reads a Markdown transcript as markdown and refuses a file that is not an export', () => {
    expect(importBody('notes.md', '# Chat')).toEqual({
      format: 'markdown',
      markdown: '# Chat',
      title: 'notes'
    });
    expect(() => importBody('x.json', 'not json')).toThrow(/not JSON/);
    expect(() => importBody('x.json', '{"a": 1}')).toThrow(/no "messages"/);
  });
});

describe('ChatModelChoice', () => {
  it('says which model chat answers with, and a switch the engine cannot serve asks to restart', async () => {
    expect(describeCurrentModel({ model: null, kind: 'base', base_model: 'SmolLM2' })).toBe(
      'SmolLM2 (the engine’s base model)'
    );
    const t = fake();
    t.answers['finetune.current_model'] = { model: null, kind: 'base', base_model: 'SmolLM2' };
    t.answers['finetune.models'] = {
      models: [{ id: 'other-model', name: 'other-model', type: 'base' }]
    };
    t.answers['finetune.switch_model'] = (args: Args) => {
      if (!args.restart) {
        throw new TransportError(409, 'the engine serves SmolLM2');
      }
      return { model: 'other-model', kind: 'base', base_model: 'other-model' };
    };
    const asked: string[] = [];
    const dialogs: Dialogs = {
      confirm: async (title: string) => (asked.push(title), true),
      prompt: async () => null
    };
    await render(
      createElement(DialogsContext.Provider, { value: dialogs }, createElement(ChatModelChoice)),
      t
    );
    expect(dom.container.textContent).toContain(
      'Chat answers with: SmolLM2 (the engine’s base model)'
    );
    const select = dom.container.querySelector(
      'select[aria-label="Switch chat model"]'
    ) as HTMLSelectElement;
    await act(async () => {
      select.value = 'other-model';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await click(button('Use in chat')!);
    expect(asked).toEqual(['Restart the engine?']);
    expect(t.argsOf('finetune.switch_model')).toEqual([
      { model_path: 'other-model' },
      { model_path: 'other-model', restart: true }
    ]);
    expect(dom.container.textContent).toContain('Chat now answers with other-model');
  });
});

describe('SessionList exports', () => {
  it('saves the JSON export as a .json file', async () => {
    const saved = captureDownloads();
    const t = fake();
    t.answers['sessions.list'] = { sessions: [{ id: 's1', title: 'Trip', message_count: 2 }] };
    t.answers['sessions.export'] = { format: 'json', id: 's1', messages: [] };
    await render(createElement(SessionList, { onSelect: () => undefined }), t);
    await click(dom.container.querySelector('button[title="Export as JSON"]')!);
    expect(t.argsOf('sessions.export')).toEqual([{ session_id: 's1', format: 'json' }]);
    expect(saved.map(s => s.name)).toEqual(['Trip.json']);
    expect(saved[0].attached).toBe(true); // attached while clicked
    expect(JSON.parse(await readText(saved[0].blob))).toMatchObject({ format: 'json', id: 's1' });
    expect(saved[0].blob.type).toBe('application/json');
  });
});

describe('BudgetPreview', () => {
  it('asks chat.budget once the draft settles and shows the split, trimmed parts included', async () => {
    vi.useFakeTimers();
    try {
      const transport = fake();
      transport.answers['chat.budget'] = {
        system: 10,
        history: 120,
        context: 25,
        user: 8,
        max_tokens: 512,
        context_length: 2048,
        estimated: false,
        trimmed: { history: ['user: an old question'] },
        before: { system: 10, history: 3320, context: 25, user: 8 }
      };
      const { BudgetPreview, PREVIEW_DELAY_MS } = await import('../src/views/BudgetPreview');
      const attached = [{ kind: 'variable' as const, name: 'df', text: 'df: DataFrame' }];
      const view = (draft: string) =>
        createElement(BudgetPreview, { sessionId: 's1', draft, attached, source: 'local' });
      await render(view('Why'), transport);
      await render(view('Why is it empty?'), transport);
      expect(transport.argsOf('chat.budget')).toEqual([]); // still typing
      await act(async () => {
        vi.advanceTimersByTime(PREVIEW_DELAY_MS + 10);
      });
      await act(async () => undefined);
      expect(transport.argsOf('chat.budget')).toEqual([
        {
          session_id: 's1',
          content: 'Why is it empty?',
          context: attached,
          source: 'local',
          model: undefined
        }
      ]);
      const text = dom.container.textContent ?? '';
      expect(text).toContain('If sent now');
      expect(text).toContain('context 25');
      expect(text).toContain('answer room 512 tokens of 2048');
      expect(text).toContain('trimmed to fit: 1 history');
      // No session yet: nothing is asked.
      const fresh = fake();
      await render(
        createElement(BudgetPreview, {
          sessionId: null,
          draft: 'x',
          attached: [],
          source: 'local'
        }),
        fresh
      );
      await act(async () => {
        vi.advanceTimersByTime(PREVIEW_DELAY_MS + 10);
      });
      expect(fresh.argsOf('chat.budget')).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
