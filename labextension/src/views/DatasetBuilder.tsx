/**
 * "From rated chats" (issue #20): rated and corrected chat answers → a versioned fine-tune dataset. Filters
 * (DatasetBuilderForm.tsx) → *Preview* (`improve.preview_dataset`: counts, rows rendered with the chat template
 * and their tokens) → *Build* (`improve.build_dataset`: "name v2") → *Fine-tune on it* (the create form with the
 * dataset picked); preference pairs (`improve.preference_export`) as a JSONL download; the built versions
 * (`improve.datasets`). The arguments are mapped in datasetBuilderModel.ts.
 */
import React, { useMemo, useState } from 'react';

import { Result } from '../transport/types';
import { ActionButton, ErrorBox, saveText, useCall, useTransport } from './common';
import { BuildList, PreviewResult, sourcesText } from './DatasetBuildList';
import { DatasetBuilderForm } from './DatasetBuilderForm';
import {
  Build,
  buildArgs,
  buildLabel,
  countsText,
  DEFAULT_FORM,
  plural,
  formProblem,
  Preview,
  preferenceArgs,
  preferenceJsonl,
  previewArgs
} from './datasetBuilderModel';

export type FinetuneDataset = Result<'finetune.datasets'>['datasets'][number];

export function DatasetBuilder({
  onFinetune
}: {
  /** Open the create form with this dataset picked. */
  onFinetune: (dataset: FinetuneDataset) => void;
}) {
  const transport = useTransport();
  const sessions = useCall<Result<'sessions.list'>>('sessions.list');
  // What may have answered: the served models (an error, e.g. no engine, just lists none).
  const served = useCall<{ data?: { id: string }[] }>('chat.models');
  const catalog = useCall<Result<'finetune.models'>>('finetune.models');
  const builds = useCall<Result<'improve.datasets'>>('improve.datasets');
  const [form, setForm] = useState(DEFAULT_FORM);
  const [preview, setPreview] = useState<{ result: Preview; args: string } | null>(null);
  const [built, setBuilt] = useState<Build | null>(null);
  const [pairs, setPairs] = useState('');
  const [savePairs, setSavePairs] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const sessionList = sessions.data?.sessions ?? [];
  const titles = useMemo(
    () => new Map(sessionList.map(s => [s.id, s.title || s.id])),
    [sessions.data]
  );
  const models = useMemo(() => {
    const names = new Set((served.data?.data ?? []).map(m => m.id));
    for (const r of preview?.result.rows ?? []) {
      if (r.model) {
        names.add(r.model); // an answer's model the engine no longer serves
      }
    }
    return [...names].sort();
  }, [served.data, preview]);
  const templateModels = ((catalog.data?.models ?? []) as { name: string; type?: string }[])
    .filter(m => m.type !== 'finetuned')
    .map(m => m.name);
  const problem = formProblem(form);
  const args = previewArgs(form);

  const finetuneOn = async (datasetId: string | null) => {
    const list = await transport.call<Result<'finetune.datasets'>>('finetune.datasets');
    const dataset = list.datasets.find(d => d.id === datasetId);
    if (!dataset) {
      throw new Error('That dataset was deleted: build it again.');
    }
    onFinetune(dataset);
  };

  return (
    <div className="sage-dataset-builder">
      <h4 className="sage-h">Dataset from rated chats</h4>
      <p className="sage-muted sage-help">
        Rows are the conversations of the answers you rated or corrected in chat, ending with the
        good answer: an answer rated good as it is, or the ideal answer you wrote for one rated bad.
        The dataset uses the OpenAI &quot;messages&quot; format, split into train and eval rows.
      </p>
      <DatasetBuilderForm
        form={form}
        onChange={setForm}
        sessions={sessionList}
        models={models}
        templateModels={templateModels}
      />
      {problem ? (
        <div className="sage-field-error" role="alert">
          {problem}
        </div>
      ) : null}
      <div className="sage-row">
        <ActionButton
          label="Preview"
          disabled={!!problem}
          title="What a build would store, writing nothing"
          onError={setError}
          action={async () => {
            const result = await transport.call<Preview>('improve.preview_dataset', args);
            setPreview({ result, args: JSON.stringify(args) });
            void sessions.reload(); // titles of chats made since the builder opened
          }}
        />
        <ActionButton
          label="Build dataset"
          className="sage-button sage-primary"
          disabled={!!problem}
          title="Store the next version of this dataset name"
          onError={setError}
          action={async () => {
            setBuilt(await transport.call<Build>('improve.build_dataset', buildArgs(form)));
            await builds.reload();
          }}
        />
        <ActionButton
          label="Download preference pairs"
          disabled={!!problem}
          title="prompt / chosen (your ideal answer) / rejected (the answer it corrected), the JSONL TRL's DPO trainer reads; with all chats also the arena picks. Ratings and deduplication do not apply."
          onError={setError}
          action={async () => {
            const out = await transport.call<Result<'improve.preference_export'>>(
              'improve.preference_export',
              preferenceArgs(form, savePairs)
            );
            if (!out.count) {
              setPairs(
                'No preference pairs: write the ideal answer of an answer in chat (mark it bad, then "ideal answer"), or pick a winner in the arena.'
              );
              return;
            }
            saveText(
              `${form.name.trim() || 'chat'}-preferences.jsonl`,
              preferenceJsonl(out.rows),
              'application/jsonl'
            );
            const saved = out.build ? `; saved as ${buildLabel(out.build)}` : '';
            setPairs(
              `Downloaded ${plural(out.count, 'preference pair')} from ${sourcesText(out.sessions, titles)}${saved}.`
            );
            if (out.build) {
              await builds.reload();
            }
          }}
        />
        <label
          className="sage-field sage-check"
          title="also keep the pairs as the next version of '<name> preferences'"
        >
          <input
            type="checkbox"
            aria-label="save the pairs"
            checked={savePairs}
            onChange={e => setSavePairs(e.target.checked)}
          />
          also save the pairs as a version
        </label>
      </div>
      <ErrorBox error={error ?? sessions.error ?? builds.error} />
      {pairs ? (
        <div className="sage-builder-pairs" role="status">
          {pairs}
        </div>
      ) : null}
      {built ? (
        <div className="sage-builder-built" role="status" data-dataset-id={built.dataset_id ?? ''}>
          <span>
            Built <b>{buildLabel(built)}</b>: {countsText(built)}; from{' '}
            {sourcesText(built.sessions, titles)}.
          </span>
          <ActionButton
            label="Fine-tune on it"
            className="sage-button sage-primary"
            onError={setError}
            action={() => finetuneOn(built.dataset_id)}
          />
        </div>
      ) : null}
      {preview ? (
        <PreviewResult
          preview={preview.result}
          evalRatio={form.evalPercent / 100}
          titles={titles}
          stale={preview.args !== JSON.stringify(args)}
        />
      ) : null}
      <h4 className="sage-h">Built datasets</h4>
      <BuildList
        builds={builds.data?.builds ?? []}
        titles={titles}
        onFinetune={b => void finetuneOn(b.dataset_id).catch(setError)}
      />
    </div>
  );
}
