/**
 * GENERATED from labextension/openapi.json by scripts/gen-api.mjs: do not edit.
 * Regenerate with `jlpm gen:api` (or `make api`, which first rewrites openapi.json from the Python
 * operations in sage_studio_lab/api/); test/api.test.ts fails while this file is stale.
 */

export interface OperationRoute {
  verb: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to `<base_url>/sage-studio/`; `{arg}` segments are filled from the argument of that name. */
  path: string;
  /** The whole JSON body is this one argument (not an object of the arguments). */
  body?: string;
  /** A non-JSON media type the result may come as: the result is then the text. */
  media?: string;
  /** A file result: `{filename, size, content_type, buffers: [DataView]}` (bytes, as over a widget). */
  binary?: boolean;
}

export const OPERATIONS: Readonly<Record<string, OperationRoute>> = {
  'chat.budget': { verb: 'POST', path: 'api/chat/sessions/{session_id}/budget' },
  'chat.ideal_answer': {
    verb: 'POST',
    path: 'api/chat/sessions/{session_id}/messages/{message_id}/ideal'
  },
  'chat.rate': {
    verb: 'POST',
    path: 'api/chat/sessions/{session_id}/messages/{message_id}/rating'
  },
  'chat.sources': { verb: 'GET', path: 'api/chat/sources' },
  'chat.stop': { verb: 'POST', path: 'api/chat/stop' },
  'engine.adapters': { verb: 'GET', path: 'api/engine/adapters' },
  'engine.load_adapter': { verb: 'POST', path: 'api/engine/adapters' },
  'engine.logs': { verb: 'GET', path: 'api/engine/logs' },
  'engine.models': { verb: 'GET', path: 'api/engine/models' },
  'engine.restart': { verb: 'POST', path: 'api/engine/restart' },
  'engine.start': { verb: 'POST', path: 'api/engine/start' },
  'engine.status': { verb: 'GET', path: 'api/engine/status' },
  'engine.stop': { verb: 'POST', path: 'api/engine/stop' },
  'engine.unload_adapter': { verb: 'DELETE', path: 'api/engine/adapters/{name}' },
  'finetune.advice': { verb: 'POST', path: 'api/finetune/advice' },
  'finetune.cancel': { verb: 'POST', path: 'api/finetune/tasks/{task_id}/cancel' },
  'finetune.create': { verb: 'POST', path: 'api/finetune/tasks' },
  'finetune.create_task': { verb: 'POST', path: 'api/finetune/create' },
  'finetune.current_model': { verb: 'GET', path: 'api/finetune/current-model' },
  'finetune.dataset': { verb: 'GET', path: 'api/finetune/datasets/{dataset_id}' },
  'finetune.datasets': { verb: 'GET', path: 'api/finetune/datasets' },
  'finetune.delete': { verb: 'DELETE', path: 'api/finetune/tasks/{task_id}' },
  'finetune.delete_dataset': { verb: 'DELETE', path: 'api/finetune/datasets/{dataset_id}' },
  'finetune.export_task': {
    verb: 'GET',
    path: 'api/finetune/tasks/{task_id}/export',
    media: 'application/zip',
    binary: true
  },
  'finetune.get': { verb: 'GET', path: 'api/finetune/tasks/{task_id}' },
  'finetune.logs': { verb: 'GET', path: 'api/finetune/tasks/{task_id}/logs' },
  'finetune.merge': { verb: 'POST', path: 'api/finetune/tasks/{task_id}/merge' },
  'finetune.models': { verb: 'GET', path: 'api/finetune/models' },
  'finetune.prepare_docs': { verb: 'POST', path: 'api/finetune/prepare-docs' },
  'finetune.progress': { verb: 'GET', path: 'api/finetune/tasks/{task_id}/progress' },
  'finetune.resume': { verb: 'POST', path: 'api/finetune/tasks/{task_id}/resume' },
  'finetune.sample_dataset': { verb: 'POST', path: 'api/finetune/sample-dataset' },
  'finetune.switch_model': { verb: 'POST', path: 'api/finetune/switch-model' },
  'finetune.tasks': { verb: 'GET', path: 'api/finetune/tasks' },
  'finetune.use_in_chat': { verb: 'POST', path: 'api/finetune/tasks/{task_id}/use-in-chat' },
  'flow.cancel': { verb: 'POST', path: 'api/flow/runs/{run_id}/cancel' },
  'flow.create': { verb: 'POST', path: 'api/flow/flows', body: 'flow' },
  'flow.delete': { verb: 'DELETE', path: 'api/flow/flows/{flow_id}' },
  'flow.export_python': {
    verb: 'POST',
    path: 'api/flow/export-python',
    body: 'flow',
    media: 'text/x-python'
  },
  'flow.export_saved_python': {
    verb: 'GET',
    path: 'api/flow/flows/{flow_id}/export-python',
    media: 'text/x-python'
  },
  'flow.flow_runs': { verb: 'GET', path: 'api/flow/flows/{flow_id}/runs' },
  'flow.get': { verb: 'GET', path: 'api/flow/flows/{flow_id}' },
  'flow.import': { verb: 'POST', path: 'api/flow/flows/import', body: 'flow' },
  'flow.list': { verb: 'GET', path: 'api/flow/flows' },
  'flow.node_io': { verb: 'GET', path: 'api/flow/runs/{run_id}/nodes/{node_id}' },
  'flow.operators': { verb: 'GET', path: 'api/flow/operators' },
  'flow.run_get': { verb: 'GET', path: 'api/flow/runs/{run_id}' },
  'flow.runs': { verb: 'GET', path: 'api/flow/runs' },
  'flow.save': { verb: 'PUT', path: 'api/flow/flows/{flow_id}', body: 'flow' },
  'flow.start': { verb: 'POST', path: 'api/flow/run' },
  'flow.start_saved': { verb: 'POST', path: 'api/flow/flows/{flow_id}/run' },
  'flow.templates': { verb: 'GET', path: 'api/flow/templates' },
  'flow.trust': { verb: 'POST', path: 'api/flow/trust', body: 'flow' },
  'flow.trust_saved': { verb: 'POST', path: 'api/flow/flows/{flow_id}/trust' },
  'flow.trust_status': { verb: 'POST', path: 'api/flow/trust-status', body: 'flow' },
  'flow.validate': { verb: 'POST', path: 'api/flow/validate', body: 'flow' },
  'gpu.info': { verb: 'GET', path: 'api/system/gpu' },
  health: { verb: 'GET', path: 'api/health' },
  'improve.build_dataset': { verb: 'POST', path: 'api/improve/datasets' },
  'improve.cancel_evaluation': {
    verb: 'POST',
    path: 'api/improve/tasks/{task_id}/evaluation/cancel'
  },
  'improve.compare': { verb: 'GET', path: 'api/improve/compare' },
  'improve.datasets': { verb: 'GET', path: 'api/improve/datasets' },
  'improve.duels': { verb: 'GET', path: 'api/improve/duels' },
  'improve.evaluate': { verb: 'POST', path: 'api/improve/tasks/{task_id}/evaluate' },
  'improve.evaluation': { verb: 'GET', path: 'api/improve/tasks/{task_id}/evaluation' },
  'improve.evaluation_state': { verb: 'GET', path: 'api/improve/tasks/{task_id}/evaluation/state' },
  'improve.pick': { verb: 'POST', path: 'api/improve/arena/{duel_id}/pick' },
  'improve.preference_export': { verb: 'POST', path: 'api/improve/preferences' },
  'improve.preview_dataset': { verb: 'POST', path: 'api/improve/datasets/preview' },
  'knowledge.add': { verb: 'POST', path: 'api/chat/knowledge' },
  'knowledge.delete': { verb: 'DELETE', path: 'api/chat/knowledge/{name}' },
  'knowledge.list': { verb: 'GET', path: 'api/chat/knowledge' },
  'memory.cleanup': { verb: 'POST', path: 'api/memory/sessions/cleanup' },
  'memory.clear': { verb: 'DELETE', path: 'api/memory/sessions/{session_id}/memories' },
  'memory.config': { verb: 'GET', path: 'api/memory/config' },
  'memory.delete': {
    verb: 'DELETE',
    path: 'api/memory/sessions/{session_id}/memories/{memory_id}'
  },
  'memory.list': { verb: 'GET', path: 'api/memory/sessions/{session_id}/memories' },
  'memory.set_config': { verb: 'PUT', path: 'api/memory/config' },
  'memory.stats': { verb: 'GET', path: 'api/memory/stats' },
  'sessions.cleanup': { verb: 'POST', path: 'api/chat/sessions/cleanup' },
  'sessions.clear': { verb: 'POST', path: 'api/chat/sessions/{session_id}/clear' },
  'sessions.create': { verb: 'POST', path: 'api/chat/sessions' },
  'sessions.delete': { verb: 'DELETE', path: 'api/chat/sessions/{session_id}' },
  'sessions.export': {
    verb: 'GET',
    path: 'api/chat/sessions/{session_id}/export',
    media: 'text/markdown'
  },
  'sessions.get': { verb: 'GET', path: 'api/chat/sessions/{session_id}' },
  'sessions.import': { verb: 'POST', path: 'api/chat/sessions/import' },
  'sessions.list': { verb: 'GET', path: 'api/chat/sessions' },
  'sessions.search': { verb: 'GET', path: 'api/chat/sessions/search' },
  'sessions.switch': { verb: 'POST', path: 'api/chat/sessions/{session_id}/switch' },
  'sessions.update': { verb: 'PATCH', path: 'api/chat/sessions/{session_id}' },
  status: { verb: 'GET', path: 'api/status' }
};
