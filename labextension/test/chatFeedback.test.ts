// @vitest-environment jsdom
/**
 * Feedback on answers against a recording fake Transport: 👎 calls chat.rate and opens the optional comment
 * (Save re-sends the rating with it, shown in the button's title), a click on the pressed button clears the
 * rating, the ideal-answer editor (prefilled with the answer) calls chat.ideal_answer and "show it" switches to
 * the new sibling; ChatMessages offers no feedback on an optimistic or streaming answer, and badges an ideal one.
 */
import { createElement } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';

import { ChatFeedback } from '../src/views/ChatFeedback';
import { ChatMessages } from '../src/views/ChatMessages';
import { ChatMessage } from '../src/views/chatTypes';
import { click as clickOn, FakeTransport, type as typeInto, mountDom } from './harness';

const ANSWER: ChatMessage = {
  id: 'a1',
  parent_id: 'u1',
  role: 'assistant',
  content: 'Paris is the capital of Italy.',
  metadata: {}
};

const dom = mountDom();
let transport: FakeTransport;
let changed: number;

const render = (view: React.ReactElement) => dom.render(transport, view);

const feedback = (message: ChatMessage, disabled = false) =>
  createElement(ChatFeedback, {
    sessionId: 's1',
    message,
    disabled,
    onChanged: () => (changed += 1)
  });

const byLabel = (label: string) =>
  dom.container.querySelector(`[aria-label="${label}"]`) as HTMLButtonElement | null;
const button = (text: string) =>
  Array.from(dom.container.querySelectorAll('button')).find(b => b.textContent === text);

async function click(el: Element | null | undefined) {
  expect(el).toBeTruthy();
  await clickOn(el!);
}

async function type(el: Element | null, value: string) {
  expect(el).toBeTruthy();
  await typeInto(el!, value);
}

beforeEach(() => {
  transport = new FakeTransport({
    'chat.ideal_answer': { ideal: { id: 'ideal-1' }, original: { id: 'a1' } }
  });
  changed = 0;
});

