import React from 'react';

import { FlowDoc, emptyFlow } from '../views/flowModel';
import { FlowView } from '../views/FlowView';
import { AnyModel, mount, useTrait } from './mount';

function FlowWidget({ model }: { model: AnyModel }) {
  const flow = useTrait<FlowDoc>(model, 'flow');
  // A run from Python (`canvas.run()`) shows through these traits.
  const nodes = useTrait<Record<string, string>>(model, 'node_status');
  const errors = useTrait<Record<string, string>>(model, 'node_errors');
  const status = useTrait<string>(model, 'status');
  const outputs = useTrait<unknown>(model, 'outputs');
  return (
    <div style={{ height: model.get('height') || 520 }} className="sage-flow-widget">
      <FlowView
        flow={flow && Array.isArray(flow.nodes) ? flow : emptyFlow()}
        externalRun={{ nodes, errors, status, outputs }}
        onChange={next => {
          model.set('flow', next);
          model.save_changes();
        }}
      />
    </div>
  );
}

export default { render: (ctx: { model: AnyModel; el: HTMLElement }) => mount(ctx, FlowWidget) };
