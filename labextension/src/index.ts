/**
 * SAGE Studio Lab JupyterLab extension: the Studio sidebar, a main-area chat, the flow canvas document
 * widget for `*.sage-flow.json`, launcher entries and command-palette commands.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { FLOW_FACTORY, FLOW_FILE_TYPE, FlowWidgetFactory } from './panels/flowDocument';
import { notebookAttachments } from './panels/notebookAttachments';
import { StudioReactWidget } from './panels/StudioReactWidget';
import { restTransport } from './transport/connection';
import { errorMessage } from './transport/types';
import { ArenaView } from './views/ArenaView';
import { ChatView } from './views/ChatView';
import { BackendCheck } from './views/common';
import { EngineView } from './views/EngineView';
import { FinetuneView } from './views/FinetuneView';
import { MemoryView } from './views/MemoryView';
import { emptyFlow } from './views/flowModel';
import { Section, StudioSidebar } from './views/StudioSidebar';
import { NotebookContext } from './views/notebookContext';
import { SettingsContext, SettingsStore, readSettings } from './views/settings';

const SIDEBAR_ID = 'sage-studio-sidebar';
const CATEGORY = 'SAGE Studio';

const studioIcon = new LabIcon({
  name: 'sage-studio:logo',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161">' +
    '<path d="M12 2 3 7v10l9 5 9-5V7l-9-5zm0 2.3 6.8 3.8L12 11.8 5.2 8.1 12 4.3zM5 9.8l6 3.3v6.6l-6-3.3V9.8zm8 9.9v-6.6l6-3.3v6.6l-6 3.3z"/>' +
    '</g></svg>'
});

export const CommandIDs = {
  openSidebar: 'sage-studio:open',
  newChat: 'sage-studio:new-chat',
  openChat: 'sage-studio:open-chat',
  newFlow: 'sage-studio:new-flow',
  engine: 'sage-studio:engine',
  finetune: 'sage-studio:finetune',
  memory: 'sage-studio:memory',
  arena: 'sage-studio:arena',
  startEngine: 'sage-studio:start-engine',
  stopEngine: 'sage-studio:stop-engine'
};

const PLUGIN_ID = 'sage-studio-lab:plugin';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'SAGE Studio: chat, flows, fine-tune, engine & GPU and memory panels.',
  autoStart: true,
  requires: [IDocumentManager],
  optional: [ICommandPalette, ILauncher, ILayoutRestorer, ISettingRegistry, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    notebooks: INotebookTracker | null
  ) => {
    const transport = restTransport();
    // User settings (schema/plugin.json): views read them from this store and follow changes live.
    const settings = new SettingsStore();
    settingRegistry
      ?.load(PLUGIN_ID)
      .then(loaded => {
        const apply = () => settings.set(readSettings(loaded.composite as Record<string, unknown>));
        apply();
        loaded.changed.connect(apply);
      })
      .catch(err => console.warn('SAGE Studio: settings not loaded, using defaults', err));
    const withSettings = (view: React.ReactElement) =>
      React.createElement(SettingsContext.Provider, { value: settings }, view);
    const { commands, shell, docRegistry } = app;
    const chats = new WidgetTracker<MainAreaWidget<StudioReactWidget>>({
      namespace: 'sage-studio-chat'
    });

    const openChat = (sessionId?: string) => {
      const existing = chats.find(w => w.id === `sage-studio-chat-${sessionId ?? 'new'}`);
      if (existing) {
        shell.activateById(existing.id);
        return existing;
      }
      const content = new StudioReactWidget(transport, () =>
        withSettings(
          React.createElement(
            BackendCheck,
            null,
            // the chat can attach the active notebook's cells and outputs (views/notebookContext.tsx)
            React.createElement(
              NotebookContext.Provider,
              { value: notebooks ? notebookAttachments(notebooks) : null },
              React.createElement(ChatView, { sessionId: sessionId ?? null })
            )
          )
        )
      );
      const widget = new MainAreaWidget({ content });
      widget.id = `sage-studio-chat-${sessionId ?? 'new'}-${Date.now()}`;
      widget.title.label = 'SAGE Chat';
      widget.title.icon = studioIcon;
      widget.title.closable = true;
      widget.addClass('sage-chat-panel');
      void chats.add(widget);
      shell.add(widget, 'main');
      shell.activateById(widget.id);
      return widget;
    };

    const newFlow = async () => {
      const model = await docManager.newUntitled({ type: 'file', ext: '.sage-flow.json' });
      await docManager.services.contents.save(model.path, {
        type: 'file',
        format: 'text',
        content:
          JSON.stringify(emptyFlow(PathExt.basename(model.path, '.sage-flow.json')), null, 2) + '\n'
      });
      return docManager.openOrReveal(model.path, FLOW_FACTORY);
    };

    const MAIN_VIEWS: Record<string, [string, React.FunctionComponent]> = {
      engine: ['SAGE Engine & GPU', EngineView],
      finetune: ['SAGE Fine-tune', () => React.createElement(FinetuneView, {})],
      memory: ['SAGE Memory', () => React.createElement(MemoryView, {})],
      arena: ['SAGE Arena', () => React.createElement(ArenaView, {})]
    };
    const openMain = (section: Section | 'arena') => {
      const [label, View] = MAIN_VIEWS[section];
      const id = `sage-studio-${section}`;
      const existing = Array.from(shell.widgets('main')).find(w => w.id === id);
      if (existing) {
        shell.activateById(id);
        return existing;
      }
      const content = new StudioReactWidget(transport, () =>
        withSettings(React.createElement(BackendCheck, null, React.createElement(View)))
      );
      const widget = new MainAreaWidget({ content });
      widget.id = id;
      widget.title.label = label;
      widget.title.icon = studioIcon;
      widget.title.closable = true;
      widget.addClass(`sage-${section}-panel`);
      shell.add(widget, 'main');
      shell.activateById(id);
      return widget;
    };

    // Sidebar
    const sidebar = new StudioReactWidget(transport, () =>
      withSettings(
        React.createElement(StudioSidebar, {
          actions: {
            openChat: (id?: string) => void openChat(id),
            newFlow: () => void newFlow(),
            openMain: (section: Section) => void openMain(section)
          }
        })
      )
    );
    sidebar.id = SIDEBAR_ID;
    sidebar.title.icon = studioIcon;
    sidebar.title.caption = 'SAGE Studio';
    sidebar.addClass('sage-studio-sidebar');
    shell.add(sidebar, 'left', { rank: 600 });
    restorer?.add(sidebar, SIDEBAR_ID);

    // Flow documents
    docRegistry.addFileType({
      name: FLOW_FILE_TYPE,
      displayName: 'SAGE Flow',
      extensions: ['.sage-flow.json'],
      mimeTypes: ['application/json'],
      contentType: 'file',
      fileFormat: 'text',
      icon: studioIcon
    });
    const factory = new FlowWidgetFactory(
      {
        name: FLOW_FACTORY,
        fileTypes: [FLOW_FILE_TYPE],
        defaultFor: [FLOW_FILE_TYPE]
      },
      transport,
      async (code, _flow, path) => {
        const dir = PathExt.dirname(path);
        const base = PathExt.basename(path, '.sage-flow.json');
        const target = PathExt.join(dir, `${base}.py`);
        await docManager.services.contents.save(target, {
          type: 'file',
          format: 'text',
          content: code
        });
        docManager.openOrReveal(target);
      }
    );
    docRegistry.addWidgetFactory(factory);

    // Commands
    commands.addCommand(CommandIDs.openSidebar, {
      label: 'SAGE Studio: Open Sidebar',
      icon: studioIcon,
      execute: () => shell.activateById(SIDEBAR_ID)
    });
    commands.addCommand(CommandIDs.newChat, {
      label: args => (args.isLauncher ? 'Chat' : 'SAGE Studio: New Chat'),
      caption: 'Open a new SAGE Studio chat',
      icon: studioIcon,
      execute: () => openChat()
    });
    commands.addCommand(CommandIDs.openChat, {
      label: 'SAGE Studio: Open Chat',
      execute: args => openChat(args.sessionId as string | undefined)
    });
    commands.addCommand(CommandIDs.newFlow, {
      label: args => (args.isLauncher ? 'Flow' : 'SAGE Studio: New Flow'),
      caption: 'Create a new .sage-flow.json and open the canvas',
      icon: studioIcon,
      execute: () => newFlow()
    });
    commands.addCommand(CommandIDs.engine, {
      label: args => (args.isLauncher ? 'Engine & GPU' : 'SAGE Studio: Engine & GPU'),
      icon: studioIcon,
      execute: () => openMain('engine')
    });
    commands.addCommand(CommandIDs.finetune, {
      label: args => (args.isLauncher ? 'Fine-tune' : 'SAGE Studio: Fine-tune'),
      icon: studioIcon,
      execute: () => openMain('finetune')
    });
    commands.addCommand(CommandIDs.memory, {
      label: 'SAGE Studio: Memory',
      icon: studioIcon,
      execute: () => openMain('memory')
    });
    commands.addCommand(CommandIDs.arena, {
      label: 'SAGE Studio: Arena',
      caption: 'One prompt, two models side by side; pick the better answer',
      icon: studioIcon,
      execute: () => openMain('arena')
    });
    // Palette actions report failures readably (e.g. no model installed) instead of failing silently.
    const run = (label: string, fn: () => Promise<unknown>) => async () => {
      try {
        await fn();
        Notification.success(`${label}: done`, { autoClose: 3000 });
      } catch (err) {
        Notification.error(`${label}: ${errorMessage(err)}`);
      }
    };
    commands.addCommand(CommandIDs.startEngine, {
      label: 'SAGE Studio: Start Engine',
      execute: run('Start engine', () => transport.call('engine.start', { backend: 'auto' }))
    });
    commands.addCommand(CommandIDs.stopEngine, {
      label: 'SAGE Studio: Stop Engine',
      execute: run('Stop engine', () => transport.call('engine.stop', {}))
    });

    for (const command of Object.values(CommandIDs)) {
      if (command !== CommandIDs.openChat) {
        palette?.addItem({ command, category: CATEGORY });
      }
    }
    if (launcher) {
      launcher.add({ command: CommandIDs.newChat, category: CATEGORY, rank: 1 });
      launcher.add({ command: CommandIDs.newFlow, category: CATEGORY, rank: 2 });
      launcher.add({ command: CommandIDs.engine, category: CATEGORY, rank: 3 });
      launcher.add({ command: CommandIDs.finetune, category: CATEGORY, rank: 4 });
    }
  }
};

export default plugin;
