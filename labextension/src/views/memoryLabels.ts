/** Plain-language names, units and help of the memory settings, and minutes shown as days / hours / minutes. */
import { TransportError } from '../transport/types';

export const BACKEND_LABELS: Record<string, string> = {
  short_term: 'Recent messages',
  vector: 'Semantic search (embeddings)',
  kv: 'Keyword search (BM25)'
};

export const BACKEND_HELP: Record<string, string> = {
  short_term: 'Only the latest exchanges go with each message.',
  vector:
    'Also recalls older exchanges that mean something similar to the new message (an embedding model compares them).',
  kv: 'Also recalls older exchanges that share words with the new message.'
};

export function backendLabel(backend: string | null | undefined): string {
  return backend ? (BACKEND_LABELS[backend] ?? backend) : '–';
}

export type MemoryField = 'window' | 'top_k' | 'min_score';

export const FIELD_INFO: Record<
  MemoryField,
  { label: string; unit: string; help: string; min: number; max: number; step: number }
> = {
  window: {
    label: 'Recent exchanges kept',
    unit: 'exchanges',
    help: 'How many of the latest question-and-answer pairs go with each message, word for word.',
    min: 0,
    max: 1000,
    step: 1
  },
  top_k: {
    label: 'Memories recalled per turn',
    unit: 'memories',
    help: 'How many older exchanges semantic or keyword search adds to each message.',
    min: 1,
    max: 100,
    step: 1
  },
  min_score: {
    label: 'Minimum similarity',
    unit: 'from −1 to 1',
    help: 'Semantic search only: recalled memories less similar than this are left out (0 keeps anything related).',
    min: -1,
    max: 1,
    step: 0.05
  }
};

export const TIME_UNITS = [
  { unit: 'days', minutes: 1440 },
  { unit: 'hours', minutes: 60 },
  { unit: 'minutes', minutes: 1 }
] as const;
export type TimeUnit = (typeof TIME_UNITS)[number]['unit'];

/** Minutes as a whole number of the largest unit that fits exactly: 43200 → 30 days, 90 → 90 minutes. */
export function splitMinutes(minutes: number): { value: number; unit: TimeUnit } {
  const m = Math.max(0, Number(minutes) || 0);
  for (const u of TIME_UNITS) {
    if (m > 0 && m % u.minutes === 0) {
      return { value: m / u.minutes, unit: u.unit };
    }
  }
  return { value: m, unit: 'minutes' };
}

export function toMinutes(value: number, unit: TimeUnit): number {
  return value * (TIME_UNITS.find(u => u.unit === unit)?.minutes ?? 1);
}

/** "30 days", "1 hour", "90 minutes". */
export function fmtMinutes(minutes: number): string {
  const { value, unit } = splitMinutes(minutes);
  return `${value} ${value === 1 ? unit.slice(0, -1) : unit}`;
}

/** The server's 400 per field (`errors[].loc` / `msg` of a validation error); the rest is the message. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof TransportError)) {
    return out;
  }
  const errors = err.details?.errors;
  if (Array.isArray(errors)) {
    for (const e of errors) {
      const loc: unknown[] = Array.isArray(e?.loc) ? e.loc : [];
      const field = String(loc[loc.length - 1] ?? '');
      if (field && e?.msg) {
        out[field] = out[field] ? `${out[field]}; ${e.msg}` : String(e.msg);
      }
    }
  }
  return out;
}
