/**
 * WidgetTransport: the notebook widgets' transport over anywidget custom messages (docs/TRANSPORT.md).
 * JS → Py {type: "call", id, method, args, stream?} / {type: "cancel", id};
 * Py → JS {type: "event", id, event} / {type: "result", id, ok, value | error}.
 */
import { Args, StreamHandle, StudioEvent, Transport, TransportError } from './types';

/** The part of anywidget's model the transport needs. */
export interface WidgetModelLike {
  send(content: unknown, callbacks?: unknown, buffers?: ArrayBuffer[]): void;
  on(name: string, cb: (...args: any[]) => void): void;
  off(name: string, cb: (...args: any[]) => void): void;
}

interface Pending {
  resolve: (value: any) => void;
  reject: (err: TransportError) => void;
  onEvent?: (event: StudioEvent) => void;
}

let counter = 0;

export class WidgetTransport implements Transport {
  readonly kind = 'widget' as const;
  private readonly pending = new Map<string, Pending>();
  private readonly prefix = `v${Math.random().toString(36).slice(2, 8)}-`;

  constructor(private readonly model: WidgetModelLike) {
    this.model.on('msg:custom', this.onMessage);
  }

  call<T = any>(method: string, args: Args = {}): Promise<T> {
    const id = this.nextId();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.model.send({ type: 'call', id, method, args });
    });
  }

  stream<T = any>(
    method: string,
    args: Args,
    onEvent: (event: StudioEvent) => void
  ): StreamHandle<T> {
    const id = this.nextId();
    const done = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.model.send({ type: 'call', id, method, args, stream: true });
    });
    return {
      done,
      cancel: () => {
        if (this.pending.has(id)) {
          this.model.send({ type: 'cancel', id });
        }
      }
    };
  }

  /** Stop listening; calls still in flight reject (the widget view went away). */
  dispose(): void {
    this.model.off('msg:custom', this.onMessage);
    for (const p of this.pending.values()) {
      p.reject(new TransportError(0, 'the widget view was closed'));
    }
    this.pending.clear();
  }

  private nextId(): string {
    counter += 1;
    return `${this.prefix}${counter}`;
  }

  private onMessage = (msg: any, buffers?: (DataView | ArrayBuffer)[]): void => {
    if (!msg || typeof msg !== 'object' || typeof msg.id !== 'string') {
      return;
    }
    const pending = this.pending.get(msg.id);
    if (!pending) {
      return;
    }
    const bufs = buffers && buffers.length ? buffers : undefined;
    if (msg.type === 'event') {
      const event = bufs ? { ...msg.event, buffers: bufs } : msg.event;
      pending.onEvent?.(event);
    } else if (msg.type === 'result') {
      this.pending.delete(msg.id);
      if (msg.ok) {
        const value =
          bufs && msg.value && typeof msg.value === 'object'
            ? { ...msg.value, buffers: bufs }
            : msg.value;
        pending.resolve(value);
      } else {
        const err = msg.error ?? {};
        pending.reject(
          new TransportError(Number(err.status) || 500, String(err.message ?? 'error'), err)
        );
      }
    }
  };
}
