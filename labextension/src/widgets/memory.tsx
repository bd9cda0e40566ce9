import React from 'react';

import { MemoryView } from '../views/MemoryView';
import { AnyModel, mount, useTrait } from './mount';

function MemoryWidget({ model }: { model: AnyModel }) {
  const sessionId = useTrait<string>(model, 'session_id');
  return <MemoryView sessionId={sessionId || null} />;
}

export default { render: (ctx: { model: AnyModel; el: HTMLElement }) => mount(ctx, MemoryWidget) };
