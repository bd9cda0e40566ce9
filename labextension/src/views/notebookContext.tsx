/**
 * Notebook context the Lab chat panel can attach to a message: the active notebook's selected cells and the active
 * cell's output. The panel provides it (panels/notebookAttachments.ts, from JupyterLab's notebook tracker); a notebook
 * widget has none (its kernel attaches variables itself: `chat.send(..., context=[...])`).
 */
import React, { createContext, useContext, useState } from 'react';

export interface Attachment {
  kind: 'variable' | 'error' | 'cell' | 'output';
  name: string;
  text: string;
}

export interface NotebookContextSource {
  /** The selected cells of the active notebook (the active cell when none is selected). */
  selectedCells(): Attachment[];
  /** The output of the active notebook's active cell, if it has one. */
  activeOutput(): Attachment | null;
}

export const NotebookContext = createContext<NotebookContextSource | null>(null);

/** The attach control of the composer and the chips of what is attached (× removes one). */
export function AttachControl({
  attached,
  onChange,
  onError
}: {
  attached: Attachment[];
  onChange: (next: Attachment[]) => void;
  onError: (err: unknown) => void;
}) {
  const source = useContext(NotebookContext);
  const [open, setOpen] = useState(false);
  if (!source) {
    return null;
  }
  const add = (items: Attachment[], what: string) => {
    setOpen(false);
    if (!items.length) {
      onError(new Error(`nothing to attach: no ${what} in the active notebook`));
      return;
    }
    onChange([...attached, ...items.filter(a => !attached.some(b => b.name === a.name))]);
  };
  return (
    <div className="sage-attach">
      <button
        className="sage-button"
        aria-label="Attach notebook context"
        aria-expanded={open}
        title="Attach the active notebook's selected cells or the active cell's output"
        onClick={() => setOpen(!open)}
      >
        Attach ▾
      </button>
      {open ? (
        <div className="sage-attach-menu" role="menu">
          <button
            role="menuitem"
            className="sage-link"
            onClick={() => add(source.selectedCells(), 'cell')}
          >
            Selected cells
          </button>
          <button
            role="menuitem"
            className="sage-link"
            onClick={() =>
              add(
                [source.activeOutput()].flatMap(a => (a ? [a] : [])),
                'cell output'
              )
            }
          >
            Active cell output
          </button>
        </div>
      ) : null}
      {attached.map(a => (
        <span key={a.name} className="sage-chip" data-kind={a.kind} title={a.text}>
          {a.name}
          <button
            className="sage-link"
            aria-label={`Remove ${a.name}`}
            onClick={() => onChange(attached.filter(b => b !== a))}
          >
            ×
          </button>
        </span>
      ))}
    </div>
  );
}
