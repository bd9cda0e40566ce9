import React from 'react';

import { EngineView } from '../views/EngineView';
import { AnyModel, mount } from './mount';

function EngineWidget() {
  return <EngineView />;
}

export default { render: (ctx: { model: AnyModel; el: HTMLElement }) => mount(ctx, EngineWidget) };
