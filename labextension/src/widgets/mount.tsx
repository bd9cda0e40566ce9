/**
 * Mount a Studio view in an anywidget output: the same views as the Lab panels, over WidgetTransport.
 * Live streams pause while the output is scrolled out of view (IntersectionObserver); confirm / prompt dialogs
 * show inside the output (there is no JupyterLab app to ask).
 */
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

import { WidgetModelLike, WidgetTransport } from '../transport/widget';
import { ActiveContext, TransportContext } from '../views/common';
import { DialogsContext, inViewDialogs } from '../views/dialogs';

export interface AnyModel extends WidgetModelLike {
  get(name: string): any;
  set(name: string, value: unknown): void;
  save_changes(): void;
}

/** Re-render when one of the widget's synced traits changes. */
export function useTrait<T = any>(model: AnyModel, name: string): T {
  const [value, setValue] = useState<T>(() => model.get(name));
  useEffect(() => {
    const update = () => setValue(model.get(name));
    model.on(`change:${name}`, update);
    return () => model.off(`change:${name}`, update);
  }, [model, name]);
  return value;
}

function Visible({ el, children }: { el: HTMLElement; children: React.ReactNode }) {
  const [visible, setVisible] = useState(true);
  useEffect(() => {
    if (typeof IntersectionObserver === 'undefined') {
      return;
    }
    const obs = new IntersectionObserver(entries =>
      setVisible(entries.some(e => e.isIntersecting))
    );
    obs.observe(el);
    return () => obs.disconnect();
  }, [el]);
  return <ActiveContext.Provider value={visible}>{children}</ActiveContext.Provider>;
}

export function mount(
  { model, el }: { model: AnyModel; el: HTMLElement },
  View: (props: { model: AnyModel }) => React.ReactElement
): () => void {
  const transport = new WidgetTransport(model);
  el.classList.add('sage-studio', 'sage-widget');
  const root = createRoot(el);
  root.render(
    <TransportContext.Provider value={transport}>
      <DialogsContext.Provider value={inViewDialogs(() => el)}>
        <Visible el={el}>
          <View model={model} />
        </Visible>
      </DialogsContext.Provider>
    </TransportContext.Provider>
  );
  return () => {
    root.unmount();
    transport.dispose();
  };
}
