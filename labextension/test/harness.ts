/**
 * The shared harness of the view tests (not a test file itself: vitest collects `*.test.ts` only).
 *
 * - `FakeTransport`: answers each method from `answers` (a value, an `Error` to throw, or a function of the
 *   arguments that returns the answer or throws; an unknown method answers `{}`), records every call and
 *   stream as `[method, args]` in `calls`, and every stream in `streams`, which a test drives (`push`, `end`,
 *   `fail`) and whose `cancel` it can see.
 * - `mountDom()`: a container and React root per test (created before, unmounted and removed after), with
 *   `render` inside the TransportContext (+ ActiveContext, + any further providers) and `button(text)`.
 * - `click(el)`, `type(el, value)`: user input inside `act`, letting what it started settle.
 * - `captureDownloads()`: the files a view saves (through a blob URL and a clicked link), instead of saving them.
 */
import { act, Context, createElement, ReactElement } from 'react';
import { createRoot, Root } from 'react-dom/client';
import { afterEach, beforeEach, vi } from 'vitest';

import { Args, StreamHandle, StudioEvent, Transport } from '../src/transport/types';
import { ActiveContext, TransportContext } from '../src/views/common';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

/** One stream a view opened: the test pushes its events, ends or fails it, and sees whether it was cancelled. */
export interface FakeStream {
  method: string;
  args: Args;
  push: (e: StudioEvent) => void;
  end: (value?: unknown) => void;
  fail: (err: unknown) => void;
  cancelled: boolean;
  ended: boolean;
}

export class FakeTransport implements Transport {
  kind: 'rest' | 'widget' = 'rest';
  calls: [string, Args][] = [];
  streams: FakeStream[] = [];

  constructor(public answers: Record<string, unknown> = {}) {}

  async call<T = any>(method: string, args: Args = {}): Promise<T> {
    this.calls.push([method, args]);
    const answer = this.answers[method];
    if (answer instanceof Error) {
      throw answer;
    }
    return (typeof answer === 'function' ? answer(args) : (answer ?? {})) as T;
  }

  stream<T = any>(method: string, args: Args, onEvent: (e: StudioEvent) => void): StreamHandle<T> {
    this.calls.push([method, args]);
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<T>((res, rej) => {
      resolve = res as (v: unknown) => void;
      reject = rej;
    });
    const entry: FakeStream = {
      method,
      args,
      push: onEvent,
      end: (value: unknown = null) => {
        entry.ended = true;
        resolve(value);
      },
      fail: (err: unknown) => {
        entry.ended = true;
        reject(err);
      },
      cancelled: false,
      ended: false
    };
    this.streams.push(entry);
    return {
      done,
      cancel: () => {
        entry.cancelled = true;
        resolve({ cancelled: true });
      }
    };
  }

  /** The arguments of each call of `method`, in order. */
  argsOf(method: string): Args[] {
    return this.calls.filter(c => c[0] === method).map(c => c[1]);
  }

  count(method: string): number {
    return this.argsOf(method).length;
  }

  methods(): string[] {
    return this.calls.map(c => c[0]);
  }

  /** The streams neither cancelled nor ended. */
  open(method?: string): FakeStream[] {
    return this.streams.filter(s => !s.cancelled && !s.ended && (!method || s.method === method));
  }

  /** The latest stream (a view that streams one thing at a time). */
  get last(): FakeStream {
    return this.streams[this.streams.length - 1];
  }
}

/** A provider of `value` in `context`, to wrap a rendered view in. */
export const provide =
  <V>(context: Context<V>, value: V) =>
  (child: ReactElement): ReactElement =>
    createElement(context.Provider, { value }, child);

/** Let what was started (effects, resolved calls) settle. */
export const settle = () => act(async () => undefined);

/** Mount a container and a React root around each test of this file; `render` into it. */
export function mountDom() {
  let container!: HTMLDivElement;
  let root!: Root;

  beforeEach(() => {
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });

  return {
    get container() {
      return container;
    },
    get root() {
      return root;
    },
    /**
     * Render `view` inside the TransportContext of `transport` and an active ActiveContext, inside out in
     * `wrappers` (the first wraps the view closest), and let its first calls resolve.
     */
    async render(
      transport: Transport,
      view: ReactElement,
      ...wrappers: ((child: ReactElement) => ReactElement)[]
    ) {
      const inner = wrappers.reduce((child, wrap) => wrap(child), view);
      await act(async () => {
        root.render(
          createElement(
            TransportContext.Provider,
            { value: transport },
            createElement(ActiveContext.Provider, { value: true }, inner)
          )
        );
      });
      await settle();
    },
    /** The first button whose text is `text`. */
    button(text: string): HTMLButtonElement {
      return Array.from(container.querySelectorAll('button')).find(b => b.textContent === text)!;
    }
  };
}

/** Click `el` and let what it started settle. */
export async function click(el: Element) {
  await act(async () => (el as HTMLElement).click());
  await settle();
}

/** Type `value` into a controlled input, textarea or select (React listens to the native setter's event). */
export async function type(el: Element, value: string) {
  const proto =
    el instanceof HTMLSelectElement
      ? HTMLSelectElement
      : el instanceof HTMLTextAreaElement
        ? HTMLTextAreaElement
        : HTMLInputElement;
  await act(async () => {
    Object.getOwnPropertyDescriptor(proto.prototype, 'value')!.set!.call(el, value);
    el.dispatchEvent(
      new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true })
    );
  });
}

/** A file a view saved: its name, its content and whether its link was in the document when clicked. */
export interface SavedFile {
  name: string;
  blob: Blob;
  attached: boolean;
}

/**
 * Capture the files views save (a blob URL on a clicked `<a download>`): returns the list they are added to.
 * The click is mocked: restore it with `vi.restoreAllMocks()` after the test.
 */
export function captureDownloads(): SavedFile[] {
  const saved: SavedFile[] = [];
  let blob: Blob | null = null;
  (URL as any).createObjectURL = (b: Blob) => ((blob = b), 'blob:x');
  (URL as any).revokeObjectURL = () => undefined;
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
    this: HTMLAnchorElement
  ) {
    saved.push({ name: this.download, blob: blob!, attached: this.isConnected });
  });
  return saved;
}
