/**
 * A Lumino widget hosting a Studio view with the REST transport; tells the view when it is hidden, and gives it
 * JupyterLab's dialogs.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import React from 'react';

import { Transport } from '../transport/types';
import { ActiveContext, TransportContext } from '../views/common';
import { DialogsContext } from '../views/dialogs';
import { labDialogs } from './labDialogs';

export class StudioReactWidget extends ReactWidget {
  private visible = false;

  constructor(
    private readonly transport: Transport,
    private readonly renderView?: () => React.ReactElement
  ) {
    super();
    this.addClass('sage-studio');
  }

  protected onAfterShow(msg: Message): void {
    this.visible = true;
    this.update();
  }

  protected onAfterHide(msg: Message): void {
    this.visible = false;
    this.update();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.visible = this.isVisible;
    this.update();
  }

  protected renderContent(): React.ReactElement {
    return this.renderView ? this.renderView() : <></>;
  }

  render(): React.ReactElement {
    return (
      <TransportContext.Provider value={this.transport}>
        <ActiveContext.Provider value={this.visible}>
          <DialogsContext.Provider value={labDialogs}>
            {this.renderContent()}
          </DialogsContext.Provider>
        </ActiveContext.Provider>
      </TransportContext.Provider>
    );
  }
}
