/**
 * The chat source switch's state of each source, from `chat.sources` (`GET api/chat/sources`):
 * {default, local: {available, status, model, chat_model}, cloud: {configured, model, host, reachable}}.
 */

/** ok: usable now; warn: configured but not usable (loading, unreachable); off: not set up; unknown: not probed. */
export type SourceLevel = 'ok' | 'warn' | 'off' | 'unknown';

export interface SourceState {
  level: SourceLevel;
  /** One short line for the UI, e.g. "running · SmolLM2-135M-Instruct". */
  text: string;
}

export interface SourcesStatus {
  default?: string;
  local?: {
    available?: boolean;
    status?: string | null;
    model?: string | null;
    chat_model?: string | null;
  };
  cloud?: {
    configured?: boolean;
    model?: string | null;
    host?: string | null;
    reachable?: boolean | null;
    /** Why the probe failed (never a URL or key). */
    error?: string | null;
  };
}

export function localState(local: SourcesStatus['local']): SourceState {
  if (!local) {
    return { level: 'unknown', text: 'state unknown' };
  }
  const model = local.chat_model || local.model;
  if (local.available) {
    return { level: 'ok', text: `running${model ? ` · ${model}` : ''}` };
  }
  const status = local.status || 'stopped';
  if (status === 'loading' || status === 'starting') {
    return { level: 'warn', text: `engine ${status}${model ? ` · ${model}` : ''}` };
  }
  if (status === 'failed') {
    return { level: 'warn', text: 'engine failed (see Engine & GPU logs)' };
  }
  return { level: 'off', text: 'no engine running' };
}

export function cloudState(cloud: SourcesStatus['cloud']): SourceState {
  if (!cloud) {
    return { level: 'unknown', text: 'state unknown' };
  }
  if (!cloud.configured) {
    return { level: 'off', text: 'not configured' };
  }
  const where = [cloud.model, cloud.host].filter(Boolean).join(' @ ') || 'configured';
  if (cloud.reachable === false) {
    const why = cloud.error ? ` (${cloud.error})` : '';
    return { level: 'warn', text: `unreachable${why} · ${where}` };
  }
  return { level: cloud.reachable ? 'ok' : 'unknown', text: where };
}

/** Auto tries the local engine first, then the cloud: it is as good as the first usable one. */
export function autoState(status: SourcesStatus | null | undefined): SourceState {
  const local = localState(status?.local);
  const cloud = cloudState(status?.cloud);
  if (local.level === 'ok') {
    return { level: 'ok', text: `local first · ${local.text}` };
  }
  if (cloud.level === 'ok' || cloud.level === 'unknown') {
    return cloud.level === 'unknown' && !status?.cloud
      ? { level: 'unknown', text: 'state unknown' }
      : { level: cloud.level, text: `cloud (${local.text}) · ${cloud.text}` };
  }
  return { level: 'warn', text: `no source available: local ${local.text}, cloud ${cloud.text}` };
}

export function sourceState(name: string, status: SourcesStatus | null | undefined): SourceState {
  if (name === 'local') {
    return localState(status?.local);
  }
  if (name === 'cloud') {
    return cloudState(status?.cloud);
  }
  return autoState(status);
}

/**
 * What the chat view offers about the local engine for the chosen source: `start` when nothing can answer
 * (no engine, and for Auto no usable cloud either), `loading` while the engine loads its model, null when a
 * source can answer (or the state is not known yet).
 */
export function engineOffer(
  name: string,
  status: SourcesStatus | null | undefined
): 'start' | 'loading' | null {
  if (!status?.local || name === 'cloud') {
    return null;
  }
  const local = status.local;
  if (local.available) {
    return null;
  }
  if (name === 'auto' && cloudState(status.cloud).level === 'ok') {
    return null;
  }
  const st = local.status || 'stopped';
  return st === 'loading' || st === 'starting' ? 'loading' : 'start';
}
