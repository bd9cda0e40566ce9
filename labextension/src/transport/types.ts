/**
 * The one interface between Studio views and a backend (docs/TRANSPORT.md).
 * Views only ever see a Transport: RestTransport in JupyterLab panels, WidgetTransport in notebook widgets.
 */

import type { components, operations } from './api';

export type Args = Record<string, unknown>;

/** A schema of the Studio API (openapi.json, generated into api.ts), e.g. `Schema<'EngineStatus'>`. */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];

type Success<R> = R extends { 200: infer A }
  ? A
  : R extends { 201: infer A }
    ? A
    : R extends { 202: infer A }
      ? A
      : null;
type JsonOf<A> = A extends { content: { 'application/json': infer J } } ? J : null;
/** What `call(method)` resolves to for an operation of openapi.json (null for a 204). */
export type Result<M extends keyof operations> = JsonOf<Success<operations[M]['responses']>>;

export type StudioEvent = Record<string, unknown> & { type?: string };

export interface StreamHandle<T = unknown> {
  /** Stop the stream; `done` then settles (resolves with `{cancelled: true}` or the partial result). */
  cancel(): void;
  /** Settles once with the stream's final result, or rejects with a TransportError. */
  done: Promise<T>;
}

export interface Transport {
  /** Which backend this is ("rest" or "widget"): views may adjust wording, never behaviour. */
  readonly kind: 'rest' | 'widget';
  call<T = any>(method: string, args?: Args): Promise<T>;
  stream<T = any>(
    method: string,
    args: Args,
    onEvent: (event: StudioEvent) => void
  ): StreamHandle<T>;
}

/** A backend error with the HTTP meaning of its status (400 fix your input, 404, 409, 503…). */
export class TransportError extends Error {
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(status: number, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'TransportError';
    this.status = status;
    this.details = details;
  }
}

/** Turn anything thrown into a readable one-line message for the UI. */
export function errorMessage(err: unknown): string {
  if (err instanceof TransportError) {
    return err.status ? `${err.message} (${err.status})` : err.message;
  }
  if (err instanceof Error) {
    return err.message;
  }
  return String(err);
}
