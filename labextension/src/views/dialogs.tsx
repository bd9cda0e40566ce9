/**
 * Confirm / prompt dialogs of the views. The Lab panels provide JupyterLab's own (`panels/labDialogs.ts`);
 * notebook widgets (no JupyterLab app) and views without a provider get a small in-view dialog instead of
 * the browser's `window.confirm` / `window.prompt`.
 */
import React, { createContext, useContext, useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';

export interface ConfirmOptions {
  /** The accept button's label (default "OK"). */
  accept?: string;
  /** The accept button warns (a deletion). */
  danger?: boolean;
}

export interface Dialogs {
  /** True when the user accepted. */
  confirm(title: string, body: string, options?: ConfirmOptions): Promise<boolean>;
  /** The text entered, or null when cancelled. */
  prompt(title: string, label: string, value?: string): Promise<string | null>;
}

interface DialogProps {
  title: string;
  body: string;
  /** Show a text input with this initial value (a prompt). */
  value?: string;
  accept: string;
  danger?: boolean;
  onClose: (result: { accepted: boolean; value: string }) => void;
}

/** The in-view dialog: a modal box; Enter accepts, Escape cancels. */
export function InViewDialog({ title, body, value, accept, danger, onClose }: DialogProps) {
  const [text, setText] = useState(value ?? '');
  const input = useRef<HTMLInputElement>(null);
  const acceptButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    (input.current ?? acceptButton.current)?.focus();
    input.current?.select();
  }, []);
  const close = (accepted: boolean) => onClose({ accepted, value: text });
  return (
    <div className="sage-dialog-backdrop" onClick={() => close(false)}>
      <div
        className="sage-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        onClick={e => e.stopPropagation()}
        onKeyDown={e => {
          if (e.key === 'Escape') {
            close(false);
          } else if (e.key === 'Enter' && value !== undefined) {
            close(true);
          }
        }}
      >
        <div className="sage-dialog-title">{title}</div>
        {value === undefined ? (
          <div className="sage-dialog-body">{body}</div>
        ) : (
          <label className="sage-field">
            {body}
            <input
              ref={input}
              className="sage-input"
              value={text}
              onChange={e => setText(e.target.value)}
            />
          </label>
        )}
        <div className="sage-row sage-dialog-buttons">
          <button className="sage-button" onClick={() => close(false)}>
            Cancel
          </button>
          <button
            ref={acceptButton}
            className={`sage-button ${danger ? 'sage-danger' : 'sage-primary'}`}
            onClick={() => close(true)}
          >
            {accept}
          </button>
        </div>
      </div>
    </div>
  );
}

/** Dialogs shown inside `host` (a widget's output element, or the page). */
export function inViewDialogs(host: () => HTMLElement): Dialogs {
  const show = (props: Omit<DialogProps, 'onClose'>) =>
    new Promise<{ accepted: boolean; value: string }>(resolve => {
      const el = document.createElement('div');
      el.className = 'sage-studio sage-dialog-host';
      // Typing in the dialog must not run the notebook's command-mode shortcuts (Lumino skips them here).
      el.setAttribute('data-lm-suppress-shortcuts', 'true');
      host().appendChild(el);
      const root = createRoot(el);
      root.render(
        <InViewDialog
          {...props}
          onClose={result => {
            // Unmount after this event has finished propagating through the dialog.
            setTimeout(() => {
              root.unmount();
              el.remove();
            });
            resolve(result);
          }}
        />
      );
    });
  return {
    confirm: async (title, body, options = {}) =>
      (await show({ title, body, accept: options.accept ?? 'OK', danger: options.danger }))
        .accepted,
    prompt: async (title, label, value = '') => {
      const result = await show({ title, body: label, value, accept: 'OK' });
      return result.accepted ? result.value : null;
    }
  };
}

const pageDialogs = inViewDialogs(() => document.body);

export const DialogsContext = createContext<Dialogs>(pageDialogs);

export function useDialogs(): Dialogs {
  return useContext(DialogsContext);
}
