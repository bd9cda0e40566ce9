// @vitest-environment jsdom
/**
 * The canvas's trust state (views/flowTrust.tsx) against a recording fake Transport: the "Not trusted" badge
 * and its Trust action, and re-signing only the user's edits of a trusted flow.
 */
import { act, createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { Transport } from '../src/transport/types';
import { FlowDoc } from '../src/views/flowModel';
import {
  FlowTrust,
  SIGN_DELAY_MS,
  TrustBadge,
  TrustState,
  trustTitle,
  useFlowTrust
} from '../src/views/flowTrust';
import { FakeTransport, mountDom } from './harness';

const FLOW: FlowDoc = {
  name: 'imported',
  nodes: [
    {
      id: 'sh',
      type: 'tool_call',
      position: { x: 0, y: 0 },
      data: { config: { tool: 'os:system' } }
    }
  ],
  edges: []
} as FlowDoc;

const UNTRUSTED: TrustState = {
  trusted: false,
  references: [{ node_id: 'sh', reference: 'os:system' }]
};

/** A transport that answers the flow's trust state, which `flow.trust` makes trusted. */
function trustTransport(status: TrustState) {
  return new FakeTransport({
    'flow.trust_status': () => status,
    'flow.trust': () => (status = { ...status, trusted: true })
  });
}

const dom = mountDom();
let hook: FlowTrust;

function Harness() {
  hook = useFlowTrust();
  return createElement(TrustBadge, { state: hook.state, onTrust: () => hook.trust(FLOW) });
}

async function render(transport: Transport) {
  await dom.render(transport, createElement(Harness));
  await act(async () => hook.check(FLOW));
}

const badge = () => dom.container.querySelector('.sage-trust') as HTMLElement | null;

afterEach(() => {
  vi.useRealTimers();
});

describe('flow trust', () => {
  it('shows "Not trusted" with a Trust action that signs the flow', async () => {
    const t = trustTransport(UNTRUSTED);
    await render(t);
    expect(t.calls[0]).toEqual(['flow.trust_status', { flow: FLOW }]);
    expect(badge()!.dataset.trusted).toBe('false');
    expect(badge()!.textContent).toContain('Not trusted');
    expect(badge()!.title).toContain('os:system (node sh)');

    const trustButton = badge()!.querySelector('button')!;
    expect(trustButton.textContent).toBe('Trust');
    await act(async () => trustButton.click());
    await act(async () => undefined);
    expect(t.calls.at(-1)).toEqual(['flow.trust', { flow: FLOW }]);
    expect(badge()!.dataset.trusted).toBe('true');
    expect(badge()!.querySelector('button')).toBeNull();
  });

  it("signs again only the user's edits of a trusted flow", async () => {
    vi.useFakeTimers();
    const t = trustTransport(UNTRUSTED);
    await render(t);
    const moved = { ...FLOW, nodes: [{ ...FLOW.nodes[0], position: { x: 9, y: 9 } }] };
    act(() => hook.edited(moved));
    await act(async () => vi.advanceTimersByTime(SIGN_DELAY_MS * 2));
    expect(t.methods()).toEqual(['flow.trust_status']); // moving an untrusted flow does not trust it
    await act(async () => undefined);
    await act(async () => hook.beforeRun(moved));
    expect(t.methods()).toEqual(['flow.trust_status']);

    await act(async () => hook.trust(FLOW));
    act(() => hook.edited(moved));
    act(() => hook.edited(moved)); // debounced: one signature for a burst of edits
    await act(async () => vi.advanceTimersByTime(SIGN_DELAY_MS + 10));
    expect(t.methods()).toEqual(['flow.trust_status', 'flow.trust', 'flow.trust']);
    expect(t.calls.at(-1)).toEqual(['flow.trust', { flow: moved }]);
    await act(async () => hook.beforeRun(moved)); // a run signs the latest edit first
    expect(t.methods().filter(m => m === 'flow.trust')).toHaveLength(3);
  });

  it('explains what trust would allow', () => {
    expect(trustTitle(UNTRUSTED)).toMatch(/^Not trusted: .*os:system \(node sh\)/);
    expect(trustTitle({ trusted: false, references: [] })).toContain('declarative operators');
    expect(trustTitle({ trusted: true, references: [] })).toMatch(/^Trusted/);
  });
});
