/**
 * The fine-tune create form: model, dataset (FinetuneDataset.tsx: pick, upload, SAGE docs sample, validate),
 * hyperparameters, a collapsed *Advanced settings* section, the step count, and live resource advice
 * (FinetuneAdvice.tsx) as the settings change.
 */
import React, { useEffect, useState } from 'react';

import { Args, Result } from '../transport/types';
import { ActionButton, ErrorBox, useCall, useTransport } from './common';
import { AdviceBox } from './FinetuneAdvice';
import { DatasetPicker } from './FinetuneDataset';
import { planText, plannedSteps } from './finetuneLog';

/** The advanced TaskConfig fields with the core's defaults (finetune/config.py); only changed ones are sent. */
const ADVANCED_DEFAULTS = {
  gradient_accumulation: 1,
  max_length: 512,
  scheduler: 'linear',
  warmup_ratio: 0,
  eval_ratio: 0.1,
  quantization: 'none'
};
type AdvancedSettings = typeof ADVANCED_DEFAULTS;

export function CreateTask({
  onCreated,
  initialDataset
}: {
  onCreated: (id: string) => void;
  /** Picked when the form opens (the dataset builder's "Fine-tune on it"). */
  initialDataset?: any;
}) {
  const transport = useTransport();
  const models = useCall<any>('finetune.models');
  const [name, setName] = useState('my-adapter');
  const [baseModel, setBaseModel] = useState('');
  const [dataset, setDataset] = useState<any>(initialDataset ?? null);
  const [error, setError] = useState<unknown>(null);
  const [dora, setDora] = useState(false);
  const [p, setP] = useState({
    epochs: 1,
    batch_size: 4,
    learning_rate: 0.0002,
    lora_r: 8,
    lora_alpha: 16,
    max_steps: 0
  });
  // Advanced settings (TaskConfig fields; the defaults are the core's).
  const [adv, setAdv] = useState<AdvancedSettings>(ADVANCED_DEFAULTS);
  const baseModels: any[] = (models.data?.models ?? []).filter((m: any) => m.type !== 'finetuned');
  useEffect(() => {
    if (!baseModel && baseModels.length) {
      setBaseModel(baseModels[0].name);
    }
  }, [models.data]);
  /** One flat TaskConfig (finetune.create), less the dataset; unset fields keep the core's defaults. */
  const taskConfig = (): Args => {
    const config: Args = {
      name,
      model: baseModel,
      epochs: p.epochs,
      batch_size: p.batch_size,
      learning_rate: p.learning_rate,
      lora: { rank: p.lora_r, alpha: p.lora_alpha, ...(dora ? { use_dora: true } : {}) }
    };
    if (p.max_steps > 0) {
      config.max_steps = p.max_steps;
    }
    for (const [key, value] of Object.entries(adv)) {
      if (value !== ADVANCED_DEFAULTS[key as keyof AdvancedSettings]) {
        config[key] = value;
      }
    }
    return config;
  };
  const adviceConfig: Args = { ...taskConfig(), ...(dataset ? { dataset_id: dataset.id } : {}) };
  delete adviceConfig.name; // the name changes no advice: typing it asks nothing
  const applySuggestion = (changes: Record<string, any>) => {
    const { batch_size, ...advanced } = changes;
    if (batch_size !== undefined) {
      setP({ ...p, batch_size });
    }
    setAdv({ ...adv, ...advanced });
  };
  const num = (key: keyof typeof p, step: number, label?: string) => (
    <label className="sage-field">
      {label ?? key.replace('_', ' ')}
      <input
        type="number"
        className="sage-input"
        step={step}
        min={0}
        aria-label={label ?? key}
        value={p[key]}
        onChange={e => setP({ ...p, [key]: Number(e.target.value) })}
      />
    </label>
  );
  const advNum = (
    key: 'gradient_accumulation' | 'max_length' | 'warmup_ratio' | 'eval_ratio',
    label: string,
    step: number,
    help: string,
    max?: number
  ) => (
    <label className="sage-field" title={help}>
      {label}
      <input
        type="number"
        className="sage-input"
        step={step}
        min={0}
        max={max}
        aria-label={label}
        value={adv[key]}
        onChange={e => setAdv({ ...adv, [key]: Number(e.target.value) })}
      />
      <span className="sage-muted sage-help">{help}</span>
    </label>
  );
  const advChoice = (
    key: 'scheduler' | 'quantization',
    label: string,
    options: string[],
    help: string
  ) => (
    <label className="sage-field" title={help}>
      {label}
      <select
        className="sage-input"
        aria-label={label}
        value={adv[key]}
        onChange={e => setAdv({ ...adv, [key]: e.target.value })}
      >
        {options.map(o => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <span className="sage-muted sage-help">{help}</span>
    </label>
  );
  return (
    <div className="sage-form sage-finetune-create">
      <label className="sage-field">
        name
        <input
          className="sage-input"
          aria-label="task name"
          value={name}
          onChange={e => setName(e.target.value)}
        />
      </label>
      <label className="sage-field">
        base model
        <select
          className="sage-input"
          aria-label="base model"
          value={baseModel}
          onChange={e => setBaseModel(e.target.value)}
        >
          {baseModels.map(m => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <DatasetPicker
        dataset={dataset}
        onDataset={setDataset}
        model={baseModel}
        maxLength={adv.max_length}
        evalRatio={adv.eval_ratio}
      />
      {num('epochs', 1)}
      {num('batch_size', 1, 'batch size')}
      {num('learning_rate', 0.00005, 'learning rate')}
      {num('lora_r', 1, 'LoRA rank')}
      {num('lora_alpha', 1, 'LoRA alpha')}
      {num('max_steps', 1, 'max steps (0 = all)')}
      <label
        className="sage-field sage-check"
        title="Weight-decomposed LoRA: often better quality; an engine cannot hot-load it, so using it in chat merges it and restarts the engine"
      >
        <input type="checkbox" checked={dora} onChange={e => setDora(e.target.checked)} />
        DoRA
      </label>
      <details className="sage-advanced sage-wide">
        <summary>Advanced settings</summary>
        <div className="sage-form">
          {advNum(
            'gradient_accumulation',
            'gradient accumulation',
            1,
            'batches summed per optimizer step (steps): a larger effective batch without more memory'
          )}
          {advNum(
            'max_length',
            'max length',
            64,
            'tokens per example kept in training; longer examples are cut (memory grows with it)'
          )}
          {advChoice(
            'scheduler',
            'LR scheduler',
            ['linear', 'cosine', 'constant', 'constant_with_warmup'],
            'how the learning rate changes over the run'
          )}
          {advNum(
            'warmup_ratio',
            'warmup',
            0.01,
            'share of the steps (0–1) over which the learning rate ramps up from 0',
            0.99
          )}
          {advNum(
            'eval_ratio',
            'eval split',
            0.05,
            'share of the rows (0–1) held out to measure eval loss; 0 = no evaluation',
            0.99
          )}
          {advChoice(
            'quantization',
            'quantization',
            ['none', '4bit', '8bit'],
            'load the base model in 4/8 bits (QLoRA): less memory; needs a CUDA GPU and bitsandbytes'
          )}
        </div>
      </details>
      <div className="sage-muted sage-wide sage-plan">
        {planText(
          plannedSteps({
            rows: dataset?.rows ?? 0,
            eval_ratio: adv.eval_ratio,
            batch_size: p.batch_size,
            gradient_accumulation: adv.gradient_accumulation,
            epochs: p.epochs,
            max_steps: p.max_steps
          })
        )}
      </div>
      <AdviceBox config={baseModel ? adviceConfig : null} onApply={applySuggestion} />
      <ActionButton
        label="Start fine-tune"
        className="sage-button sage-primary"
        disabled={!dataset || !baseModel}
        onError={setError}
        action={async () => {
          const task = await transport.call<Result<'finetune.create'>>('finetune.create', {
            ...taskConfig(),
            dataset_id: dataset!.id
          });
          onCreated(task.id);
        }}
      />
      <ErrorBox error={error ?? models.error} />
    </div>
  );
}
