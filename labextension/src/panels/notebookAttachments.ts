/** What the chat panel attaches from the active notebook (JupyterLab's notebook tracker): cells and an output. */
import { ICodeCellModel } from '@jupyterlab/cells';
import { INotebookTracker } from '@jupyterlab/notebook';

import { Attachment, NotebookContextSource } from '../views/notebookContext';

// eslint-disable-next-line no-control-regex -- terminal colour codes in tracebacks start with ESC
const ANSI = /\u001b\[[0-9;]*m/g;

function cellName(model: { type: string }, index: number): string {
  const count = model.type === 'code' ? (model as ICodeCellModel).executionCount : null;
  return count ? `In [${count}]` : `cell ${index + 1}`;
}

/** An output list as plain text: streams, text/plain results and errors (traceback without colour codes). */
export function outputText(outputs: any[]): string {
  return outputs
    .map(o => {
      if (o.output_type === 'stream') {
        return Array.isArray(o.text) ? o.text.join('') : String(o.text ?? '');
      }
      if (o.output_type === 'error') {
        return [`${o.ename}: ${o.evalue}`, ...(o.traceback ?? [])].join('\n').replace(ANSI, '');
      }
      const plain = o.data?.['text/plain'];
      return Array.isArray(plain) ? plain.join('') : String(plain ?? '');
    })
    .filter(Boolean)
    .join('\n');
}

export function notebookAttachments(tracker: INotebookTracker): NotebookContextSource {
  return {
    selectedCells(): Attachment[] {
      const notebook = tracker.currentWidget?.content;
      if (!notebook) {
        return [];
      }
      return notebook.widgets
        .map((cell, i) => ({ cell, i }))
        .filter(({ cell }) => notebook.isSelectedOrActive(cell))
        .map(({ cell, i }) => ({
          kind: 'cell' as const,
          name: cellName(cell.model, i),
          text: '```python\n' + cell.model.sharedModel.getSource() + '\n```'
        }));
    },
    activeOutput(): Attachment | null {
      const notebook = tracker.currentWidget?.content;
      const cell = notebook?.activeCell;
      if (!notebook || !cell || cell.model.type !== 'code') {
        return null;
      }
      const text = outputText((cell.model as ICodeCellModel).outputs.toJSON());
      const index = notebook.widgets.indexOf(cell);
      return text ? { kind: 'output', name: `${cellName(cell.model, index)} output`, text } : null;
    }
  };
}
