import React from 'react';

import { FinetuneView } from '../views/FinetuneView';
import { AnyModel, mount, useTrait } from './mount';

function FinetuneWidget({ model }: { model: AnyModel }) {
  const taskId = useTrait<string>(model, 'task_id');
  return <FinetuneView taskId={taskId || null} />;
}

export default {
  render: (ctx: { model: AnyModel; el: HTMLElement }) => mount(ctx, FinetuneWidget)
};
