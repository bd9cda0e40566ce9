/** `*.sage-flow.json` files open in a document widget with the flow canvas: save, dirty state, revert as any file. */
import { ABCWidgetFactory, DocumentRegistry, DocumentWidget } from '@jupyterlab/docregistry';
import React from 'react';

import { Transport } from '../transport/types';
import { FlowDoc, parseFlow } from '../views/flowModel';
import { FlowView } from '../views/FlowView';
import { StudioReactWidget } from './StudioReactWidget';

export const FLOW_FILE_TYPE = 'sage-flow';
export const FLOW_FACTORY = 'SAGE Flow Canvas';

class FlowPanel extends StudioReactWidget {
  private readonly onExport: (code: string, flow: FlowDoc) => void;

  constructor(
    transport: Transport,
    private readonly context: DocumentRegistry.Context,
    onExport: (code: string, flow: FlowDoc) => void
  ) {
    super(transport);
    this.onExport = onExport;
    this.addClass('sage-flow-panel');
    context.ready.then(() => this.update());
    context.model.contentChanged.connect(() => this.update());
  }

  protected renderContent() {
    const onExport = this.onExport;
    if (!this.context.isReady) {
      return <div className="sage-muted">Loading…</div>;
    }
    let flow: FlowDoc;
    try {
      flow = parseFlow(this.context.model.toString());
    } catch (err) {
      return (
        <div className="sage-error">
          This file is not a valid flow: {String((err as Error).message)}
        </div>
      );
    }
    return (
      <FlowView
        flow={flow}
        onChange={next => {
          this.context.model.fromString(JSON.stringify(next, null, 2) + '\n');
          this.context.model.dirty = true; // fromString alone leaves the document clean in JupyterLab 4
        }}
        onExport={onExport}
      />
    );
  }
}

export class FlowWidgetFactory extends ABCWidgetFactory<DocumentWidget<FlowPanel>> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions,
    private readonly transport: Transport,
    private readonly onExport: (code: string, flow: FlowDoc, path: string) => void
  ) {
    super(options);
  }

  protected createNewWidget(context: DocumentRegistry.Context): DocumentWidget<FlowPanel> {
    const content = new FlowPanel(this.transport, context, (code, flow) =>
      this.onExport(code, flow, context.path)
    );
    const widget = new DocumentWidget({ content, context });
    widget.title.iconClass = 'sage-flow-icon';
    return widget;
  }
}
