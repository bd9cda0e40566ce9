/**
 * "Use in chat" for a fine-tuned task: hot-load the adapter, or — when the engine cannot hot-load it (the server
 * answers 409 with `action: "merge-and-restart"` and the `reason` list) — offer merge-and-restart, which merges
 * the adapter into the base weights and restarts the engine on them (seconds to minutes). Pure state logic.
 */
import { TransportError, errorMessage } from '../transport/types';

type Obj = Record<string, any>;

export type SwapState =
  | { phase: 'idle' }
  | { phase: 'swapping' }
  | { phase: 'needs-merge'; message: string; reasons: string[] }
  | { phase: 'merging'; reasons: string[] }
  | { phase: 'done'; notice: string; restarted: boolean; dropped: string[] }
  | { phase: 'failed'; message: string; reasons: string[]; logTail: string[]; canMerge: boolean };

export type SwapAction =
  | { type: 'start' }
  | { type: 'merge' }
  | { type: 'ok'; result: Obj }
  | { type: 'error'; error: unknown };

export const IDLE: SwapState = { phase: 'idle' };

const fmtS = (s: unknown) => {
  const n = Number(s);
  return Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n)} s` : '?';
};

const lines = (value: unknown): string[] => {
  if (Array.isArray(value)) {
    return value.map(String);
  }
  if (typeof value === 'string' && value) {
    return value.split('\n');
  }
  if (value && typeof value === 'object' && Array.isArray((value as Obj).lines)) {
    return (value as Obj).lines.map(String);
  }
  return [];
};

/** What chat uses now, from a use-in-chat answer. */
export function currentModelName(result: Obj, fallback = 'the adapter'): string {
  const current = result?.current ?? {};
  return String(current.model ?? current.base_model ?? result?.model ?? result?.name ?? fallback);
}

/** The adapter as people call it (its task's name) and its served model id when that differs. */
export function shownModelName(result: Obj): { name: string; served: string | null } {
  const served = currentModelName(result);
  const label = result?.current?.label;
  return typeof label === 'string' && label && label !== served
    ? { name: label, served }
    : { name: served, served: null };
}

/** The line shown after a successful hot-swap or merge-and-restart. */
export function swapNotice(result: Obj): string {
  const { name, served } = shownModelName(result);
  const details = served ? [`served as ${served}`] : [];
  const line = (extra: string[], tail = '') => {
    const all = [...details, ...extra];
    return `Chat now uses ${name}${all.length ? ` (${all.join('; ')})` : ''}.${tail}`;
  };
  if (result?.restarted) {
    const t = result.timings ?? {};
    const merged = Number(t.merge_s) > 0 ? `merged in ${fmtS(t.merge_s)}, ` : '';
    const dropped: string[] = result.dropped_adapters ?? [];
    const gone = dropped.length
      ? ` Unloaded ${dropped.join(', ')}: trained on the previous base weights.`
      : '';
    return line([`${merged}engine restarted in ${fmtS(t.restart_s)}`], gone);
  }
  return line(
    result?.load_time_s !== undefined
      ? [`loaded in ${Number(result.load_time_s).toFixed(2)} s, no engine restart`]
      : []
  );
}

/** Is this error the server's "cannot hot-load: merge and restart instead" answer? */
export function needsMerge(error: unknown): error is TransportError {
  return (
    error instanceof TransportError &&
    error.status === 409 &&
    error.details?.action === 'merge-and-restart'
  );
}

export function swapReducer(state: SwapState, action: SwapAction): SwapState {
  switch (action.type) {
    case 'start':
      return { phase: 'swapping' };
    case 'merge':
      return { phase: 'merging', reasons: 'reasons' in state ? state.reasons : [] };
    case 'ok':
      return {
        phase: 'done',
        notice: swapNotice(action.result),
        restarted: !!action.result?.restarted,
        dropped: action.result?.dropped_adapters ?? []
      };
    case 'error': {
      const err = action.error;
      if (needsMerge(err)) {
        return { phase: 'needs-merge', message: err.message, reasons: lines(err.details.reason) };
      }
      const details: Obj = err instanceof TransportError ? err.details : {};
      const reasons = 'reasons' in state ? state.reasons : [];
      return {
        phase: 'failed',
        message: errorMessage(err),
        reasons,
        logTail: lines(details.log_tail),
        // A failed merge-and-restart may be tried again (the server left the old engine running).
        canMerge: state.phase === 'merging'
      };
    }
    default:
      return state;
  }
}

export const isBusy = (s: SwapState) => s.phase === 'swapping' || s.phase === 'merging';
