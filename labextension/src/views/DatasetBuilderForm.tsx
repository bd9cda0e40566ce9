/**
 * The dataset builder's filters in plain words (DatasetBuilder.tsx): which chats, which days, which answers,
 * which model answered, and how the dataset is made (eval share, deduplication, seed, name). The state is a
 * `BuilderForm`; datasetBuilderModel.ts maps it to the operations' arguments.
 */
import React from 'react';

import { BuilderForm, Rating, RATING_CHOICES } from './datasetBuilderModel';

interface Choice {
  value: string;
  label: string;
}

/** "All" or a subset: `picked` null means all (also those that appear later). */
function ChoiceList({
  label,
  allLabel,
  help,
  choices,
  picked,
  onChange
}: {
  label: string;
  allLabel: string;
  help: string;
  choices: Choice[];
  picked: string[] | null;
  onChange: (picked: string[] | null) => void;
}) {
  return (
    <fieldset className="sage-field sage-builder-choices" aria-label={label}>
      <legend>{label}</legend>
      <label className="sage-field sage-check">
        <input
          type="checkbox"
          aria-label={allLabel}
          checked={picked === null}
          // Unticking "all" starts from every listed choice, to untick the unwanted ones.
          onChange={e => onChange(e.target.checked ? null : choices.map(c => c.value))}
        />
        {allLabel}
      </label>
      {picked !== null ? (
        <div className="sage-builder-choice-list">
          {choices.map(c => (
            <label key={c.value} className="sage-field sage-check">
              <input
                type="checkbox"
                checked={picked.includes(c.value)}
                onChange={e =>
                  onChange(
                    e.target.checked ? [...picked, c.value] : picked.filter(v => v !== c.value)
                  )
                }
              />
              {c.label}
            </label>
          ))}
          {choices.length ? null : <span className="sage-muted">none listed</span>}
        </div>
      ) : null}
      <span className="sage-muted sage-help">{help}</span>
    </fieldset>
  );
}

export function DatasetBuilderForm({
  form,
  onChange,
  sessions,
  models,
  templateModels
}: {
  form: BuilderForm;
  onChange: (form: BuilderForm) => void;
  sessions: { id: string; title: string; message_count?: number }[];
  models: string[]; // what may have answered: the served models and those seen in a preview
  templateModels: string[]; // base models whose chat template can render the preview
}) {
  const set = (changes: Partial<BuilderForm>) => onChange({ ...form, ...changes });
  const toggleRating = (value: Rating, on: boolean) =>
    set({
      ratings: on
        ? RATING_CHOICES.map(c => c.value).filter(v => v === value || form.ratings.includes(v))
        : form.ratings.filter(r => r !== value)
    });
  return (
    <div className="sage-form sage-builder-form">
      <ChoiceList
        label="Which chats"
        allLabel="All chats"
        help="rows come from rated answers of these chats"
        choices={sessions.map(s => ({
          value: s.id,
          label: `${s.title || s.id}${s.message_count !== undefined ? ` (${s.message_count} messages)` : ''}`
        }))}
        picked={form.sessions}
        onChange={sessions => set({ sessions })}
      />
      <fieldset className="sage-field sage-builder-choices" aria-label="Which answers">
        <legend>Which answers</legend>
        {RATING_CHOICES.map(c => (
          <label key={c.value} className="sage-field sage-check" title={c.help}>
            <input
              type="checkbox"
              aria-label={c.label}
              checked={form.ratings.includes(c.value)}
              onChange={e => toggleRating(c.value, e.target.checked)}
            />
            {c.label}
            <span className="sage-muted sage-help">— {c.help}</span>
          </label>
        ))}
      </fieldset>
      <ChoiceList
        label="Answered by"
        allLabel="Any model"
        help="only answers written by these models or adapters"
        choices={models.map(m => ({ value: m, label: m }))}
        picked={form.models}
        onChange={models => set({ models })}
      />
      <fieldset className="sage-field sage-builder-choices" aria-label="When">
        <legend>When</legend>
        <div className="sage-row">
          <label className="sage-field" title="answers written on or after this day">
            from
            <input
              type="date"
              className="sage-input"
              aria-label="from day"
              value={form.from}
              onChange={e => set({ from: e.target.value })}
            />
          </label>
          <label className="sage-field" title="answers written up to the end of this day">
            to
            <input
              type="date"
              className="sage-input"
              aria-label="to day"
              value={form.to}
              onChange={e => set({ to: e.target.value })}
            />
          </label>
        </div>
        <span className="sage-muted sage-help">empty: from the first chat, up to now</span>
      </fieldset>
      <div className="sage-form sage-wide">
        <label
          className="sage-field"
          title="rows held out in eval.jsonl to measure the fine-tuned model"
        >
          eval share (%)
          <input
            type="number"
            className="sage-input"
            aria-label="eval share"
            min={0}
            max={90}
            step={5}
            value={form.evalPercent}
            onChange={e => set({ evalPercent: Number(e.target.value) })}
          />
        </label>
        <label
          className="sage-field"
          title="the train/eval shuffle: the same seed gives the same split"
        >
          seed
          <input
            type="number"
            className="sage-input"
            aria-label="seed"
            step={1}
            value={form.seed}
            onChange={e => set({ seed: Math.trunc(Number(e.target.value)) })}
          />
        </label>
        <label className="sage-field" title="builds of one name are versioned: v1, v2, …">
          dataset name
          <input
            className="sage-input"
            aria-label="dataset name"
            value={form.name}
            onChange={e => set({ name: e.target.value })}
          />
        </label>
        <label
          className="sage-field"
          title="the preview renders rows with this model's chat template and counts its tokens"
        >
          preview with the chat template of
          <select
            className="sage-input"
            aria-label="chat template"
            value={form.templateModel}
            onChange={e => set({ templateModel: e.target.value })}
          >
            <option value="">the bundled model</option>
            {templateModels.map(m => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label
          className="sage-field sage-check"
          title="identical rows (same messages) appear once: a question answered the same in two chats"
        >
          <input
            type="checkbox"
            aria-label="drop duplicates"
            checked={form.dedupe}
            onChange={e => set({ dedupe: e.target.checked })}
          />
          drop duplicate rows
        </label>
      </div>
    </div>
  );
}
