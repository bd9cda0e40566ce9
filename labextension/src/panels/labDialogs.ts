/** The views' confirm / prompt dialogs as JupyterLab's own (`showDialog`, `InputDialog`). */
import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';

import { Dialogs } from '../views/dialogs';

export const labDialogs: Dialogs = {
  async confirm(title, body, options = {}) {
    const label = options.accept ?? 'OK';
    const result = await showDialog({
      title,
      body,
      buttons: [
        Dialog.cancelButton(),
        options.danger ? Dialog.warnButton({ label }) : Dialog.okButton({ label })
      ]
    });
    return result.button.accept;
  },
  async prompt(title, label, value = '') {
    const result = await InputDialog.getText({ title, label, text: value });
    return result.button.accept ? result.value : null;
  }
};
