/**
 * The create form's dataset picker: the stored datasets (a select), an upload (JSONL, per-line errors), the SAGE
 * docs sample (`finetune.sample_dataset`: built once, then selected), and *Validate*, which checks the picked
 * dataset against the chosen model and max length (`finetune.dataset`) and says so when it is ready.
 */
import React, { useEffect, useState } from 'react';

import { Result, TransportError } from '../transport/types';
import { ActionButton, ErrorBox, useCall, useTransport } from './common';
import { datasetOk, validationLine } from './finetuneLog';

type Dataset = Record<string, any> & { id: string; name: string; rows: number; format?: string };

function UploadErrors({ error }: { error: unknown }) {
  if (!(error instanceof TransportError)) {
    return <ErrorBox error={error} />;
  }
  const lines: any[] = (error.details?.errors as any[]) ?? [];
  return (
    <div className="sage-error" role="alert">
      {error.message}
      {lines.length ? (
        <ul className="sage-line-errors">
          {lines.slice(0, 50).map((e, i) => (
            <li key={i}>
              {e.line !== undefined ? <b>line {e.line}: </b> : null}
              {e.message ?? e.msg ?? JSON.stringify(e)}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function DatasetPicker({
  dataset,
  onDataset,
  model,
  maxLength,
  evalRatio
}: {
  dataset: Dataset | null;
  onDataset: (d: Dataset | null) => void;
  model: string;
  maxLength: number;
  evalRatio: number;
}) {
  const transport = useTransport();
  const list = useCall<Result<'finetune.datasets'>>('finetune.datasets');
  const datasets: Dataset[] = (list.data?.datasets as Dataset[] | undefined) ?? [];
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [validated, setValidated] = useState<string>('');
  const [validating, setValidating] = useState(false);
  // A validation speaks of one dataset, model and length: any change makes it stale. Shown, it replaces the
  // shorter "✓ N rows" line of the pick.
  useEffect(() => setValidated(''), [dataset?.id, model, maxLength, evalRatio]);
  const picked = async (d: Dataset) => {
    onDataset(d);
    await list.reload(); // the new dataset shows in the list
  };
  const upload = async (file: File) => {
    setUploadError(null);
    onDataset(null);
    try {
      const content = await file.text();
      await picked(await transport.call<Dataset>('finetune.upload', { name: file.name, content }));
    } catch (err) {
      setUploadError(err);
    }
  };
  const validate = async () => {
    setValidating(true);
    setValidated('');
    setError(null);
    try {
      const detail = await transport.call<Result<'finetune.dataset'>>('finetune.dataset', {
        dataset_id: dataset!.id,
        ...(model ? { model } : {}),
        max_length: maxLength,
        eval_ratio: evalRatio,
        rows: 3
      });
      setValidated(validationLine(detail));
    } finally {
      setValidating(false);
    }
  };
  const preview: any[] = dataset?.preview ?? [];
  return (
    <div className="sage-dataset-picker sage-wide">
      <label className="sage-field">
        dataset
        <select
          className="sage-input"
          aria-label="dataset"
          value={dataset?.id ?? ''}
          // Datasets made elsewhere (the other panel, a notebook, the CLI) show when the list is opened.
          onFocus={() => void list.reload()}
          onChange={e => onDataset(datasets.find(d => d.id === e.target.value) ?? null)}
        >
          <option value="">{datasets.length ? '— pick a dataset —' : '— no datasets yet —'}</option>
          {datasets.map(d => (
            <option key={d.id} value={d.id}>
              {d.name} ({d.rows} rows)
            </option>
          ))}
        </select>
      </label>
      <label className="sage-field">
        or upload one (JSONL: alpaca, sharegpt or OpenAI messages)
        <input
          type="file"
          aria-label="dataset file"
          accept=".jsonl,.json"
          onChange={e => e.target.files?.[0] && void upload(e.target.files[0])}
        />
      </label>
      <div className="sage-row">
        <ActionButton
          label="Use the SAGE docs sample"
          title="Questions and answers made from the sections of the SAGE documentation (built once, then reused)"
          onError={setError}
          action={async () => {
            setUploadError(null);
            await picked(await transport.call<Dataset>('finetune.sample_dataset'));
          }}
        />
        <button
          className="sage-button"
          disabled={!dataset || validating}
          title="Check the dataset with the chosen model's tokenizer and max length"
          onClick={() => void validate().catch(setError)}
        >
          {validating ? 'Validating…' : 'Validate'}
        </button>
      </div>
      {uploadError ? <UploadErrors error={uploadError} /> : null}
      <ErrorBox error={error ?? list.error} />
      {validating ? (
        <div className="sage-muted" role="status">
          Counting tokens with the model&apos;s tokenizer…
        </div>
      ) : null}
      {validated ? (
        <div className="sage-validated" role="status">
          {validated}
        </div>
      ) : null}
      {dataset && !validated ? (
        <div className="sage-dataset-ok" role="status">
          {dataset.name}: {datasetOk(dataset)}
          {preview.length ? (
            <pre className="sage-preview">
              {preview
                .slice(0, 3)
                .map(r => JSON.stringify(r))
                .join('\n')}
            </pre>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
