import React from 'react';

import { ArenaView } from '../views/ArenaView';
import { AnyModel, mount, useTrait } from './mount';

function ArenaWidget({ model }: { model: AnyModel }) {
  const modelA = useTrait<string>(model, 'model_a');
  const modelB = useTrait<string>(model, 'model_b');
  const maxTokens = useTrait<number>(model, 'max_tokens');
  return <ArenaView maxTokens={maxTokens || 128} initialA={modelA || ''} initialB={modelB || ''} />;
}

export default { render: (ctx: { model: AnyModel; el: HTMLElement }) => mount(ctx, ArenaWidget) };
