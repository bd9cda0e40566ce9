/**
 * The canvas's run: per-node states and the run line (status, id, outputs), from the `flow.run` stream (REST:
 * start + events socket; widget: the kernel's runtime) or from a run driven from Python (a widget's traits).
 */
import { useEffect, useState } from 'react';

import { StreamHandle, Transport } from '../transport/types';
import { DebugRun } from './flowDebug';
import {
  ExternalRun,
  FlowDoc,
  NodeRunState,
  applyRunEvent,
  mergeExternalRun,
  runStatus
} from './flowModel';

export interface FlowRun {
  runStates: Record<string, NodeRunState>;
  runInfo: any;
  running: StreamHandle | null;
  /** Forget the last run (a template replaced the flow). */
  reset: () => void;
  /** Stream a run of `flow` (`debug`: run to here / re-run one node); resolves when it ends. */
  start: (flow: FlowDoc, inputs: Record<string, string>, debug?: DebugRun) => Promise<void>;
  /** Show a recorded run (a chat turn, a past run): its node states and outputs from its stored events. */
  replay: (runId: string) => Promise<void>;
}

export function useFlowRun(transport: Transport, externalRun?: ExternalRun): FlowRun {
  const [runStates, setRunStates] = useState<Record<string, NodeRunState>>({});
  const [runInfo, setRunInfo] = useState<any>(null);
  const [running, setRunning] = useState<StreamHandle | null>(null);

  // A run from Python (widget traits) shows on the nodes and in the run line.
  useEffect(() => {
    if (!externalRun) {
      return;
    }
    const nodes = externalRun.nodes ?? {};
    if (externalRun.status === 'running' && !Object.keys(nodes).length) {
      setRunStates({});
    } else {
      setRunStates(prev => mergeExternalRun(prev, externalRun));
    }
    if (['running', 'succeeded', 'failed', 'cancelled'].includes(externalRun.status ?? '')) {
      setRunInfo((prev: any) => ({
        ...prev,
        status: externalRun.status,
        outputs: externalRun.status === 'running' ? prev?.outputs : externalRun.outputs
      }));
    }
  }, [JSON.stringify(externalRun ?? null)]);

  const start = async (flow: FlowDoc, inputs: Record<string, string>, debug: DebugRun = {}) => {
    setRunStates({});
    setRunInfo({ status: 'running' });
    const handle = transport.stream('flow.run', { flow, inputs, ...debug }, e => {
      if (String(e.type).startsWith('node_')) {
        setRunStates(prev => applyRunEvent(prev, e));
      } else if (
        e.type === 'run_finished' ||
        e.type === 'run_failed' ||
        e.type === 'run_cancelled'
      ) {
        setRunInfo((prev: any) => ({ ...prev, ...e, status: runStatus(e) }));
      } else if (e.type === 'run_started' || e.type === 'started') {
        setRunInfo((prev: any) => ({ ...prev, run_id: e.run_id ?? prev?.run_id }));
      }
    });
    setRunning(handle);
    try {
      const result: any = await handle.done;
      if (result && typeof result === 'object') {
        // Keep the status named by the terminal event (finished / failed / cancelled).
        setRunInfo((prev: any) => ({ ...result, ...prev }));
      }
    } catch (err) {
      setRunInfo((prev: any) => ({ ...prev, status: 'failed' }));
      throw err;
    } finally {
      setRunning(null);
    }
  };

  const reset = () => {
    setRunStates({});
    setRunInfo(null);
  };

  const replay = async (runId: string) => {
    const run = await transport.call<any>('flow.run_get', { run_id: runId });
    let states: Record<string, NodeRunState> = {};
    for (const e of run.events ?? []) {
      if (String(e.type).startsWith('node_')) {
        states = applyRunEvent(states, e);
      }
    }
    setRunStates(states);
    setRunInfo({ run_id: run.id, status: run.status, outputs: run.outputs, error: run.error });
  };
  return { runStates, runInfo, running, reset, start, replay };
}