describe('ChatFeedback', () => {
  it('rates 👎 with an optional comment, and a second click clears the rating', async () => {
    await render(feedback(ANSWER));
    expect(byLabel('Good answer')!.getAttribute('aria-pressed')).toBe('false');
    await click(byLabel('Bad answer'));
    expect(transport.argsOf('chat.rate')).toEqual([
      { session_id: 's1', message_id: 'a1', rating: 'down' }
    ]);
    expect(byLabel('Bad answer')!.getAttribute('aria-pressed')).toBe('true');
    expect(changed).toBe(1); // the view re-reads the session

    // The comment box opened: Save re-sends the rating with the comment, which the button's title shows.
    const box = byLabel('What was wrong? (optional)');
    await type(box, 'Paris is in France');
    await click(button('Save'));
    expect(transport.argsOf('chat.rate')[1]).toEqual({
      session_id: 's1',
      message_id: 'a1',
      rating: 'down',
      comment: 'Paris is in France'
    });
    expect(byLabel('What was wrong? (optional)')).toBeNull();
    expect(byLabel('Bad answer')!.title).toContain('Paris is in France');

    await click(byLabel('Bad answer'));
    expect(transport.argsOf('chat.rate')[2]).toEqual({
      session_id: 's1',
      message_id: 'a1',
      rating: null
    });
    expect(byLabel('Bad answer')!.getAttribute('aria-pressed')).toBe('false');
  });

  it('shows a stored rating and its comment; 👍 needs no comment; Skip closes the box', async () => {
    const rated = { ...ANSWER, metadata: { rating: { value: 'down', comment: 'wrong city' } } };
    await render(feedback(rated));
    expect(byLabel('Bad answer')!.getAttribute('aria-pressed')).toBe('true');
    expect(byLabel('Bad answer')!.title).toContain('wrong city');
    await click(byLabel('Good answer'));
    expect(transport.argsOf('chat.rate')).toEqual([
      { session_id: 's1', message_id: 'a1', rating: 'up' }
    ]);
    expect(byLabel('Good answer')!.getAttribute('aria-pressed')).toBe('true');
    expect(byLabel('Bad answer')!.getAttribute('aria-pressed')).toBe('false');
    expect(byLabel('What was wrong? (optional)')).toBeNull();

    await click(byLabel('Bad answer'));
    await click(button('Skip'));
    expect(byLabel('What was wrong? (optional)')).toBeNull();
    expect(transport.argsOf('chat.rate')).toHaveLength(2);
    // Changing the rating closes a comment box left open (it asked about the 👎).
    await click(byLabel('Bad answer')); // clears
    await click(byLabel('Bad answer')); // 👎 again: the box opens
    expect(byLabel('What was wrong? (optional)')).toBeTruthy();
    await click(byLabel('Good answer'));
    expect(byLabel('What was wrong? (optional)')).toBeNull();
    expect(transport.argsOf('chat.rate').map(a => a.rating)).toEqual([
      'up',
      'down',
      null,
      'down',
      'up'
    ]);
  });

  it('keeps the rating as it was when the call fails, and says why', async () => {
    transport.answers['chat.rate'] = new Error('message not found');
    await render(feedback(ANSWER));
    await click(byLabel('Bad answer'));
    expect(byLabel('Bad answer')!.getAttribute('aria-pressed')).toBe('false');
    expect(dom.container.querySelector('.sage-error')!.textContent).toContain('message not found');
    expect(byLabel('What was wrong? (optional)')).toBeNull();
    expect(changed).toBe(0);
  });

  it('saves an ideal answer from an editor prefilled with the answer, then shows it on request', async () => {
    await render(feedback(ANSWER));
    await click(button('ideal answer'));
    const editor = byLabel('Ideal answer') as unknown as HTMLTextAreaElement;
    expect(editor.value).toBe(ANSWER.content);
    await type(editor, '   ');
    expect(button('Save ideal answer')!.disabled).toBe(true); // an empty answer is refused
    await type(editor, 'Paris is the capital of France.');
    await click(button('Save ideal answer'));
    expect(transport.argsOf('chat.ideal_answer')).toEqual([
      {
        session_id: 's1',
        message_id: 'a1',
        content: 'Paris is the capital of France.',
        activate: false
      }
    ]);
    expect(byLabel('Ideal answer')).toBeNull();
    expect(dom.container.querySelector('[data-ideal-saved]')!.textContent).toContain(
      '✓ ideal answer saved'
    );
    await click(button('show it'));
    expect(transport.argsOf('sessions.switch')).toEqual([
      { session_id: 's1', message_id: 'ideal-1' }
    ]);
    expect(changed).toBe(2);
  });

  it('reads the saved note from the stored metadata, and badges an ideal answer', async () => {
    await render(feedback({ ...ANSWER, metadata: { rejected_by: 'ideal-9' } }));
    expect(dom.container.querySelector('[data-ideal-saved]')).toBeTruthy();
    await click(button('show it'));
    expect(transport.argsOf('sessions.switch')[0].message_id).toBe('ideal-9');

    const ideal = { ...ANSWER, id: 'ideal-9', metadata: { preferred: true, ideal_for: 'a1' } };
    await render(feedback(ideal));
    expect(dom.container.querySelector('[data-ideal]')!.textContent).toBe(
      'ideal answer (written by you)'
    );
    expect(byLabel('Good answer')).toBeNull();
  });

  it('changes nothing while a turn streams', async () => {
    await render(feedback(ANSWER, true));
    expect(byLabel('Good answer')!.disabled).toBe(true);
    expect(button('ideal answer')!.disabled).toBe(true);
  });
});

describe('ChatMessages feedback', () => {
  const user: ChatMessage = { id: 'u1', role: 'user', content: 'Capital of France?', metadata: {} };
  const messages = (busy: boolean, list: ChatMessage[], sessionId: string | null = 's1') =>
    createElement(ChatMessages, {
      messages: list,
      busy,
      canSwitch: true,
      showDetails: false,
      onTurn: () => undefined,
      onSwitch: () => undefined,
      sessionId,
      onFeedback: () => (changed += 1)
    });
  const rateButtons = () => dom.container.querySelectorAll('[aria-label="Good answer"]').length;

  it('offers feedback on stored answers only', async () => {
    await render(messages(false, [user, ANSWER]));
    expect(rateButtons()).toBe(1);
    // The optimistic bubble of a turn, and the answer streaming now, have none; older answers keep theirs.
    const pending = { ...ANSWER, id: 'pending-1', content: '' };
    await render(messages(true, [user, ANSWER, { ...user, id: 'u2' }, pending]));
    expect(rateButtons()).toBe(1);
    await render(messages(true, [user, ANSWER]));
    expect(rateButtons()).toBe(0); // a continued answer streams in its own (stored) bubble
    await render(messages(false, [user, { ...ANSWER, id: 'pending-2' }]));
    expect(rateButtons()).toBe(0);
    await render(messages(false, [user, ANSWER], null)); // no session stored yet
    expect(rateButtons()).toBe(0);
  });

  it('re-reads the session after a rating', async () => {
    await render(messages(false, [user, ANSWER]));
    await click(byLabel('Good answer'));
    expect(transport.argsOf('chat.rate')[0]).toEqual({
      session_id: 's1',
      message_id: 'a1',
      rating: 'up'
    });
    expect(changed).toBe(1);
  });
});
