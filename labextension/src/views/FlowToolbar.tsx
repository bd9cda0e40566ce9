/** The flow canvas's toolbar: templates, undo/redo, validate, export, history, trust, the flow's inputs and Run. */
import React from 'react';

import { StreamHandle } from '../transport/types';
import { ActionButton } from './common';
import { TrustBadge, TrustState } from './flowTrust';

export interface FlowToolbarProps {
  templates: { id: string; name: string }[];
  onTemplate: (id: string) => void;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onValidate: () => Promise<unknown>;
  onExport: () => Promise<unknown>;
  onHistory: () => void;
  trust: TrustState | null;
  onTrust: () => Promise<void>;
  inputNames: string[];
  inputs: Record<string, string>;
  onInputs: (inputs: Record<string, string>) => void;
  running: StreamHandle | null;
  onRun: () => Promise<void>;
  onError: (err: unknown) => void;
}

export function FlowToolbar(p: FlowToolbarProps) {
  return (
    <div className="sage-toolbar sage-flow-toolbar">
      <select
        className="sage-input"
        aria-label="Template"
        value=""
        onChange={e => e.target.value && p.onTemplate(e.target.value)}
      >
        <option value="">Templates…</option>
        {p.templates.map(t => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      <button
        className="sage-button"
        onClick={p.onUndo}
        disabled={!p.canUndo}
        title="Undo (Ctrl+Z)"
      >
        Undo
      </button>
      <button
        className="sage-button"
        onClick={p.onRedo}
        disabled={!p.canRedo}
        title="Redo (Ctrl+Shift+Z)"
      >
        Redo
      </button>
      <ActionButton label="Validate" action={p.onValidate} onError={p.onError} />
      <ActionButton label="Export Python" action={p.onExport} onError={p.onError} />
      <button className="sage-button" onClick={p.onHistory}>
        History
      </button>
      <TrustBadge state={p.trust} onTrust={p.onTrust} onError={p.onError} />
      <span className="sage-grow" />
      {p.inputNames.map(n => (
        <input
          key={n}
          className="sage-input sage-flow-input"
          aria-label={`flow input ${n}`}
          placeholder={`${n}…`}
          value={p.inputs[n] ?? ''}
          onChange={e => p.onInputs({ ...p.inputs, [n]: e.target.value })}
          onKeyDown={e => e.key === 'Enter' && !p.running && void p.onRun().catch(p.onError)}
        />
      ))}
      {p.running ? (
        <button className="sage-button sage-danger" onClick={() => p.running?.cancel()}>
          Stop
        </button>
      ) : (
        <ActionButton
          label="Run"
          className="sage-button sage-primary"
          action={p.onRun}
          onError={p.onError}
        />
      )}
    </div>
  );
}
