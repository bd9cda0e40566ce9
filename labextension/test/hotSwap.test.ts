import { describe, expect, it } from 'vitest';

import { TransportError } from '../src/transport/types';
import { IDLE, SwapState, isBusy, needsMerge, swapNotice, swapReducer } from '../src/views/hotSwap';

const refusal = new TransportError(
  409,
  'this adapter cannot be hot-loaded: DoRA adapters cannot be hot-loaded',
  {
    status: 409,
    action: 'merge-and-restart',
    reason: ['DoRA adapters cannot be hot-loaded', 'modules_to_save: lm_head']
  }
);
const merged = {
  current: { model: null, kind: 'merged', base_model: 'ft-1-merged', path: '/x/merged' },
  merged_path: '/x/merged',
  restarted: true,
  dropped_adapters: ['older-adapter'],
  timings: { merge_s: 4.21, restart_s: 17.8 }
};

describe('use in chat state', () => {
  it('hot-swap: busy, then a notice naming the adapter and no restart', () => {
    let s: SwapState = swapReducer(IDLE, { type: 'start' });
    expect(isBusy(s)).toBe(true);
    s = swapReducer(s, {
      type: 'ok',
      result: { current: { model: 'ft-1' }, load_time_s: 0.42, restarted: false }
    });
    expect(isBusy(s)).toBe(false);
    expect(s).toMatchObject({ phase: 'done', restarted: false });
    expect(s.phase === 'done' && s.notice).toBe(
      'Chat now uses ft-1 (loaded in 0.42 s, no engine restart).'
    );
  });

  it('a 409 merge-and-restart refusal offers the merge with its reasons', () => {
    expect(needsMerge(refusal)).toBe(true);
    expect(needsMerge(new TransportError(409, 'task is running'))).toBe(false);
    expect(needsMerge(new TransportError(503, 'x', { action: 'merge-and-restart' }))).toBe(false);
    const s = swapReducer(swapReducer(IDLE, { type: 'start' }), { type: 'error', error: refusal });
    expect(s).toEqual({
      phase: 'needs-merge',
      message: refusal.message,
      reasons: ['DoRA adapters cannot be hot-loaded', 'modules_to_save: lm_head']
    });
    expect(isBusy(s)).toBe(false);
  });

  it('merge-and-restart: busy with the reasons kept, then the outcome with timings and dropped adapters', () => {
    const offer = swapReducer(IDLE, { type: 'error', error: refusal });
    const busy = swapReducer(offer, { type: 'merge' });
    expect(busy).toEqual({ phase: 'merging', reasons: (offer as any).reasons });
    expect(isBusy(busy)).toBe(true);
    const done = swapReducer(busy, { type: 'ok', result: merged });
    expect(done).toMatchObject({ phase: 'done', restarted: true, dropped: ['older-adapter'] });
    expect(swapNotice(merged)).toBe(
      'Chat now uses ft-1-merged (merged in 4.2 s, engine restarted in 18 s). ' +
        'Unloaded older-adapter: trained on the previous base weights.'
    );
    // A fresh merged/ folder is reused: no merge time to report.
    expect(
      swapNotice({ ...merged, dropped_adapters: [], timings: { merge_s: 0, restart_s: 3 } })
    ).toBe('Chat now uses ft-1-merged (engine restarted in 3.0 s).');
  });

  it('a failed merge-and-restart shows the message and engine log, and may be retried', () => {
    const busy = swapReducer(swapReducer(IDLE, { type: 'error', error: refusal }), {
      type: 'merge'
    });
    const err = new TransportError(503, 'the engine did not start on /x/merged', {
      log_tail: ['Traceback', 'OOM'],
      restored_engine: true
    });
    const s = swapReducer(busy, { type: 'error', error: err });
    expect(s).toMatchObject({
      phase: 'failed',
      message: 'the engine did not start on /x/merged (503)',
      logTail: ['Traceback', 'OOM'],
      canMerge: true
    });
    expect((s as any).reasons).toHaveLength(2);
    // A plain hot-swap failure (no engine) is not a merge offer.
    const plain = swapReducer(swapReducer(IDLE, { type: 'start' }), {
      type: 'error',
      error: new TransportError(503, 'no engine is running')
    });
    expect(plain).toMatchObject({ phase: 'failed', canMerge: false, logTail: [] });
  });

  it('names the adapter by its task name, the served id as a detail', () => {
    expect(
      swapNotice({
        current: { model: 'ft-20261206-075716-aacc59', label: 'password-lora' },
        load_time_s: 0.5,
        restarted: false
      })
    ).toBe(
      'Chat now uses password-lora (served as ft-20261206-075716-aacc59; loaded in 0.50 s, no engine restart).'
    );
    expect(swapNotice({ current: { model: 'ft-1', label: 'ft-1' } })).toBe('Chat now uses ft-1.');
  });
});
