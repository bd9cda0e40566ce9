/** Shared pieces of every view: the transport context, visibility, call/stream hooks and small UI parts. */
import React, { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';

import { SERVER_EXTENSION_HINT } from '../transport/rest';
import { Args, StudioEvent, Transport, TransportError, errorMessage } from '../transport/types';

export const TransportContext = createContext<Transport | null>(null);
/** False while the hosting panel is hidden: live streams and slow polls pause then. */
export const ActiveContext = createContext<boolean>(true);

export function useTransport(): Transport {
  const transport = useContext(TransportContext);
  if (!transport) {
    throw new Error('Studio view rendered outside a TransportContext');
  }
  return transport;
}

export function useActive(): boolean {
  return useContext(ActiveContext);
}

export interface CallState<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (value: T | null) => void;
}

/** Call `method` once (and again when `key` changes or on `reload()`); `method` null skips. */
export function useCall<T = any>(method: string | null, args: Args = {}, key = ''): CallState<T> {
  const transport = useTransport();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState<boolean>(!!method);
  const argsRef = useRef(args);
  argsRef.current = args;
  const reload = useCallback(async () => {
    if (!method) {
      return;
    }
    setLoading(true);
    try {
      setData(await transport.call<T>(method, argsRef.current));
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, [transport, method, key]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload, setData };
}

/** Keep a stream open while the view is visible and `enabled`; reopen after `key` changes. */
export function useLiveStream(
  method: string,
  args: Args,
  onEvent: (event: StudioEvent) => void,
  enabled = true,
  key = ''
): unknown {
  const transport = useTransport();
  const active = useActive();
  const [error, setError] = useState<unknown>(null);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const argsRef = useRef(args);
  argsRef.current = args;
  useEffect(() => {
    if (!active || !enabled) {
      return;
    }
    const handle = transport.stream(method, argsRef.current, e => handler.current(e));
    handle.done.then(
      () => setError(null),
      err => setError(err)
    );
    return () => handle.cancel();
  }, [transport, method, active, enabled, key]);
  return error;
}

/** Run `fn` every `ms` while visible (slow status only; live data comes by push). */
export function useSlowPoll(fn: () => void, ms: number, enabled = true): void {
  const active = useActive();
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!active || !enabled) {
      return;
    }
    const timer = setInterval(() => ref.current(), ms);
    return () => clearInterval(timer);
  }, [active, enabled, ms]);
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) {
    return null;
  }
  const missing = error instanceof TransportError && error.details?.missingRoute;
  return (
    <div className="sage-error" role="alert">
      <span>{errorMessage(error)}</span>
      {missing ? <div className="sage-hint">{SERVER_EXTENSION_HINT}</div> : null}
      {onRetry ? (
        <button className="sage-link" onClick={onRetry}>
          retry
        </button>
      ) : null}
    </div>
  );
}

/** Checks once that the backend answers (`health`); explains a missing server extension instead of a blank panel. */
export function BackendCheck({ children }: { children: React.ReactNode }) {
  const health = useCall('health');
  if (health.error) {
    const err = health.error;
    const notEnabled = err instanceof TransportError && err.status === 404;
    return (
      <div className="sage-error sage-backend-missing" role="alert">
        <strong>SAGE Studio backend unavailable.</strong>
        <div>{notEnabled ? SERVER_EXTENSION_HINT : errorMessage(err)}</div>
        <button className="sage-link" onClick={() => void health.reload()}>
          check again
        </button>
      </div>
    );
  }
  return <>{children}</>;
}

export function Card({
  title,
  value,
  hint
}: {
  title: string;
  value: React.ReactNode;
  hint?: string;
}) {
  return (
    <div className="sage-card" title={hint}>
      <div className="sage-card-title">{title}</div>
      <div className="sage-card-value">{value ?? '–'}</div>
    </div>
  );
}

export function Bar({ fraction, label }: { fraction: number; label?: string }) {
  const pct = Math.max(0, Math.min(1, Number(fraction) || 0)) * 100;
  return (
    <div className="sage-bar" title={label ?? `${pct.toFixed(0)}%`}>
      <div className="sage-bar-fill" style={{ width: `${pct}%` }} />
      <span className="sage-bar-label">{label ?? `${pct.toFixed(0)}%`}</span>
    </div>
  );
}

export function fmtNum(value: unknown, digits = 3): string {
  const n = Number(value);
  if (value === null || value === undefined || Number.isNaN(n)) {
    return '–';
  }
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

export function fmtDuration(seconds: unknown): string {
  const s = Number(seconds);
  if (seconds === null || seconds === undefined || Number.isNaN(s)) {
    return '–';
  }
  if (s < 60) {
    return `${Math.round(s)} s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  }
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export function fmtTime(epoch: unknown): string {
  const n = Number(epoch);
  if (!n) {
    return '';
  }
  return new Date(n * 1000).toLocaleString();
}

/** A button that runs an async action, disables itself meanwhile, and reports failures via `onError`. */
export function ActionButton({
  label,
  action,
  onError,
  className,
  disabled,
  title
}: {
  label: string;
  action: () => Promise<unknown>;
  onError?: (err: unknown) => void;
  className?: string;
  disabled?: boolean;
  title?: string;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      className={className ?? 'sage-button'}
      disabled={busy || disabled}
      title={title}
      onClick={async () => {
        setBusy(true);
        try {
          await action();
          onError?.(null);
        } catch (err) {
          onError?.(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      {busy ? `${label}…` : label}
    </button>
  );
}

/**
 * Save text as a browser download (the anchor is attached while it is clicked and the object URL outlives
 * the click: a URL revoked at once, or a detached anchor, can leave the browser without a file).
 */
export function saveText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
