/**
 * User settings of the Studio views (schema: `labextension/schema/plugin.json`). The Lab plugin feeds a
 * `SettingsStore` from JupyterLab's settings registry; notebook widgets have no provider and use the defaults.
 */
import { createContext, useContext, useSyncExternalStore } from 'react';

export type ChatSource = 'auto' | 'local' | 'cloud';

export interface StudioSettings {
  /** Seconds between GPU snapshots pushed by the server. */
  gpuRefreshInterval: number;
  /** Seconds between re-reads of slow status (engine, chat sources) while a panel is visible. */
  engineStatusPollInterval: number;
  defaultChatSource: ChatSource;
  defaultMaxTokens: number;
  defaultTemperature: number;
  showMessageDetails: boolean;
}

export const DEFAULT_SETTINGS: StudioSettings = {
  gpuRefreshInterval: 2,
  engineStatusPollInterval: 4,
  defaultChatSource: 'auto',
  defaultMaxTokens: 512,
  defaultTemperature: 0.7,
  showMessageDetails: false
};

const clamp = (value: unknown, min: number, max: number, fallback: number) => {
  const n = Number(value);
  return value === null || value === undefined || !Number.isFinite(n)
    ? fallback
    : Math.min(max, Math.max(min, n));
};

/** Settings from the registry's composite (the schema validates too; this keeps views safe regardless). */
export function readSettings(raw: Record<string, unknown> | null | undefined): StudioSettings {
  const r = raw ?? {};
  const d = DEFAULT_SETTINGS;
  const source = String(r.defaultChatSource ?? d.defaultChatSource);
  return {
    gpuRefreshInterval: clamp(r.gpuRefreshInterval, 0.5, 60, d.gpuRefreshInterval),
    engineStatusPollInterval: clamp(r.engineStatusPollInterval, 1, 300, d.engineStatusPollInterval),
    defaultChatSource: ['auto', 'local', 'cloud'].includes(source)
      ? (source as ChatSource)
      : d.defaultChatSource,
    defaultMaxTokens: Math.round(clamp(r.defaultMaxTokens, 1, 32768, d.defaultMaxTokens)),
    defaultTemperature: clamp(r.defaultTemperature, 0, 2, d.defaultTemperature),
    showMessageDetails:
      typeof r.showMessageDetails === 'boolean' ? r.showMessageDetails : d.showMessageDetails
  };
}

/** Current settings plus change notification (for `useSyncExternalStore`). */
export class SettingsStore {
  private value: StudioSettings;
  private readonly listeners = new Set<() => void>();

  constructor(initial: Partial<StudioSettings> = {}) {
    this.value = { ...DEFAULT_SETTINGS, ...initial };
  }

  get = (): StudioSettings => this.value;

  set(next: StudioSettings): void {
    this.value = next;
    this.listeners.forEach(fn => fn());
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
}

export const SettingsContext = createContext<SettingsStore>(new SettingsStore());

/** The current settings; the view re-renders when the user changes them in the Settings Editor. */
export function useStudioSettings(): StudioSettings {
  const store = useContext(SettingsContext);
  return useSyncExternalStore(store.subscribe, store.get);
}
