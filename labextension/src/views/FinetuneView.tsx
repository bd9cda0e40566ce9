/**
 * Fine-tune: the create form (FinetuneForm.tsx), the task table updated by push (one shared `finetune.events`
 * stream, see finetuneTasks.ts; FinetuneTaskList.tsx) and the selected task's detail (FinetuneTaskDetail.tsx).
 */
import React, { useState } from 'react';

import { ErrorBox } from './common';
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
  return (
    <div className="sage-finetune">
      <div className="sage-toolbar">
        <h3 className="sage-h sage-grow">Fine-tune</h3>
        <button className="sage-button" onClick={() => setShowCreate(!showCreate)}>
          {showCreate ? 'Hide form' : 'New task'}
        </button>
      </div>
      {showCreate ? (
        <CreateTask
          onCreated={id => {
            setSelected(id);
            setShowCreate(false);
            if (!table.live) {
              table.store.reconnect(); // the push stream brings the new row; make sure one is open
            }
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
