/**
 * "The chat sessions changed" (a turn, a new chat, a rename, a deletion, new settings), shared by every view of
 * the page: the sidebar's session list and the chat panels' lists reload on it instead of going stale.
 */
import { useEffect, useRef } from 'react';

const listeners = new Set<() => void>();

export function notifySessionsChanged(): void {
  listeners.forEach(fn => fn());
}

/** Run `fn` whenever a view of this page changes the sessions. */
export function useSessionsChanged(fn: () => void): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const listener = () => ref.current();
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
}
