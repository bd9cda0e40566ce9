/**
 * Fine-tune: the create form (FinetuneForm.tsx), the dataset builder from rated chats (DatasetBuilder.tsx), the
 * task table updated by push (one shared `finetune.events` stream, see finetuneTasks.ts; FinetuneTaskList.tsx)
 * and the selected task's detail (FinetuneTaskDetail.tsx).
 */
import React, { useState } from 'react';

import { ErrorBox } from './common';
import { DatasetBuilder, FinetuneDataset } from './DatasetBuilder';
import { CreateTask } from './FinetuneForm';
import { TaskDetail } from './FinetuneTaskDetail';
import { TaskTable } from './FinetuneTaskList';
import { useTaskTable } from './finetuneTasks';

export { CreateTask } from './FinetuneForm';
export { TaskDetail, isStatusEvent, mergePoints } from './FinetuneTaskDetail';

export function FinetuneView({ taskId }: { taskId?: string | null }) {
  const table = useTaskTable();
  const [selected, setSelected] = useState<string | null>(taskId ?? null);
  const [showCreate, setShowCreate] = useState(!taskId);
  const [showBuilder, setShowBuilder] = useState(false);
  // The builder's "Fine-tune on it": the form is opened afresh (keyed) with that dataset picked.
  const [formDataset, setFormDataset] = useState<{ dataset: FinetuneDataset | null; n: number }>({
    dataset: null,
    n: 0
  });
  return (
    <div className="sage-finetune">
      <div className="sage-toolbar">
        <h3 className="sage-h sage-grow">Fine-tune</h3>
        <button
          className="sage-button"
          onClick={() => {
            setShowCreate(!showCreate);
            setShowBuilder(false); // one way of making something at a time: it stays in view
          }}
        >
          {showCreate ? 'Hide form' : 'New task'}
        </button>
        <button
          className="sage-button"
          aria-pressed={showBuilder}
          title="Build a fine-tune dataset from the answers you rated and corrected in chat"
          onClick={() => {
            setShowBuilder(!showBuilder);
            setShowCreate(false);
          }}
        >
          From rated chats
        </button>
      </div>
      {showCreate ? (
        <CreateTask
          key={formDataset.n}
          initialDataset={formDataset.dataset}
          onCreated={id => {
            setSelected(id);
            setShowCreate(false);
            if (!table.live) {
              table.store.reconnect(); // the push stream brings the new row; make sure one is open
            }
          }}
        />
      ) : null}
      {showBuilder ? (
        <DatasetBuilder
          onFinetune={dataset => {
            setFormDataset({ dataset, n: formDataset.n + 1 });
            setShowCreate(true);
            setShowBuilder(false); // the form takes its place, in view
          }}
        />
      ) : null}
      <ErrorBox error={table.live ? null : table.error} onRetry={() => table.store.reconnect()} />
      <TaskTable
        rows={table.rows}
        live={table.live}
        loaded={table.loaded}
        selected={selected}
        onSelect={setSelected}
      />
      {selected ? (
        <TaskDetail
          key={selected}
          taskId={selected}
          onStatus={status => table.store.apply({ type: 'status', task_id: selected, status })}
          onDeleted={() => setSelected(null)}
        />
      ) : null}
    </div>
  );
}
