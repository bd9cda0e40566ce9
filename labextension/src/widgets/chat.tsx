import React from 'react';

import { ChatView } from '../views/ChatView';
import { AnyModel, mount, useTrait } from './mount';

function ChatWidget({ model }: { model: AnyModel }) {
  const sessionId = useTrait<string>(model, 'session_id');
  return (
    <ChatView
      sessionId={sessionId || null}
      showSessions={false}
      onSessionChange={id => {
        model.set('session_id', id);
        model.save_changes();
      }}
    />
  );
}

export default { render: (ctx: { model: AnyModel; el: HTMLElement }) => mount(ctx, ChatWidget) };
