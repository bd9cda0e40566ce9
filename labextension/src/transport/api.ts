/* eslint-disable */
/**
 * GENERATED from labextension/openapi.json by scripts/gen-api.mjs: do not edit.
 * Regenerate with `jlpm gen:api` (or `make api`, which first rewrites openapi.json from the Python
 * operations in sage_studio_lab/api/); test/api.test.ts fails while this file is stale.
 */

export interface paths {
  '/api/chat/knowledge': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The documents the chat's KnowledgeRAG step searches. */
    get: operations['knowledge.list'];
    put?: never;
    /** Add (or replace) a UTF-8 text/Markdown document. */
    post: operations['knowledge.add'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/knowledge/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Delete a knowledge document. */
    delete: operations['knowledge.delete'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Chat sessions, newest activity first (with `q`: those that contain it). */
    get: operations['sessions.list'];
    put?: never;
    /** A new, empty chat session. */
    post: operations['sessions.create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/cleanup': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Delete sessions idle for longer than `max_age_minutes`, with their memory (ids of the deleted). */
    post: operations['sessions.cleanup'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/import': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A new session from an export: the whole tree from JSON, a linear chat from a Markdown transcript. */
    post: operations['sessions.import'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/search': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Sessions whose title or any message contains `q` (case-insensitive), with matching snippets. */
    get: operations['sessions.search'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/{session_id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A session with the messages of its active branch. */
    get: operations['sessions.get'];
    put?: never;
    post?: never;
    /** Delete a session, its messages and its memory. */
    delete: operations['sessions.delete'];
    options?: never;
    head?: never;
    /** Rename a session or change its settings (system prompt, sampling, source, model, flow). */
    patch: operations['sessions.update'];
    trace?: never;
  };
  '/api/chat/sessions/{session_id}/budget': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** The token budget a message would get if sent now (nothing is stored): what the composer shows. */
    post: operations['chat.budget'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/{session_id}/clear': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Remove every message of a session (its settings stay). */
    post: operations['sessions.clear'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/{session_id}/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The session as JSON (every branch; importable) or as a Markdown transcript of the active branch. */
    get: operations['sessions.export'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/{session_id}/messages/{message_id}/ideal': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Store the answer the model should have given, as a preferred sibling of the answer it corrects. */
    post: operations['chat.ideal_answer'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/{session_id}/messages/{message_id}/rating': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Rate an answer 👍/👎 (with an optional comment), or clear its rating; kept in the message's metadata. */
    post: operations['chat.rate'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/{session_id}/switch': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Make the branch through `message_id` the active one (after an edit or a regeneration). */
    post: operations['sessions.switch'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sources': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The local engine's and the cloud endpoint's state for the source picker (probes the cloud, ~2 s max). */
    get: operations['chat.sources'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/stop': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Stop a generation by the `x-request-id` of its answer, or every generation of a session. */
    post: operations['chat.stop'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/engine/adapters': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The adapters the engine serves. */
    get: operations['engine.adapters'];
    put?: never;
    /** Hot-load a LoRA adapter into the running engine (no restart). */
    post: operations['engine.load_adapter'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/engine/adapters/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Unload an adapter from the running engine. */
    delete: operations['engine.unload_adapter'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/engine/logs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The last lines of the engine's log. */
    get: operations['engine.logs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/engine/models': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The model catalog: the bundled model, local folders, the HF cache and fine-tuned adapters. */
    get: operations['engine.models'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/engine/restart': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Restart the engine with the same model, options and adapters. */
    post: operations['engine.restart'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/engine/start': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Start the engine (202 while it loads, 200 once running); re-attaches when one already runs. */
    post: operations['engine.start'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/engine/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The engine's state, process, memory, adapters and the tail of its log. */
    get: operations['engine.status'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/engine/stop': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Stop the engine: SIGTERM, then SIGKILL after `grace` seconds. */
    post: operations['engine.stop'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/advice': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Memory, steps and warnings for a task config before it is created, with a change that makes it fit. */
    post: operations['finetune.advice'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/create': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** The same as POST api/finetune/tasks (SAGE Studio's route name). */
    post: operations['finetune.create_task'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/current-model': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The model chat uses now (an adapter after *Use in chat*). */
    get: operations['finetune.current_model'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/datasets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Uploaded datasets, validated and converted to the `messages` format. */
    get: operations['finetune.datasets'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/datasets/{dataset_id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A dataset with a preview rendered by the model's chat template, token statistics and its split. */
    get: operations['finetune.dataset'];
    put?: never;
    post?: never;
    /** Delete a dataset (tasks trained on it keep their own copy). */
    delete: operations['finetune.delete_dataset'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/models': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The model catalog (bases to fine-tune and fine-tuned adapters). */
    get: operations['finetune.models'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/prepare-docs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A question/answer dataset made from a folder of Markdown documents (default: the SAGE docs sample). */
    post: operations['finetune.prepare_docs'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/sample-dataset': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** The SAGE docs sample dataset (questions and answers from the docs' sections): the stored one, else built once. */
    post: operations['finetune.sample_dataset'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/switch-model': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Make chat use another model folder or adapter (restarting the engine only when asked). */
    post: operations['finetune.switch_model'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/tasks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every fine-tune task, newest first, with its latest progress. */
    get: operations['finetune.tasks'];
    put?: never;
    /** Queue a LoRA fine-tune (it starts when a training slot is free); invalid config: 400, nothing stored. */
    post: operations['finetune.create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/tasks/{task_id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One task with its latest progress and evaluation. */
    get: operations['finetune.get'];
    put?: never;
    post?: never;
    /** Delete a task and its files (a running one is stopped first). */
    delete: operations['finetune.delete'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/tasks/{task_id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Stop a queued or running task (the trainer gets a grace period to save a checkpoint). */
    post: operations['finetune.cancel'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/tasks/{task_id}/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The task as a runnable bundle: `<task name>.zip` with its data, config.json, train.py, train.ipynb and a README. */
    get: operations['finetune.export_task'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/tasks/{task_id}/logs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The last lines of the task's training log. */
    get: operations['finetune.logs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/tasks/{task_id}/merge': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Merge the adapter into a full model folder (merged/) that any engine can serve. */
    post: operations['finetune.merge'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/tasks/{task_id}/progress': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A task's progress summary with its whole loss history (what a loss curve draws). */
    get: operations['finetune.progress'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/tasks/{task_id}/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Queue a failed or cancelled task again, from its last checkpoint. */
    post: operations['finetune.resume'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/tasks/{task_id}/use-in-chat': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Hot-load the task's adapter into the running engine and make it the chat model (no restart). */
    post: operations['finetune.use_in_chat'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/export-python': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** The flow as a runnable Python script that uses the public API. */
    post: operations['flow.export_python'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/flows': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Saved flows, most recently changed first. */
    get: operations['flow.list'];
    put?: never;
    /** Save a new flow made in the Studio: it is trusted (malformed: 400 and nothing stored). */
    post: operations['flow.create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/flows/import': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Save a `.sage-flow.json` file's flow as a new flow: not trusted unless its signature is this user's. */
    post: operations['flow.import'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/flows/{flow_id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A saved flow. */
    get: operations['flow.get'];
    /** Replace a saved flow (its issues come back with it); a trusted flow stays trusted, an untrusted one not. */
    put: operations['flow.save'];
    post?: never;
    /** Delete a saved flow (its run history stays). */
    delete: operations['flow.delete'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/flows/{flow_id}/export-python': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A saved flow as a runnable Python script. */
    get: operations['flow.export_saved_python'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/flows/{flow_id}/run': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Run a saved flow: answers the run id at once. */
    post: operations['flow.start_saved'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/flows/{flow_id}/runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The runs of one saved flow, newest first. */
    get: operations['flow.flow_runs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/flows/{flow_id}/trust': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Trust a saved flow (an import): sign its current version. */
    post: operations['flow.trust_saved'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/operators': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The operator palette: each operator's ports and config schema (built-ins and installed plugins). */
    get: operations['flow.operators'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/run': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Run a flow from the canvas without saving it: answers the run id at once. */
    post: operations['flow.start'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Past and running runs, newest first (of one flow with `flow_id`). */
    get: operations['flow.runs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/runs/{run_id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One run: its flow, inputs, outputs, status and every event it recorded. */
    get: operations['flow.run_get'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/runs/{run_id}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Stop a running flow (at the next node boundary). */
    post: operations['flow.cancel'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/runs/{run_id}/nodes/{node_id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What one node received and emitted in a recorded run (replayed from its events). */
    get: operations['flow.node_io'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/templates': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Ready-made flows to start from. */
    get: operations['flow.templates'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/trust': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Trust a flow (e.g. a file opened from elsewhere): sign it for this user, so it may run Python references wherever it is opened. Moving its nodes keeps it trusted; changing what it does needs trusting again. */
    post: operations['flow.trust'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/trust-status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Whether this user trusts the flow, and what in it only a trusted flow may use. */
    post: operations['flow.trust_status'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/validate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Check a flow without running it: 400 listing every issue (per node/edge) when it cannot run. */
    post: operations['flow.validate'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Versions, the data directory and what is available here (packages are looked up, never imported). */
    get: operations['health'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/improve/arena/{duel_id}/pick': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Record the better answer of a duel (once: 409 after), revealing both models; feeds the preference export. */
    post: operations['improve.pick'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/improve/compare': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Several tasks side by side: their evaluation metrics and training loss histories (an overlay chart). */
    get: operations['improve.compare'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/improve/datasets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Datasets built from rated chats, newest first, with their versions and source sessions. */
    get: operations['improve.datasets'];
    put?: never;
    /** Build the next version of a fine-tune dataset from rated and corrected answers (deduplicated, split). */
    post: operations['improve.build_dataset'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/improve/datasets/preview': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** What a build would store, writing nothing: counts, and rows rendered with the model's chat template. */
    post: operations['improve.preview_dataset'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/improve/duels': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Recent arena duels, newest first (a blind duel's models hidden until it is picked). */
    get: operations['improve.duels'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/improve/preferences': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Preference pairs (prompt, chosen = the ideal answer, rejected = the answer it corrected), TRL's shape. */
    post: operations['improve.preference_export'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/improve/tasks/{task_id}/evaluate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Start scoring base vs adapter on the task's held-out split, in a detached process (409 if one runs). */
    post: operations['improve.evaluate'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/improve/tasks/{task_id}/evaluation': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The task's stored evaluation: metrics of base and adapter, the sample table, throughput (404 before). */
    get: operations['improve.evaluation'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/improve/tasks/{task_id}/evaluation/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Ask the running evaluator to stop (it stops between batches, stores nothing, records `cancelled`). */
    post: operations['improve.cancel_evaluation'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/improve/tasks/{task_id}/evaluation/state': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Where the task's evaluation stands: none, running (phase, done/total), completed, failed or cancelled. */
    get: operations['improve.evaluation_state'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/memory/config': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The memory settings of a session (or the defaults), the backends there are, and how many sessions exist. */
    get: operations['memory.config'];
    /** Change a session's memory settings (only the fields given). */
    put: operations['memory.set_config'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/memory/sessions/cleanup': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Delete chat sessions idle for longer than `max_age_minutes`, with their memory (ids of the deleted). */
    post: operations['memory.cleanup'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/memory/sessions/{session_id}/memories': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The dialogs a session's memory holds, newest first. */
    get: operations['memory.list'];
    put?: never;
    post?: never;
    /** Forget everything a session's memory holds (the conversation itself stays). */
    delete: operations['memory.clear'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/memory/sessions/{session_id}/memories/{memory_id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Forget one stored memory. */
    delete: operations['memory.delete'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/memory/stats': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Memory use of one session, or of every session that has memories: dialogs, index size, last hits. */
    get: operations['memory.stats'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One line per area: the engine, how many chat sessions, fine-tune tasks by status, GPUs, the data dir. */
    get: operations['status'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/system/gpu': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The GPUs NVML sees (`available: false` without a GPU or pynvml): memory in bytes, utilisation in %. */
    get: operations['gpu.info'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/{session_id}/messages': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A chat turn through the session's pipeline, streamed as OpenAI chunks (stream: true) */
    post: operations['chat.send'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/{session_id}/regenerate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A new answer to the last user message, as a sibling branch */
    post: operations['chat.regenerate'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/{session_id}/continue': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Go on from the last answer where it stopped (stop or max_tokens): the same message grows */
    post: operations['chat.continue'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/chat/sessions/{session_id}/messages/{message_id}/edit': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Edit a user message into a new branch and answer it */
    post: operations['chat.edit'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/improve/arena': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** One prompt answered by two models at once (one engine batch): {type: token, side, text} events, then {type: done, id, a, b} (blind: the models hidden until improve.pick) */
    post: operations['improve.arena'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/chat/completions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** OpenAI-compatible chat completions routed to the local engine or the cloud */
    post: operations['openai.chat_completions'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/system/gpu/stream': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** GPU snapshots every `interval` seconds (0.5-60); send {"interval": s} to change it */
    get: operations['gpu.watch'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/flow/runs/{run_id}/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A flow run's events: node_started, node_finished, run_finished, ... */
    get: operations['flow.events'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/tasks/{task_id}/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A fine-tune task's events.jsonl records from the start (start, progress, eval, checkpoint, status), task_status {status, error} on each change, with `logs` each train.log line; closes after the end (finetune/follow.py) */
    get: operations['finetune.watch'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/finetune/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every task's state changes (the task table, live) */
    get: operations['finetune.events'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /**
     * AdapterLabel
     * @description An adapter the engine serves: `id` is its served (LoRA) name, `label` what people call it (the fine-tune
     *     task's name, as chat's model list shows it), `task_id` its task when it is a fine-tuned one.
     */
    AdapterLabel: {
      /** Id */
      id: string;
      /** Label */
      label: string;
      /** Task Id */
      task_id: string | null;
    };
    /** Adapters */
    Adapters: {
      /** Adapters */
      adapters: string[];
      /**
       * Labels
       * @description each adapter's name as people know it (its fine-tune task's), in the order of `adapters`
       * @default []
       */
      labels: components['schemas']['AdapterLabel'][];
      /** Engine */
      engine: string;
    };
    /** Advice */
    Advice: {
      /**
       * Lines
       * @description the advice in plain words, with units
       */
      lines: string[];
      /** Warnings */
      warnings: string[];
      /**
       * Memory Bytes
       * @description estimated memory of the run
       */
      memory_bytes: number;
      /**
       * Available Bytes
       * @description the free GPU memory, or the available RAM without a GPU
       */
      available_bytes: number;
      /**
       * Device
       * @enum {string}
       */
      device: 'gpu' | 'cpu';
      /** Device Name */
      device_name: string;
      /** Fits */
      fits: boolean;
      /** Params */
      params: number;
      /** Rows */
      rows: number | null;
      /** Train Rows */
      train_rows: number | null;
      /** Eval Rows */
      eval_rows: number | null;
      /** Steps */
      steps: number | null;
      /** Examples Per Step */
      examples_per_step: number;
      suggestion: components['schemas']['Suggestion'] | null;
    };
    /** ArenaArgs */
    ArenaArgs: {
      /**
       * Prompt
       * @description what both models answer
       */
      prompt: string;
      /**
       * Model A
       * @description a model or adapter the engine serves (chat.models)
       */
      model_a: string;
      /** Model B */
      model_b: string;
      /**
       * Source
       * @description where both requests go
       * @default local
       * @enum {string}
       */
      source: 'local' | 'cloud' | 'auto';
      /**
       * Max Tokens
       * @description per answer (default: the chat's)
       * @default null
       */
      max_tokens: number | null;
      /**
       * Temperature
       * @description default 0.7, as a new chat; 0 = greedy
       * @default null
       */
      temperature: number | null;
      /**
       * Blind
       * @description hide which model answers as A / B until the pick
       * @default false
       */
      blind: boolean;
    };
    /**
     * ArenaEvent
     * @description `{type: start, request_id}`, `{type: token, side, text}`, then `{type: done, id, blind, a, b, elapsed_s}`
     *     (`id` null when cancelled) or `{type: error, status, message}`.
     */
    ArenaEvent: {
      /**
       * Type
       * @enum {string}
       */
      type: 'start' | 'token' | 'done' | 'error';
      /**
       * Side
       * @default null
       */
      side: ('a' | 'b') | null;
      /**
       * Text
       * @default null
       */
      text: string | null;
      /**
       * Id
       * @default null
       */
      id: string | null;
      /** @default null */
      a: components['schemas']['ArenaSide'] | null;
      /** @default null */
      b: components['schemas']['ArenaSide'] | null;
    } & {
      [key: string]: unknown;
    };
    /** ArenaSide */
    ArenaSide: {
      /** Text */
      text: string;
      /** Model */
      model: string | null;
      /** Tokens */
      tokens: number;
      /** Ttft S */
      ttft_s: number | null;
      /** Tok S */
      tok_s: number | null;
      /** Latency S */
      latency_s: number;
      /** Finish Reason */
      finish_reason: string | null;
    };
    /**
     * Attachment
     * @description Notebook context for a turn (chat/context.py): a variable, an error, a cell or a cell's output.
     */
    Attachment: {
      /**
       * Kind
       * @enum {string}
       */
      kind: 'variable' | 'error' | 'cell' | 'output';
      /** Name */
      name: string;
      /** Text */
      text: string;
    };
    /**
     * BudgetPreview
     * @description The prompt's parts in tokens (system, history, memory, rag, context, user), `max_tokens` (the answer's room),
     *     the model's `context_length` (null when unknown), and — when they would be trimmed — `before` and `trimmed`.
     */
    BudgetPreview: {
      /** Max Tokens */
      max_tokens: number;
      /** Estimated */
      estimated: boolean;
    } & {
      [key: string]: unknown;
    };
    /**
     * Build
     * @description A dataset built from rated chats: an SFT dataset (`dataset_id`, listed by finetune.datasets) or a
     *     preference file.
     */
    Build: {
      /** Id */
      id: string;
      /**
       * Kind
       * @enum {string}
       */
      kind: 'sft' | 'preference';
      /** Name */
      name: string;
      /** Version */
      version: number;
      /** Dataset Id */
      dataset_id: string | null;
      /** Path */
      path: string;
      /** Sessions */
      sessions: string[];
      /** Filters */
      filters: {
        [key: string]: unknown;
      };
      /** Counts */
      counts: {
        [key: string]: unknown;
      };
      /** Created At */
      created_at: number;
      /** Available */
      available: boolean;
    };
    /** Builds */
    Builds: {
      /** Builds */
      builds: components['schemas']['Build'][];
    };
    /**
     * ChatEvent
     * @description An OpenAI chat.completion.chunk; the last one before `[DONE]` carries `x_sage` (turn metadata).
     */
    ChatEvent: {
      /**
       * Object
       * @default null
       */
      object: string | null;
      /**
       * Choices
       * @default []
       */
      choices: {
        [key: string]: unknown;
      }[];
    } & {
      [key: string]: unknown;
    };
    /** ComparedTask */
    ComparedTask: {
      /** Task Id */
      task_id: string;
      /** Name */
      name: string | null;
      /** Status */
      status: string;
      evaluation: components['schemas']['EvaluationMetrics'] | null;
      /** History */
      history: components['schemas']['HistoryPoint'][];
    };
    /** Comparison */
    Comparison: {
      /** Tasks */
      tasks: components['schemas']['ComparedTask'][];
    };
    /** ConfigView */
    ConfigView: {
      /** Session Id */
      session_id: string | null;
      config: components['schemas']['MemoryConfig'];
      /** Backends */
      backends: string[];
      /** Total Sessions */
      total_sessions: number;
    };
    /** Dataset */
    Dataset: {
      /** Id */
      id: string;
      /** Name */
      name: string;
      /** Format */
      format: string;
      /** Rows */
      rows: number;
    } & {
      [key: string]: unknown;
    };
    /** DatasetDetail */
    DatasetDetail: {
      /** Id */
      id: string;
      /** Name */
      name: string;
      /** Format */
      format: string;
      /** Rows */
      rows: number;
      /** Preview */
      preview: {
        [key: string]: unknown;
      }[];
      /** Token Stats */
      token_stats: {
        [key: string]: unknown;
      };
      /** Split */
      split: {
        [key: string]: unknown;
      };
    } & {
      [key: string]: unknown;
    };
    /** DatasetPreview */
    DatasetPreview: {
      /** Selected */
      selected: number;
      /** Duplicates */
      duplicates: number;
      /** Skipped */
      skipped: {
        [key: string]: number;
      };
      /** Rows */
      rows: components['schemas']['PreviewRow'][];
      /** Total Tokens */
      total_tokens: number;
      /** Max Tokens */
      max_tokens: number;
      /** Sessions */
      sessions: string[];
    };
    /** Datasets */
    Datasets: {
      /** Datasets */
      datasets: components['schemas']['Dataset'][];
    };
    /** Deleted */
    Deleted: {
      /** Deleted */
      deleted: number | string | string[];
    };
    /** DeletedId */
    DeletedId: {
      /** Deleted */
      deleted: string;
    };
    /** DeletedIds */
    DeletedIds: {
      /** Deleted */
      deleted: string[];
    };
    /** Duel */
    Duel: {
      /** Id */
      id: string;
      /** Prompt */
      prompt: string;
      /** Model A */
      model_a: string | null;
      /** Model B */
      model_b: string | null;
      /** Answer A */
      answer_a: string;
      /** Answer B */
      answer_b: string;
      /** Blind */
      blind: boolean;
      /** Winner */
      winner: ('a' | 'b' | 'tie') | null;
      /** Created At */
      created_at: number;
    };
    /** Duels */
    Duels: {
      /** Duels */
      duels: components['schemas']['Duel'][];
    };
    /** EngineLogs */
    EngineLogs: {
      /** Lines */
      lines: number;
      /** Text */
      text: string;
    };
    /**
     * EngineStatus
     * @description One engine per user; `status` is stopped when none runs. Memory in bytes. While `loading`: the `stage`
     *     (starting, materialising, loading weights, warming up), its `progress` (0..1, null when unknown) and
     *     `stage_detail` (e.g. "120/272 tensors"), every stage in `stages`, `elapsed_s` since the start; a failed
     *     start keeps its `stages` (the failed one marked) and says why in `error`.
     */
    EngineStatus: {
      /**
       * Status
       * @enum {string}
       */
      status: 'stopped' | 'loading' | 'running' | 'stopping' | 'failed';
      /** Id */
      id: string | null;
      /** Backend */
      backend: string | null;
      /** Model */
      model: string | null;
      /** Base Url */
      base_url: string | null;
      /** Port */
      port: number | null;
      /** Pid */
      pid: number | null;
      /** Uptime S */
      uptime_s: number | null;
      /** Adapters */
      adapters: string[];
      /** Rss Bytes */
      rss_bytes: number | null;
      /** Gpu Memory */
      gpu_memory: number | null;
      /** Exit Code */
      exit_code: number | null;
      /** Error */
      error: string | null;
      /** Log Tail */
      log_tail: string;
      /**
       * Progress
       * @default null
       */
      progress: number | null;
      /**
       * Stage
       * @default null
       */
      stage: string | null;
      /**
       * Stage Detail
       * @default null
       */
      stage_detail: string | null;
      /**
       * Stages
       * @default []
       */
      stages: components['schemas']['Stage'][];
      /**
       * Elapsed S
       * @default null
       */
      elapsed_s: number | null;
      /**
       * Adapter Labels
       * @default []
       */
      adapter_labels: components['schemas']['AdapterLabel'][];
      /**
       * Argv
       * @description the command line the engine runs (for the curious: views hide it)
       * @default []
       */
      argv: string[];
    } & {
      [key: string]: unknown;
    };
    /** @description Every error: the HTTP status and a message that says what to fix (+ details). */
    Error: {
      status: number;
      message: string;
    };
    /**
     * Evaluation
     * @description Base vs adapter on the task's held-out rows (`split.source` "sample" when it held out none).
     */
    Evaluation: {
      /** Task Id */
      task_id: string;
      /** Evaluated At */
      evaluated_at: number;
      split: components['schemas']['EvaluationSplit'];
      base: components['schemas']['ModelScores'];
      adapter: components['schemas']['ModelScores'];
      /** Samples */
      samples: components['schemas']['EvaluationSample'][];
      throughput: components['schemas']['Throughput'];
    } & {
      [key: string]: unknown;
    };
    /**
     * EvaluationMetrics
     * @description An evaluation without its sample table.
     */
    EvaluationMetrics: {
      base: components['schemas']['ModelScores'];
      adapter: components['schemas']['ModelScores'];
      split: components['schemas']['EvaluationSplit'];
      throughput: components['schemas']['Throughput'];
      /** Evaluated At */
      evaluated_at: number;
    };
    /** EvaluationSample */
    EvaluationSample: {
      /** Prompt */
      prompt: string;
      /** Reference */
      reference: string;
      /** Base Answer */
      base_answer: string;
      /** Adapter Answer */
      adapter_answer: string;
      /** Base Exact Match */
      base_exact_match: number;
      /** Adapter Exact Match */
      adapter_exact_match: number;
      /** Base Rouge L */
      base_rouge_l: number;
      /** Adapter Rouge L */
      adapter_rouge_l: number;
    };
    /** EvaluationSplit */
    EvaluationSplit: {
      /**
       * Source
       * @enum {string}
       */
      source: 'eval' | 'sample';
      /** Note */
      note: string;
      /** Rows */
      rows: number;
      /** Dataset Rows */
      dataset_rows: number;
      /** Eval Ratio */
      eval_ratio: number;
      /** Seed */
      seed: number;
    } & {
      [key: string]: unknown;
    };
    /**
     * EvaluationState
     * @description Where a task's evaluation stands, from its `evaluation` events (a killed evaluator reads as failed).
     */
    EvaluationState: {
      /** Task Id */
      task_id: string;
      /**
       * State
       * @enum {string}
       */
      state: 'none' | 'running' | 'completed' | 'failed' | 'cancelled';
      /**
       * Phase
       * @default null
       */
      phase: string | null;
      /**
       * Done
       * @default null
       */
      done: number | null;
      /**
       * Total
       * @default null
       */
      total: number | null;
      /**
       * Error
       * @default null
       */
      error: string | null;
      /**
       * At
       * @default null
       */
      at: number | null;
    };
    /** FlowSummary */
    FlowSummary: {
      /** Id */
      id: string;
      /** Name */
      name: string;
      /** Description */
      description: string;
      /** Nodes */
      nodes: number;
      /** Created At */
      created_at: number;
      /** Updated At */
      updated_at: number;
      /**
       * Trusted
       * @description signed by this user: may run Python references (flow/trust.py)
       */
      trusted: boolean;
    };
    /** Flows */
    Flows: {
      /** Flows */
      flows: components['schemas']['FlowSummary'][];
    };
    /** GpuDevice */
    GpuDevice: {
      /** Index */
      index: number;
      /** Name */
      name: string;
      /** Memory Total */
      memory_total: number;
      /** Memory Used */
      memory_used: number;
      /** Memory Free */
      memory_free: number;
      /** Utilization */
      utilization: number | null;
      /** Temperature */
      temperature: number | null;
      /** Processes */
      processes: {
        [key: string]: unknown;
      }[];
    };
    /** GpuInfo */
    GpuInfo: {
      /** Available */
      available: boolean;
      /**
       * Devices
       * @default []
       */
      devices: components['schemas']['GpuDevice'][];
      /**
       * Error
       * @default null
       */
      error: string | null;
      /**
       * Time
       * @default null
       */
      time: number | null;
    };
    /** Health */
    Health: {
      /** Status */
      status: string;
      /** Version */
      version: string;
      /** Python */
      python: string;
      /** Data Dir */
      data_dir: string;
      /** User */
      user: string;
      /** Versions */
      versions: {
        [key: string]: string | null;
      };
      /** Available */
      available: {
        [key: string]: boolean;
      };
    };
    /**
     * HistoryPoint
     * @description One logged step: a `progress` event (loss, lr) or an `eval` event (eval_loss).
     */
    HistoryPoint: {
      /** Step */
      step: number | null;
      /** Loss */
      loss: number | null;
      /** Eval Loss */
      eval_loss: number | null;
      /** Lr */
      lr: number | null;
      /** Epoch */
      epoch: number | null;
    };
    /** IdealAnswer */
    IdealAnswer: {
      ideal: components['schemas']['Message'];
      original: components['schemas']['Message'];
    };
    /** ImportedMessage */
    ImportedMessage: {
      /**
       * Id
       * @default null
       */
      id: string | null;
      /**
       * Parent Id
       * @default null
       */
      parent_id: string | null;
      /**
       * Role
       * @enum {string}
       */
      role: 'system' | 'user' | 'assistant';
      /** Content */
      content: string;
      /** Metadata */
      metadata?: {
        [key: string]: unknown;
      };
      /**
       * Created At
       * @default null
       */
      created_at: number | null;
    };
    /** Issue */
    Issue: {
      /** Message */
      message: string;
      /**
       * Severity
       * @enum {string}
       */
      severity: 'error' | 'warning';
      /**
       * Node Id
       * @default null
       */
      node_id: string | null;
      /**
       * Edge Id
       * @default null
       */
      edge_id: string | null;
      /**
       * Code
       * @default null
       */
      code: string | null;
    } & {
      [key: string]: unknown;
    };
    /** KnowledgeDoc */
    KnowledgeDoc: {
      /** Name */
      name: string;
      /** Size */
      size: number;
      /** Modified */
      modified: string;
      /** Chunks */
      chunks: number;
    };
    /** KnowledgeDocs */
    KnowledgeDocs: {
      /** Documents */
      documents: components['schemas']['KnowledgeDoc'][];
    };
    /** LoraOptions */
    LoraOptions: {
      /**
       * Rank
       * @default 8
       */
      rank: number;
      /**
       * Alpha
       * @default 16
       */
      alpha: number;
      /**
       * Dropout
       * @default 0.05
       */
      dropout: number;
      /** Target Modules */
      target_modules?: string[] | 'all-linear';
      /**
       * Use Dora
       * @default false
       */
      use_dora: boolean;
    };
    /** Memories */
    Memories: {
      /** Memories */
      memories: components['schemas']['Memory'][];
    };
    /** Memory */
    Memory: {
      /** Id */
      id: number;
      /** Session Id */
      session_id: string;
      /** Kind */
      kind: string;
      /** Text */
      text: string;
      /** Metadata */
      metadata: {
        [key: string]: unknown;
      };
      /** Created At */
      created_at: number;
    };
    /**
     * MemoryConfig
     * @description `backend` picks long-term recall; the short-term window of recent dialogs always applies.
     */
    MemoryConfig: {
      /**
       * Backend
       * @default short_term
       * @enum {string}
       */
      backend: 'short_term' | 'vector' | 'kv';
      /**
       * Window
       * @description recent dialogs kept verbatim in the prompt
       * @default 8
       */
      window: number;
      /**
       * Top K
       * @description memories recalled per turn by vector / kv
       * @default 4
       */
      top_k: number;
      /**
       * Min Score
       * @description vector hits below this cosine similarity are dropped
       * @default 0
       */
      min_score: number;
      /**
       * Embedding Model
       * @default all-MiniLM-L6-v2
       */
      embedding_model: string;
    };
    /** Message */
    Message: {
      /** Id */
      id: string;
      /** Session Id */
      session_id: string;
      /** Parent Id */
      parent_id: string | null;
      /**
       * Role
       * @enum {string}
       */
      role: 'system' | 'user' | 'assistant';
      /** Content */
      content: string;
      /** Metadata */
      metadata: {
        [key: string]: unknown;
      };
      /** Created At */
      created_at: number;
      /**
       * Sibling Ids
       * @default []
       */
      sibling_ids: string[];
      /**
       * Sibling Index
       * @default 0
       */
      sibling_index: number;
    };
    /** Model */
    Model: {
      /** Id */
      id: string;
      /** Name */
      name: string;
      /**
       * Type
       * @enum {string}
       */
      type: 'base' | 'finetuned';
      /** Source */
      source: string;
      /**
       * Path
       * @default null
       */
      path: string | null;
      /**
       * Base Model
       * @default null
       */
      base_model: string | null;
      /**
       * Details
       * @default {}
       */
      details: {
        [key: string]: unknown;
      };
    };
    /** ModelCatalog */
    ModelCatalog: {
      /** Default */
      default: string;
      /** Models */
      models: components['schemas']['Model'][];
    };
    /** ModelScores */
    ModelScores: {
      /** Eval Loss */
      eval_loss: number | null;
      /** Perplexity */
      perplexity: number | null;
      /** Exact Match */
      exact_match: number | null;
      /** Rouge L */
      rouge_l: number | null;
    };
    /** NodeIO */
    NodeIO: {
      /** Node Id */
      node_id: string;
      /** Ran */
      ran: boolean;
      /** Inputs */
      inputs: {
        [key: string]: unknown[];
      };
      /** Outputs */
      outputs: {
        [key: string]: unknown[];
      };
      /** Truncated */
      truncated: boolean;
    };
    /** Operators */
    Operators: {
      /** Operators */
      operators: {
        [key: string]: unknown;
      }[];
    };
    /** Overview */
    Overview: {
      /** Engine */
      engine: {
        [key: string]: unknown;
      };
      /** Sessions */
      sessions: number;
      /** Tasks */
      tasks: {
        [key: string]: number;
      };
      /** Gpus */
      gpus: string[];
      /** Data Dir */
      data_dir: string;
    };
    /** PreferenceExport */
    PreferenceExport: {
      /** Rows */
      rows: components['schemas']['PreferenceRow'][];
      /** Count */
      count: number;
      /** Sessions */
      sessions: string[];
      /** @default null */
      build: components['schemas']['Build'] | null;
    };
    /**
     * PreferenceRow
     * @description TRL's conversational preference format (what its DPO trainer reads).
     */
    PreferenceRow: {
      /** Prompt */
      prompt: {
        [key: string]: string;
      }[];
      /** Chosen */
      chosen: {
        [key: string]: string;
      }[];
      /** Rejected */
      rejected: {
        [key: string]: string;
      }[];
    };
    /** PreviewRow */
    PreviewRow: {
      /** Messages */
      messages: {
        [key: string]: string;
      }[];
      /** Rendered */
      rendered: string;
      /** Tokens */
      tokens: number;
      /** Session Id */
      session_id: string;
      /** Answer Id */
      answer_id: string;
      /** Rated Id */
      rated_id: string;
      /** Kind */
      kind: string;
      /** Model */
      model: string | null;
    };
    /** Progress */
    Progress: {
      /** Id */
      id: string;
      /** Status */
      status: string;
      /** Progress */
      progress: number;
      /** Step */
      step: number | null;
      /** Total Steps */
      total_steps: number | null;
      /** Loss */
      loss: number | null;
      /** Eval Loss */
      eval_loss: number | null;
      /** Eta S */
      eta_s: number | null;
      /** History */
      history: components['schemas']['HistoryPoint'][];
    } & {
      [key: string]: unknown;
    };
    /** Reference */
    Reference: {
      /** Node Id */
      node_id: string;
      /** Reference */
      reference: string;
    };
    /** Run */
    Run: {
      /** Id */
      id: string;
      /** Status */
      status: string;
      /** Live */
      live: boolean;
      /** Events */
      events: {
        [key: string]: unknown;
      }[];
    } & {
      [key: string]: unknown;
    };
    /** RunSummary */
    RunSummary: {
      /** Id */
      id: string;
      /** Flow Id */
      flow_id: string | null;
      /** Status */
      status: string;
      /** Error */
      error: string | null;
      /** Executor */
      executor: string;
      /** Started At */
      started_at: number;
      /** Finished At */
      finished_at: number | null;
      /** Outputs */
      outputs: {
        [key: string]: unknown;
      };
    };
    /** Runs */
    Runs: {
      /** Runs */
      runs: components['schemas']['RunSummary'][];
    };
    /** SavedFlow */
    SavedFlow: {
      /** Id */
      id: string;
      /** Name */
      name: string;
      /** Flow */
      flow: {
        [key: string]: unknown;
      };
      /**
       * Trusted
       * @description signed by this user: may run Python references (flow/trust.py)
       */
      trusted: boolean;
      /**
       * Issues
       * @default null
       */
      issues: components['schemas']['Issue'][] | null;
    } & {
      [key: string]: unknown;
    };
    /** Session */
    Session: {
      /** Id */
      id: string;
      /** Title */
      title: string;
      settings: components['schemas']['SessionSettings'];
      /** Active Leaf Id */
      active_leaf_id: string | null;
      /** Created At */
      created_at: number;
      /** Updated At */
      updated_at: number;
      /** Message Count */
      message_count: number;
      /** User Message Count */
      user_message_count: number;
      /** Last Message */
      last_message: string | null;
      /**
       * Context Length
       * @default null
       */
      context_length: number | null;
      /**
       * Matches
       * @default null
       */
      matches:
        | {
            [key: string]: unknown;
          }[]
        | null;
      /** Messages */
      messages: components['schemas']['Message'][];
    };
    /** SessionConfig */
    SessionConfig: {
      /** Session Id */
      session_id: string;
      config: components['schemas']['MemoryConfig'];
    };
    /** SessionExport */
    SessionExport: {
      /**
       * Format
       * @constant
       */
      format: 'json';
      /** Version */
      version: number;
      /** Id */
      id: string;
      /** Title */
      title: string;
      /** Settings */
      settings: {
        [key: string]: unknown;
      };
      /** Active Leaf Id */
      active_leaf_id: string | null;
      /** Created At */
      created_at: number;
      /** Updated At */
      updated_at: number;
      /** Messages */
      messages: {
        [key: string]: unknown;
      }[];
    };
    /**
     * SessionSettings
     * @description What a session sends with each turn. `None` means the studio default.
     */
    SessionSettings: {
      /**
       * System Prompt
       * @default null
       */
      system_prompt: string | null;
      /**
       * Temperature
       * @default null
       */
      temperature: number | null;
      /**
       * Top P
       * @default null
       */
      top_p: number | null;
      /**
       * Max Tokens
       * @default null
       */
      max_tokens: number | null;
      /**
       * Repetition Penalty
       * @description tokens already said get less likely (1.0 = off; default: c.SageStudio.chat_repetition_penalty)
       * @default null
       */
      repetition_penalty: number | null;
      /**
       * Source
       * @default null
       */
      source: ('local' | 'cloud' | 'auto') | null;
      /**
       * Model
       * @default null
       */
      model: string | null;
      /**
       * Flow
       * @description id of a user's edited copy of the studio-chat flow
       * @default null
       */
      flow: string | null;
      /**
       * Intent Classifier
       * @description how IntentRouter decides (default: c.SageStudio.intent_classifier)
       * @default null
       */
      intent_classifier: ('keyword' | 'llm') | null;
    };
    /** SessionStats */
    SessionStats: {
      /** Session Id */
      session_id: string;
      /**
       * Title
       * @default null
       */
      title: string | null;
      /** Backend */
      backend: string;
      config: components['schemas']['MemoryConfig'];
      /** Dialogs */
      dialogs: number;
      /** Max Dialogs */
      max_dialogs: number;
      /** Usage Percent */
      usage_percent: number;
      /** Vector Count */
      vector_count: number;
      /** Index Size Bytes */
      index_size_bytes: number;
      /** Last Hits */
      last_hits: {
        [key: string]: unknown;
      }[];
      /** Token Budget */
      token_budget: {
        [key: string]: unknown;
      };
    };
    /** SessionSummary */
    SessionSummary: {
      /** Id */
      id: string;
      /** Title */
      title: string;
      settings: components['schemas']['SessionSettings'];
      /** Active Leaf Id */
      active_leaf_id: string | null;
      /** Created At */
      created_at: number;
      /** Updated At */
      updated_at: number;
      /** Message Count */
      message_count: number;
      /** User Message Count */
      user_message_count: number;
      /** Last Message */
      last_message: string | null;
      /**
       * Context Length
       * @default null
       */
      context_length: number | null;
      /**
       * Matches
       * @default null
       */
      matches:
        | {
            [key: string]: unknown;
          }[]
        | null;
    };
    /** Sessions */
    Sessions: {
      /** Sessions */
      sessions: components['schemas']['SessionSummary'][];
    };
    /**
     * Sources
     * @description Where turns can go: the local engine and the cloud endpoint (never a key or a full URL).
     */
    Sources: {
      /** Default */
      default: string;
      /** Local */
      local: {
        [key: string]: unknown;
      };
      /** Cloud */
      cloud: {
        [key: string]: unknown;
      };
    } & {
      [key: string]: unknown;
    };
    /** Stage */
    Stage: {
      /** Name */
      name: string;
      /**
       * State
       * @enum {string}
       */
      state: 'done' | 'current' | 'failed' | 'pending' | 'skipped';
    };
    /** Started */
    Started: {
      /** Run Id */
      run_id: string;
      /** Status */
      status: string;
      /**
       * Flow Id
       * @default null
       */
      flow_id: string | null;
    };
    /** Stats */
    Stats: {
      /** Sessions */
      sessions: components['schemas']['SessionStats'][];
    };
    /** Stopped */
    Stopped: {
      /** Stopped */
      stopped: string[];
    };
    /** Suggestion */
    Suggestion: {
      /** Text */
      text: string;
      /**
       * Changes
       * @description the TaskConfig fields to change
       */
      changes: {
        [key: string]: unknown;
      };
      /** Memory Bytes */
      memory_bytes: number;
    };
    /**
     * Task
     * @description A task as the fine-tune core describes it; `progress` and `eval` are its latest such events.
     */
    Task: {
      /** Id */
      id: string;
      /**
       * Name
       * @default null
       */
      name: string | null;
      /**
       * Status
       * @enum {string}
       */
      status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
      /**
       * Error
       * @default null
       */
      error: string | null;
      /**
       * Base Model
       * @default null
       */
      base_model: string | null;
      /**
       * Dataset Id
       * @default null
       */
      dataset_id: string | null;
      /**
       * Config
       * @default {}
       */
      config: {
        [key: string]: unknown;
      };
      /**
       * Progress
       * @default null
       */
      progress: {
        [key: string]: unknown;
      } | null;
      /**
       * Eval
       * @default null
       */
      eval: {
        [key: string]: unknown;
      } | null;
    } & {
      [key: string]: unknown;
    };
    /** TaskLogs */
    TaskLogs: {
      /** Task Id */
      task_id: string;
      /** Lines */
      lines: string[];
    };
    /** Tasks */
    Tasks: {
      /** Tasks */
      tasks: components['schemas']['Task'][];
    };
    /** Template */
    Template: {
      /** Id */
      id: string;
      /** Name */
      name: string;
      /** Description */
      description: string;
      /** Flow */
      flow: {
        [key: string]: unknown;
      };
    };
    /** Templates */
    Templates: {
      /** Templates */
      templates: components['schemas']['Template'][];
    };
    /** Throughput */
    Throughput: {
      /** Examples */
      examples: number;
      /** Seconds */
      seconds: number;
      /** Examples Per S */
      examples_per_s: number | null;
      /** Generation Seconds */
      generation_seconds: number;
      /** Answers */
      answers: number;
      /** Answers Per S */
      answers_per_s: number | null;
    } & {
      [key: string]: unknown;
    };
    /** TrustState */
    TrustState: {
      /** Trusted */
      trusted: boolean;
      /**
       * References
       * @description what in the flow only a trusted flow may use (an untrusted flow's run refuses them)
       */
      references: components['schemas']['Reference'][];
    };
    /** Validation */
    Validation: {
      /** Valid */
      valid: boolean;
      /** Issues */
      issues: components['schemas']['Issue'][];
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  'knowledge.list': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KnowledgeDocs'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'knowledge.add': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Name */
          name: string;
          /** Text */
          text: string;
        };
      };
    };
    responses: {
      /** @description OK */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KnowledgeDoc'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'knowledge.delete': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description No content */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'sessions.list': {
    parameters: {
      query?: {
        q?: string | null;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Sessions'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'sessions.create': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Title
           * @default null
           */
          title?: string | null;
          settings?: components['schemas']['SessionSettings'];
        };
      };
    };
    responses: {
      /** @description OK */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SessionSummary'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'sessions.cleanup': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Max Age Minutes
           * @description delete sessions idle for longer than this
           */
          max_age_minutes: number;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DeletedIds'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'sessions.import': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Format
           * @default json
           * @enum {string}
           */
          format?: 'json' | 'markdown';
          /**
           * Title
           * @default null
           */
          title?: string | null;
          settings?: components['schemas']['SessionSettings'];
          /** Messages */
          messages?: components['schemas']['ImportedMessage'][];
          /**
           * Active Leaf Id
           * @default null
           */
          active_leaf_id?: string | null;
          /**
           * Markdown
           * @default null
           */
          markdown?: string | null;
        };
      };
    };
    responses: {
      /** @description OK */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Session'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'sessions.search': {
    parameters: {
      query?: {
        q?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Sessions'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'sessions.get': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Session'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'sessions.delete': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description No content */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'sessions.update': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Title
           * @default null
           */
          title?: string | null;
          /** @default null */
          settings?: components['schemas']['SessionSettings'] | null;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SessionSummary'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'chat.budget': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Content
           * @description the message as typed so far
           * @default
           */
          content?: string;
          /** Context */
          context?: components['schemas']['Attachment'][];
          /**
           * Source
           * @default null
           */
          source?: ('local' | 'cloud' | 'auto') | null;
          /**
           * Model
           * @default null
           */
          model?: string | null;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BudgetPreview'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'sessions.clear': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SessionSummary'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'sessions.export': {
    parameters: {
      query?: {
        format?: 'json' | 'markdown';
      };
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SessionExport'] | string;
          'text/markdown': string;
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'chat.ideal_answer': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
        message_id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Content
           * @description the answer the model should have given
           */
          content: string;
          /**
           * Activate
           * @description also show the ideal answer's branch in the chat
           * @default false
           */
          activate?: boolean;
        };
      };
    };
    responses: {
      /** @description OK */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['IdealAnswer'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'chat.rate': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
        message_id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Rating
           * @description 👍 `up`, 👎 `down`, or null to clear the rating
           */
          rating: ('up' | 'down') | null;
          /**
           * Comment
           * @description why (kept with the rating)
           * @default null
           */
          comment?: string | null;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Message'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'sessions.switch': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Message Id
           * @description the message whose branch becomes the active one
           */
          message_id: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Session'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'chat.sources': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Sources'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'chat.stop': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Request Id
           * @default null
           */
          request_id?: string | null;
          /**
           * Session Id
           * @default null
           */
          session_id?: string | null;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Stopped'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'engine.adapters': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Adapters'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'engine.load_adapter': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Name */
          name: string;
          /**
           * Path
           * @description a PEFT adapter folder
           */
          path: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'engine.unload_adapter': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'engine.logs': {
    parameters: {
      query?: {
        lines?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EngineLogs'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'engine.models': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ModelCatalog'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'engine.restart': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Wait
           * @description answer once the engine is ready (else at once, status loading, adapters loaded later)
           * @default true
           */
          wait?: boolean;
          /**
           * Timeout
           * @default 180
           */
          timeout?: number;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EngineStatus'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'engine.start': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Model
           * @description catalog id or local folder; default: the configured default model
           * @default null
           */
          model?: string | null;
          /**
           * Backend
           * @default auto
           * @enum {string}
           */
          backend?: 'auto' | 'cpu' | 'vllm';
          /**
           * Port
           * @default null
           */
          port?: number | null;
          /**
           * Gpu Memory Utilization
           * @default 0.9
           */
          gpu_memory_utilization?: number;
          /**
           * Quantization
           * @default null
           */
          quantization?: string | null;
          /**
           * Wait
           * @description answer only once the engine is ready (else at once, status loading)
           * @default false
           */
          wait?: boolean;
          /**
           * Timeout
           * @default 180
           */
          timeout?: number;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EngineStatus'];
        };
      };
      /** @description OK */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EngineStatus'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'engine.status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EngineStatus'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'engine.stop': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Grace
           * @description seconds between SIGTERM and SIGKILL
           * @default 10
           */
          grace?: number;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EngineStatus'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.advice': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Name
           * @default null
           */
          name?: string | null;
          /**
           * Model
           * @default SmolLM2-135M-Instruct
           */
          model?: string;
          /**
           * Dataset Id
           * @description the dataset whose rows are counted (optional)
           * @default null
           */
          dataset_id?: string | null;
          /**
           * Method
           * @default lora
           * @constant
           */
          method?: 'lora';
          lora?: components['schemas']['LoraOptions'];
          /**
           * Epochs
           * @default 1
           */
          epochs?: number;
          /**
           * Max Steps
           * @description -1: run the epochs; otherwise stop after this many steps
           * @default -1
           */
          max_steps?: number;
          /**
           * Batch Size
           * @default 4
           */
          batch_size?: number;
          /**
           * Gradient Accumulation
           * @default 1
           */
          gradient_accumulation?: number;
          /**
           * Learning Rate
           * @default 0.0002
           */
          learning_rate?: number;
          /**
           * Scheduler
           * @default linear
           * @enum {string}
           */
          scheduler?: 'linear' | 'cosine' | 'constant' | 'constant_with_warmup';
          /**
           * Warmup Ratio
           * @default 0
           */
          warmup_ratio?: number;
          /**
           * Max Length
           * @default 512
           */
          max_length?: number;
          /**
           * Eval Ratio
           * @default 0.1
           */
          eval_ratio?: number;
          /**
           * Seed
           * @default 42
           */
          seed?: number;
          /**
           * Save Steps
           * @default 50
           */
          save_steps?: number;
          /**
           * Eval Steps
           * @default 50
           */
          eval_steps?: number;
          /**
           * Quantization
           * @default none
           * @enum {string}
           */
          quantization?: 'none' | '4bit' | '8bit';
          /**
           * Evaluate
           * @description score base vs adapter on the held-out split when training ends (evaluation.json); default: only when eval_ratio > 0
           * @default null
           */
          evaluate?: boolean | null;
          /**
           * Threads
           * @description CPU threads (default: torch's choice, or $SAGE_STUDIO_TRAIN_THREADS); 1 is far faster on a busy shared CPU
           * @default null
           */
          threads?: number | null;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Advice'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.create_task': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Name
           * @default null
           */
          name?: string | null;
          /**
           * Model
           * @default SmolLM2-135M-Instruct
           */
          model?: string;
          /** Dataset Id */
          dataset_id: string;
          /**
           * Method
           * @default lora
           * @constant
           */
          method?: 'lora';
          lora?: components['schemas']['LoraOptions'];
          /**
           * Epochs
           * @default 1
           */
          epochs?: number;
          /**
           * Max Steps
           * @description -1: run the epochs; otherwise stop after this many steps
           * @default -1
           */
          max_steps?: number;
          /**
           * Batch Size
           * @default 4
           */
          batch_size?: number;
          /**
           * Gradient Accumulation
           * @default 1
           */
          gradient_accumulation?: number;
          /**
           * Learning Rate
           * @default 0.0002
           */
          learning_rate?: number;
          /**
           * Scheduler
           * @default linear
           * @enum {string}
           */
          scheduler?: 'linear' | 'cosine' | 'constant' | 'constant_with_warmup';
          /**
           * Warmup Ratio
           * @default 0
           */
          warmup_ratio?: number;
          /**
           * Max Length
           * @default 512
           */
          max_length?: number;
          /**
           * Eval Ratio
           * @default 0.1
           */
          eval_ratio?: number;
          /**
           * Seed
           * @default 42
           */
          seed?: number;
          /**
           * Save Steps
           * @default 50
           */
          save_steps?: number;
          /**
           * Eval Steps
           * @default 50
           */
          eval_steps?: number;
          /**
           * Quantization
           * @default none
           * @enum {string}
           */
          quantization?: 'none' | '4bit' | '8bit';
          /**
           * Evaluate
           * @description score base vs adapter on the held-out split when training ends (evaluation.json); default: only when eval_ratio > 0
           * @default null
           */
          evaluate?: boolean | null;
          /**
           * Threads
           * @description CPU threads (default: torch's choice, or $SAGE_STUDIO_TRAIN_THREADS); 1 is far faster on a busy shared CPU
           * @default null
           */
          threads?: number | null;
        };
      };
    };
    responses: {
      /** @description OK */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Task'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.current_model': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.datasets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Datasets'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.dataset': {
    parameters: {
      query?: {
        model?: string | null;
        max_length?: number;
        rows?: number;
        eval_ratio?: number;
      };
      header?: never;
      path: {
        dataset_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DatasetDetail'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.delete_dataset': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        dataset_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DeletedId'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.models': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: {
              [key: string]: unknown;
            }[];
          };
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.prepare_docs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Folder
           * @description a folder of Markdown files (default: the project's docs/)
           * @default null
           */
          folder?: string | null;
          /**
           * Name
           * @default null
           */
          name?: string | null;
        };
      };
    };
    responses: {
      /** @description OK */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Dataset'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.sample_dataset': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Dataset'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.switch_model': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Model Path */
          model_path: string;
          /**
           * Restart
           * @description restart the engine on it when it serves another model (else 409)
           * @default false
           */
          restart?: boolean;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.tasks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Tasks'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.create': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Name
           * @default null
           */
          name?: string | null;
          /**
           * Model
           * @default SmolLM2-135M-Instruct
           */
          model?: string;
          /** Dataset Id */
          dataset_id: string;
          /**
           * Method
           * @default lora
           * @constant
           */
          method?: 'lora';
          lora?: components['schemas']['LoraOptions'];
          /**
           * Epochs
           * @default 1
           */
          epochs?: number;
          /**
           * Max Steps
           * @description -1: run the epochs; otherwise stop after this many steps
           * @default -1
           */
          max_steps?: number;
          /**
           * Batch Size
           * @default 4
           */
          batch_size?: number;
          /**
           * Gradient Accumulation
           * @default 1
           */
          gradient_accumulation?: number;
          /**
           * Learning Rate
           * @default 0.0002
           */
          learning_rate?: number;
          /**
           * Scheduler
           * @default linear
           * @enum {string}
           */
          scheduler?: 'linear' | 'cosine' | 'constant' | 'constant_with_warmup';
          /**
           * Warmup Ratio
           * @default 0
           */
          warmup_ratio?: number;
          /**
           * Max Length
           * @default 512
           */
          max_length?: number;
          /**
           * Eval Ratio
           * @default 0.1
           */
          eval_ratio?: number;
          /**
           * Seed
           * @default 42
           */
          seed?: number;
          /**
           * Save Steps
           * @default 50
           */
          save_steps?: number;
          /**
           * Eval Steps
           * @default 50
           */
          eval_steps?: number;
          /**
           * Quantization
           * @default none
           * @enum {string}
           */
          quantization?: 'none' | '4bit' | '8bit';
          /**
           * Evaluate
           * @description score base vs adapter on the held-out split when training ends (evaluation.json); default: only when eval_ratio > 0
           * @default null
           */
          evaluate?: boolean | null;
          /**
           * Threads
           * @description CPU threads (default: torch's choice, or $SAGE_STUDIO_TRAIN_THREADS); 1 is far faster on a busy shared CPU
           * @default null
           */
          threads?: number | null;
        };
      };
    };
    responses: {
      /** @description OK */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Task'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.get': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Task'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.delete': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DeletedId'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.cancel': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Task'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.export_task': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/zip': string;
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.logs': {
    parameters: {
      query?: {
        lines?: number;
      };
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TaskLogs'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.merge': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Task'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.progress': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Progress'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.resume': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Task'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'finetune.use_in_chat': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Merge And Restart
           * @description merge the adapter and restart the engine on it (adapters the engine cannot hot-load); default: hot-load without a restart
           * @default false
           */
          merge_and_restart?: boolean;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.export_python': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': unknown;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': string;
          'text/x-python': string;
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.list': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Flows'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.create': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': unknown;
      };
    };
    responses: {
      /** @description OK */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SavedFlow'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.import': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': unknown;
      };
    };
    responses: {
      /** @description OK */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SavedFlow'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.get': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        flow_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SavedFlow'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.save': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        flow_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': unknown;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SavedFlow'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.delete': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        flow_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description No content */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.export_saved_python': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        flow_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': string;
          'text/x-python': string;
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.start_saved': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        flow_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Inputs
           * @default null
           */
          inputs?:
            | {
                [key: string]: unknown;
              }
            | string
            | null;
          /**
           * Executor
           * @default local
           * @enum {string}
           */
          executor?: 'local' | 'ray';
          /**
           * Until
           * @description run to here: only this node and what it needs
           * @default null
           */
          until?: string | null;
          /**
           * Rerun
           * @description re-run this node on its upstream outputs of `from_run`
           * @default null
           */
          rerun?: string | null;
          /**
           * From Run
           * @description the earlier run `rerun` takes outputs from
           * @default null
           */
          from_run?: string | null;
        };
      };
    };
    responses: {
      /** @description OK */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Started'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.flow_runs': {
    parameters: {
      query?: {
        limit?: number;
      };
      header?: never;
      path: {
        flow_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Runs'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.trust_saved': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        flow_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SavedFlow'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.operators': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Operators'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.start': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Inputs
           * @default null
           */
          inputs?:
            | {
                [key: string]: unknown;
              }
            | string
            | null;
          /**
           * Executor
           * @default local
           * @enum {string}
           */
          executor?: 'local' | 'ray';
          /**
           * Until
           * @description run to here: only this node and what it needs
           * @default null
           */
          until?: string | null;
          /**
           * Rerun
           * @description re-run this node on its upstream outputs of `from_run`
           * @default null
           */
          rerun?: string | null;
          /**
           * From Run
           * @description the earlier run `rerun` takes outputs from
           * @default null
           */
          from_run?: string | null;
          /** Flow */
          flow: unknown;
        };
      };
    };
    responses: {
      /** @description OK */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Started'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.runs': {
    parameters: {
      query?: {
        flow_id?: string | null;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Runs'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.run_get': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        run_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Run'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.cancel': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        run_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description OK */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.node_io': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        run_id: string;
        node_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['NodeIO'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.templates': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Templates'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.trust': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': unknown;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TrustState'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.trust_status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': unknown;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TrustState'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'flow.validate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': unknown;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Validation'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  health: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Health'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'improve.pick': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        duel_id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Winner
           * @enum {string}
           */
          winner: 'a' | 'b' | 'tie';
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Duel'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'improve.compare': {
    parameters: {
      query: {
        task_ids: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Comparison'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'improve.datasets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Builds'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'improve.build_dataset': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Session Ids
           * @description only these chat sessions (default: all)
           * @default null
           */
          session_ids?: string[] | null;
          /**
           * Since
           * @description only answers written at or after this time (ISO 8601; without a zone: UTC)
           * @default null
           */
          since?: string | null;
          /**
           * Until
           * @description only answers written before this time
           * @default null
           */
          until?: string | null;
          /**
           * Models
           * @description only answers by these models or adapters (the `model` recorded with the answer)
           * @default null
           */
          models?: string[] | null;
          /**
           * Ratings
           * @description up: answers rated 👍; corrected: ideal answers; down: answers rated 👎, trained on their ideal answer (skipped without one)
           * @default [
           *       "up",
           *       "corrected"
           *     ]
           */
          ratings?: ('up' | 'down' | 'corrected')[];
          /**
           * Dedupe
           * @description keep one row of identical rows (same messages)
           * @default true
           */
          dedupe?: boolean;
          /**
           * Name
           * @description builds of a name are versioned
           * @default chat feedback
           */
          name?: string;
          /**
           * Eval Ratio
           * @description share of the rows held out in eval.jsonl
           * @default 0.1
           */
          eval_ratio?: number;
          /**
           * Seed
           * @description seed of the train/eval shuffle
           * @default 42
           */
          seed?: number;
        };
      };
    };
    responses: {
      /** @description OK */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Build'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'improve.preview_dataset': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Session Ids
           * @description only these chat sessions (default: all)
           * @default null
           */
          session_ids?: string[] | null;
          /**
           * Since
           * @description only answers written at or after this time (ISO 8601; without a zone: UTC)
           * @default null
           */
          since?: string | null;
          /**
           * Until
           * @description only answers written before this time
           * @default null
           */
          until?: string | null;
          /**
           * Models
           * @description only answers by these models or adapters (the `model` recorded with the answer)
           * @default null
           */
          models?: string[] | null;
          /**
           * Ratings
           * @description up: answers rated 👍; corrected: ideal answers; down: answers rated 👎, trained on their ideal answer (skipped without one)
           * @default [
           *       "up",
           *       "corrected"
           *     ]
           */
          ratings?: ('up' | 'down' | 'corrected')[];
          /**
           * Dedupe
           * @description keep one row of identical rows (same messages)
           * @default true
           */
          dedupe?: boolean;
          /**
           * Rows
           * @description rows rendered in the preview
           * @default 3
           */
          rows?: number;
          /**
           * Model
           * @description the model whose chat template and tokenizer are used (default: the bundled one)
           * @default null
           */
          model?: string | null;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DatasetPreview'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'improve.duels': {
    parameters: {
      query?: {
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Duels'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'improve.preference_export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Session Ids
           * @description only these chat sessions (default: all)
           * @default null
           */
          session_ids?: string[] | null;
          /**
           * Since
           * @description only answers written at or after this time (ISO 8601; without a zone: UTC)
           * @default null
           */
          since?: string | null;
          /**
           * Until
           * @description only answers written before this time
           * @default null
           */
          until?: string | null;
          /**
           * Models
           * @description only answers by these models or adapters (the `model` recorded with the answer)
           * @default null
           */
          models?: string[] | null;
          /**
           * Name
           * @description name of the saved, versioned file
           * @default null
           */
          name?: string | null;
          /**
           * Save
           * @description also store the rows as the next version of `name`
           * @default false
           */
          save?: boolean;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PreferenceExport'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'improve.evaluate': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /**
           * Max Examples
           * @description held-out rows scored (the first ones of the split)
           * @default 32
           */
          max_examples?: number;
          /**
           * Max New Tokens
           * @description length of each greedy answer
           * @default 64
           */
          max_new_tokens?: number;
        };
      };
    };
    responses: {
      /** @description OK */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EvaluationState'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'improve.evaluation': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Evaluation'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'improve.cancel_evaluation': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': Record<string, never>;
      };
    };
    responses: {
      /** @description OK */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EvaluationState'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'improve.evaluation_state': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EvaluationState'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'memory.config': {
    parameters: {
      query?: {
        session_id?: string | null;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ConfigView'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'memory.set_config': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Backend
           * @default null
           */
          backend?: ('short_term' | 'vector' | 'kv') | null;
          /**
           * Window
           * @default null
           */
          window?: number | null;
          /**
           * Top K
           * @default null
           */
          top_k?: number | null;
          /**
           * Min Score
           * @default null
           */
          min_score?: number | null;
          /** Session Id */
          session_id: string;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SessionConfig'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'memory.cleanup': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Max Age Minutes
           * @description delete chat sessions idle for longer than this
           */
          max_age_minutes: number;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Deleted'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'memory.list': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Memories'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'memory.clear': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Deleted'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'memory.delete': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
        memory_id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Deleted'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'memory.stats': {
    parameters: {
      query?: {
        session_id?: string | null;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Stats'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  status: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Overview'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'gpu.info': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['GpuInfo'];
        };
      };
      /** @description invalid arguments */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not allowed (e.g. an untrusted flow's Python reference) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description conflict */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
      /** @description unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  'chat.send': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description each event */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': components['schemas']['ChatEvent'];
        };
      };
    };
  };
  'chat.regenerate': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description each event */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': components['schemas']['ChatEvent'];
        };
      };
    };
  };
  'chat.continue': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description each event */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': components['schemas']['ChatEvent'];
        };
      };
    };
  };
  'chat.edit': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        session_id: string;
        message_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description each event */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': components['schemas']['ChatEvent'];
        };
      };
    };
  };
  'improve.arena': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['ArenaArgs'];
      };
    };
    responses: {
      /** @description each event */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': components['schemas']['ArenaEvent'];
        };
      };
    };
  };
  'openai.chat_completions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description each event */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': components['schemas']['ChatEvent'];
        };
      };
    };
  };
  'gpu.watch': {
    parameters: {
      query?: {
        interval?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description each event */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
    };
  };
  'flow.events': {
    parameters: {
      query?: never;
      header?: never;
      path: {
        run_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description each event */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
    };
  };
  'finetune.watch': {
    parameters: {
      query?: {
        logs?: boolean;
      };
      header?: never;
      path: {
        task_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description each event */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
    };
  };
  'finetune.events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description each event */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
    };
  };
}
