/** The Studio sidebar: sections Chat sessions, Engine & GPU, Fine-tune, Memory, Flows. */
import React, { useState } from 'react';

import { SessionList } from './ChatView';
import { BackendCheck } from './common';
import { EngineView } from './EngineView';
import { FinetuneView } from './FinetuneView';
import { MemoryView } from './MemoryView';

export const SECTIONS = ['chat', 'engine', 'finetune', 'memory', 'flows'] as const;
export type Section = (typeof SECTIONS)[number];
const LABELS: Record<Section, string> = {
  chat: 'Chat',
  engine: 'Engine',
  finetune: 'Fine-tune',
  memory: 'Memory',
  flows: 'Flows'
};

// Short tab labels keep the five tabs on one line in a narrow sidebar; the titles say more.
const TITLES: Record<Section, string> = {
  chat: 'Chat sessions',
  engine: 'Local engine & GPU',
  finetune: 'Fine-tune a model',
  memory: 'Chat memory',
  flows: 'Flows (pipelines)'
};

export interface SidebarActions {
  openChat: (sessionId?: string) => void;
  newFlow: () => void;
  /** Open a section in the main area (more room for tables and the loss curve). */
  openMain?: (section: Section) => void;
}

export function StudioSidebar({
  actions,
  initial = 'chat'
}: {
  actions: SidebarActions;
  initial?: Section;
}) {
  const [section, setSection] = useState<Section>(initial);
  return (
    <div className="sage-sidebar">
      <div className="sage-tabs" role="tablist">
        {SECTIONS.map(s => (
          <button
            key={s}
            role="tab"
            aria-selected={section === s}
            data-section={s}
            className={section === s ? 'sage-tab sage-on' : 'sage-tab'}
            title={TITLES[s]}
            onClick={() => setSection(s)}
          >
            {LABELS[s]}
          </button>
        ))}
        {actions.openMain && ['engine', 'finetune', 'memory'].includes(section) ? (
          <button
            className="sage-icon sage-open-main"
            title="Open in the main area"
            aria-label="Open in the main area"
            onClick={() => actions.openMain?.(section)}
          >
            ⤢
          </button>
        ) : null}
      </div>
      <div className="sage-sidebar-body">
        <BackendCheck>
          {section === 'chat' ? (
            <div>
              <div className="sage-row">
                <button className="sage-button sage-primary" onClick={() => actions.openChat()}>
                  Open chat
                </button>
              </div>
              <SessionList onSelect={id => actions.openChat(id)} />
            </div>
          ) : null}
          {section === 'engine' ? <EngineView /> : null}
          {section === 'finetune' ? <FinetuneView /> : null}
          {section === 'memory' ? <MemoryView /> : null}
          {section === 'flows' ? (
            <div className="sage-flows-section">
              <p className="sage-muted">
                Flows are <code>.sage-flow.json</code> files: open one from the file browser, or
                start a new one.
              </p>
              <button className="sage-button sage-primary" onClick={actions.newFlow}>
                New flow
              </button>
            </div>
          ) : null}
        </BackendCheck>
      </div>
    </div>
  );
}
