/**
 * The actions of a fine-tune task: "Use in chat" (hot-load, or merge-and-restart when the engine cannot hot-load
 * the adapter; state logic in hotSwap.ts), saving the adapter zip as a browser download, and "Export as notebook"
 * (the task as a runnable bundle: data, config.json, train.py, train.ipynb, README).
 */
import React, { useReducer } from 'react';

import { ActionButton, useTransport } from './common';
import { IDLE, isBusy, swapNotice, swapReducer } from './hotSwap';

function fmtBytes(n: number): string {
  return n < 1024 * 1024
    ? `${Math.max(1, Math.round(n / 1024))} KB`
    : `${(n / 1048576).toFixed(1)} MB`;
}

/**
 * Save a `finetune.download` result as a browser download (the bytes came with the auth of the transport:
 * REST fetch with the Jupyter token, or widget buffers). A result without bytes names the file's path.
 */
export function saveDownload(result: any, fallbackName: string): string {
  const buffers: DataView[] | undefined = result?.buffers;
  if (!buffers?.length) {
    return result?.path ? `The file is at ${result.path}.` : 'The server sent no file.';
  }
  const blob = new Blob(buffers, { type: result.content_type ?? 'application/zip' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = result.filename ?? fallbackName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return `Downloaded ${a.download} (${fmtBytes(blob.size)}).`;
}

/** "Export as notebook": `finetune.export_task`, saved as `<task name>.zip`. */
export function ExportTask({
  taskId,
  onNotice,
  onError
}: {
  taskId: string;
  onNotice: (text: string) => void;
  onError: (error: unknown) => void;
}) {
  const transport = useTransport();
  return (
    <ActionButton
      label="Export as notebook"
      className="sage-button sage-task-export"
      title="Download the task as a zip: its data, config.json, train.py and train.ipynb that train it again"
      onError={onError}
      action={async () => {
        const r = await transport.call<any>('finetune.export_task', { task_id: taskId });
        onNotice(saveDownload(r, `${taskId}.zip`));
      }}
    />
  );
}

/** "Use in chat": hot-load, or merge-and-restart when the engine cannot hot-load the adapter. */
export function UseInChat({
  taskId,
  onNotice
}: {
  taskId: string;
  onNotice: (text: string) => void;
}) {
  const transport = useTransport();
  const [state, dispatch] = useReducer(swapReducer, IDLE);
  const run = async (merge: boolean) => {
    dispatch({ type: merge ? 'merge' : 'start' });
    onNotice('');
    try {
      const result = await transport.call<any>(
        'finetune.use_in_chat',
        merge ? { task_id: taskId, merge_and_restart: true } : { task_id: taskId }
      );
      dispatch({ type: 'ok', result });
      onNotice(swapNotice(result));
    } catch (error) {
      dispatch({ type: 'error', error });
    }
  };
  const busy = isBusy(state);
  const mergeButton = (label: string) => (
    <button
      className="sage-button sage-primary"
      disabled={busy}
      onClick={() => void run(true)}
      title="Merge the adapter into the base weights and restart the engine on the merged model"
    >
      {label}
    </button>
  );
  const reasons =
    'reasons' in state && state.reasons.length ? (
      <ul className="sage-merge-reasons">
        {state.reasons.map((r, i) => (
          <li key={i}>{r}</li>
        ))}
      </ul>
    ) : null;
  return (
    <>
      <button className="sage-button sage-primary" disabled={busy} onClick={() => void run(false)}>
        {state.phase === 'swapping' ? 'Use in chat…' : 'Use in chat'}
      </button>
      {state.phase === 'needs-merge' ? (
        <div className="sage-merge-offer sage-wide" role="alert" data-phase={state.phase}>
          {/* The server's message also tells API users which body to send: the reasons say it here. */}
          <b>The engine cannot hot-load this adapter{reasons ? ':' : '.'}</b>
          {reasons ?? <div>{state.message}</div>}
          <div className="sage-muted">
            Merging folds the adapter into the base weights and restarts the engine on the merged
            model: answers in flight are cut and other loaded adapters are unloaded.
          </div>
          {mergeButton('Merge and restart engine')}
        </div>
      ) : null}
      {state.phase === 'merging' ? (
        <div
          className="sage-merge-offer sage-busy sage-wide"
          role="status"
          data-phase={state.phase}
        >
          Merging the adapter and restarting the engine on it… this takes a while on a CPU.
        </div>
      ) : null}
      {state.phase === 'failed' ? (
        <div className="sage-error sage-wide" role="alert" data-phase={state.phase}>
          <div>{state.message}</div>
          {reasons}
          {state.logTail.length ? (
            <pre className="sage-logs">{state.logTail.join('\n')}</pre>
          ) : null}
          {state.canMerge ? mergeButton('Try merge and restart again') : null}
        </div>
      ) : null}
    </>
  );
}
