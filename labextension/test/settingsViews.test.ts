// @vitest-environment jsdom
/**
 * The panels' user settings reach the views: GPU push interval, slow-poll interval, default chat source and
 * sampling settings of new chats, per-message details; and the source switch shows each source's state.
 * Views render in jsdom against a recording fake Transport (no server).
 */
import { act, createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { Args, Transport } from '../src/transport/types';
import { cloudState, localState, sourceState } from '../src/views/chatSources';
import { ChatView } from '../src/views/ChatView';
import { ActiveContext, TransportContext } from '../src/views/common';
import { EngineView } from '../src/views/EngineView';
import { readUtf8 } from '../src/views/KnowledgePanel';
import {
  DEFAULT_SETTINGS,
  SettingsContext,
  SettingsStore,
  readSettings
} from '../src/views/settings';
import { FakeTransport, provide, mountDom } from './harness';

const SOURCES = {
  default: 'auto',
  local: { available: true, status: 'running', model: 'SmolLM2-135M-Instruct', chat_model: null },
  cloud: { configured: true, model: 'gpt-x', host: 'api.example.com', reachable: false }
};

/** A transport answering the settings views' calls (a created session echoes its settings). */
const fake = () =>
  new FakeTransport({
    health: { status: 'ok' },
    'engine.status': { status: 'stopped', id: null, adapters: [], log_tail: '' },
    'engine.models': { models: [] },
    'gpu.info': { available: true, devices: [] },
    'chat.sources': SOURCES,
    'chat.models': { data: [] },
    'sessions.list': { sessions: [] },
    'knowledge.list': { documents: [] },
    'sessions.create': (args: Args) => ({
      id: 's1',
      title: 'x',
      settings: args.settings,
      messages: []
    })
  });

const dom = mountDom();
const render = (view: React.ReactElement, transport: Transport, store: SettingsStore) =>
  dom.render(transport, view, provide(SettingsContext, store));

afterEach(() => {
  vi.useRealTimers();
});

describe('settings', () => {
  it('reads the registry composite, falling back and clamping', () => {
    expect(readSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(
      readSettings({
        gpuRefreshInterval: 0.1,
        engineStatusPollInterval: 'x',
        defaultChatSource: 'moon',
        defaultMaxTokens: 99.6,
        defaultTemperature: 5,
        showMessageDetails: 'yes'
      })
    ).toEqual({
      ...DEFAULT_SETTINGS,
      gpuRefreshInterval: 0.5,
      defaultMaxTokens: 100,
      defaultTemperature: 2
    });
  });
});

describe('EngineView follows the settings', () => {
  it('asks the server for the configured GPU push interval and reopens the socket when it changes', async () => {
    const t = fake();
    const store = new SettingsStore({ gpuRefreshInterval: 7 });
    await render(createElement(EngineView), t, store);
    const gpu = () => t.streams.filter(s => s.method === 'gpu.watch');
    expect(gpu()).toHaveLength(1);
    expect(gpu()[0].args).toEqual({ interval_s: 7 });
    await act(async () => store.set({ ...store.get(), gpuRefreshInterval: 3 }));
    expect(gpu()).toHaveLength(2);
    expect(gpu()[0].cancelled).toBe(true);
    expect(gpu()[1].args).toEqual({ interval_s: 3 });
  });

  it('polls engine status at the configured slow interval, and not while hidden', async () => {
    vi.useFakeTimers();
    const t = fake();
    const store = new SettingsStore({ engineStatusPollInterval: 10 });
    await render(createElement(EngineView), t, store);
    const first = t.count('engine.status');
    await act(async () => void vi.advanceTimersByTime(9_000));
    expect(t.count('engine.status')).toBe(first);
    await act(async () => void vi.advanceTimersByTime(1_500));
    expect(t.count('engine.status')).toBe(first + 1);
    // hidden: nothing polls
    await act(async () => {
      dom.root.render(
        createElement(
          TransportContext.Provider,
          { value: t },
          createElement(
            ActiveContext.Provider,
            { value: false },
            createElement(SettingsContext.Provider, { value: store }, createElement(EngineView))
          )
        )
      );
    });
    const hidden = t.count('engine.status');
    await act(async () => void vi.advanceTimersByTime(60_000));
    expect(t.count('engine.status')).toBe(hidden);
  });
});

describe('ChatView follows the settings', () => {
  const checked = () =>
    Array.from(dom.container.querySelectorAll('[role="radio"]'))
      .filter(b => b.getAttribute('aria-checked') === 'true')
      .map(b => b.getAttribute('data-source'));

  it('selects the default source in a new chat and creates sessions with the default sampling', async () => {
    const t = fake();
    const store = new SettingsStore({
      defaultChatSource: 'cloud',
      defaultMaxTokens: 64,
      defaultTemperature: 0.2
    });
    await render(createElement(ChatView, { sessionId: null }), t, store);
    expect(checked()).toEqual(['cloud']);
    await act(async () => store.set({ ...store.get(), defaultChatSource: 'local' }));
    expect(checked()).toEqual(['local']);
    const newButton = Array.from(dom.container.querySelectorAll('button')).find(
      b => b.textContent === 'New'
    )!;
    await act(async () => newButton.click());
    const create = t.calls.find(c => c[0] === 'sessions.create')!;
    expect(create[1].settings).toEqual({ source: 'local', max_tokens: 64, temperature: 0.2 });
  });

  it('shows the state of each source on the switch', async () => {
    const t = fake();
    await render(createElement(ChatView, { sessionId: null }), t, new SettingsStore());
    const state = (name: string) =>
      dom.container
        .querySelector(`[role="radio"][data-source="${name}"]`)!
        .getAttribute('data-state');
    expect([state('auto'), state('local'), state('cloud')]).toEqual(['ok', 'ok', 'warn']);
    expect(dom.container.querySelector('[data-source="cloud"]')!.getAttribute('title')).toBe(
      'Cloud: unreachable · gpt-x @ api.example.com'
    );
    expect(dom.container.querySelector('.sage-source-state')!.textContent).toContain(
      'Auto: local first · running · SmolLM2-135M-Instruct'
    );
  });

  it('opens per-message details by default when the setting says so, and shows context length', async () => {
    const t = fake();
    t.answers['sessions.get'] = {
      id: 's1',
      title: 't',
      settings: {},
      context_length: 8192,
      messages: [
        { id: 'u', role: 'user', content: 'hi' },
        { id: 'a', role: 'assistant', content: 'hello', metadata: { intent: 'chat', tokens: 3 } }
      ]
    };
    const store = new SettingsStore({ showMessageDetails: false });
    await render(createElement(ChatView, { sessionId: 's1' }), t, store);
    expect(dom.container.querySelectorAll('.sage-details')).toHaveLength(0);
    await act(async () => store.set({ ...store.get(), showMessageDetails: true }));
    expect(dom.container.querySelector('.sage-details')!.textContent).toContain('intent: chat');
    const settingsButton = Array.from(dom.container.querySelectorAll('button')).find(
      b => b.textContent === 'Settings'
    )!;
    await act(async () => settingsButton.click());
    expect(dom.container.querySelector('.sage-context-length')!.textContent).toContain(
      '8192 tokens'
    );
  });
});

describe('source states', () => {
  it('describe local and cloud readably', () => {
    expect(localState({ available: false, status: 'loading', model: 'm' })).toEqual({
      level: 'warn',
      text: 'engine loading · m'
    });
    expect(localState({ available: true, model: 'm', chat_model: 'my-adapter' }).text).toBe(
      'running · my-adapter'
    );
    expect(cloudState({ configured: false }).level).toBe('off');
    expect(cloudState({ configured: true, model: 'g', host: 'h', reachable: null })).toEqual({
      level: 'unknown',
      text: 'g @ h'
    });
    expect(
      sourceState('auto', {
        local: { available: false, status: 'stopped' },
        cloud: { configured: false }
      }).level
    ).toBe('warn');
    expect(
      sourceState('auto', {
        local: { available: false, status: 'stopped' },
        cloud: { configured: true, model: 'g', host: 'h', reachable: true }
      })
    ).toEqual({ level: 'ok', text: 'cloud (no engine running) · g @ h' });
  });
});

describe('knowledge upload', () => {
  it('reads UTF-8 text and refuses other bytes before uploading', async () => {
    // jsdom's Blob has no arrayBuffer(); Node's (made by its global Response) has, as browsers' do
    const blob = (body: BodyInit) => new Response(body).blob();
    await expect(readUtf8((await blob('héllo')) as any)).resolves.toBe('héllo');
    const latin1 = Object.assign(await blob(new Uint8Array([0x68, 0xe9, 0x0a])), {
      name: 'a.txt'
    });
    await expect(readUtf8(latin1 as any)).rejects.toThrow('a.txt is not UTF-8 text');
  });
});
