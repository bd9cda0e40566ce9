/**
 * Trusted flows on the canvas (sage_studio_lab/flow/trust.py), as Jupyter's trusted notebooks: a flow opened
 * from elsewhere shows "Not trusted" with a Trust action; until trusted it runs declarative operators only (a
 * Python reference such as `os:system` is refused). The user's own edits of a trusted flow are signed again
 * (debounced), so the flow stays trusted when saved and reopened; moving the nodes of an untrusted flow does
 * not trust it.
 */
import React, { useCallback, useEffect, useRef, useState } from 'react';

import { Result } from '../transport/types';
import { ActionButton, useTransport } from './common';
import { FlowDoc } from './flowModel';

export type TrustState = Result<'flow.trust_status'>;

/** Sign the user's edit of a trusted flow this long after the last change. */
export const SIGN_DELAY_MS = 500;

export function trustTitle(state: TrustState): string {
  const refs = state.references ?? [];
  if (state.trusted) {
    return 'Trusted: you made, saved or trusted this flow, so its Python references may run.';
  }
  const uses = refs.length
    ? `It uses ${refs.map(r => `${r.reference} (node ${r.node_id})`).join(', ')}, which run only once you trust it.`
    : 'It runs its declarative operators; Python references would need trust.';
  return `Not trusted: this flow was not made or trusted by you. ${uses} Trust only flows from sources you trust.`;
}

export function TrustBadge({
  state,
  onTrust,
  onError
}: {
  state: TrustState | null;
  onTrust: () => Promise<unknown>;
  onError?: (err: unknown) => void;
}) {
  if (!state) {
    return null;
  }
  if (state.trusted) {
    return (
      <span className="sage-trust sage-trust-yes" data-trusted="true" title={trustTitle(state)}>
        Trusted
      </span>
    );
  }
  return (
    <span
      className="sage-trust sage-trust-no"
      data-trusted="false"
      role="status"
      title={trustTitle(state)}
    >
      Not trusted
      <ActionButton
        label="Trust"
        className="sage-button sage-trust-button"
        title="Trust this flow: let it run Python references (module:function) and env: secrets"
        action={onTrust}
        onError={onError}
      />
    </span>
  );
}

export interface FlowTrust {
  state: TrustState | null;
  /** Ask the server whether this flow (just opened, reverted, replaced) is trusted. */
  check: (flow: FlowDoc) => Promise<void>;
  /** The user trusts the flow (or a flow made here, e.g. from a template): sign it. */
  trust: (flow: FlowDoc) => Promise<TrustState>;
  /** The user changed the flow: a trusted one is signed again shortly after. */
  edited: (flow: FlowDoc) => void;
  /** Before a run: a trusted flow's latest edit is signed first. */
  beforeRun: (flow: FlowDoc) => Promise<void>;
}

export function useFlowTrust(): FlowTrust {
  const transport = useTransport();
  const [state, setState] = useState<TrustState | null>(null);
  const trusted = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const cancelTimer = () => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
  };
  useEffect(() => cancelTimer, []);

  const sign = useCallback(
    async (flow: FlowDoc) => {
      const next = await transport.call<TrustState>('flow.trust', { flow });
      trusted.current = next.trusted;
      setState(next);
      return next;
    },
    [transport]
  );

  const check = useCallback(
    async (flow: FlowDoc) => {
      cancelTimer();
      try {
        const next = await transport.call<TrustState>('flow.trust_status', { flow });
        trusted.current = next.trusted;
        setState(next);
      } catch {
        trusted.current = false;
        setState(null); // an older server without trust: no badge
      }
    },
    [transport]
  );

  const edited = (flow: FlowDoc) => {
    if (!trusted.current) {
      return;
    }
    cancelTimer();
    timer.current = setTimeout(() => {
      timer.current = null;
      void sign(flow).catch(() => undefined);
    }, SIGN_DELAY_MS);
  };

  const beforeRun = async (flow: FlowDoc) => {
    if (trusted.current) {
      cancelTimer();
      await sign(flow);
    }
  };

  return { state, check, trust: sign, edited, beforeRun };
}
