/**
 * The side-by-side arena (issue #20, step 4): one prompt answered by two models at once (`improve.arena`: both
 * requests run in the same engine steps), streamed in two columns; in blind mode the columns are "A" and "B"
 * until the pick (the server decides which model plays A). The pick (`improve.pick`) is recorded for the
 * preference export and reveals the models; a winning fine-tuned adapter can then be shipped (ArenaShip.tsx).
 */
import React, { useEffect, useRef, useState } from 'react';

import { StreamHandle, StudioEvent } from '../transport/types';
import { ArenaShip } from './ArenaShip';
import { ActionButton, ErrorBox, fmtNum, useCall, useTransport } from './common';
import { useStudioSettings } from './settings';

type Side = 'a' | 'b';
type Winner = Side | 'tie';
const SIDES: Side[] = ['a', 'b'];

interface ModelEntry {
  id: string;
  parent?: string | null;
  x_sage_source?: string;
}

export interface SideResult {
  text: string;
  model: string | null;
  tokens: number;
  ttft_s: number | null;
  tok_s: number | null;
}

export interface DuelResult {
  id: string | null;
  blind: boolean;
  cancelled?: boolean;
  a: SideResult;
  b: SideResult;
  elapsed_s?: number;
}

export interface PickResult {
  id: string;
  winner: Winner;
  model_a: string | null;
  model_b: string | null;
}

const WINNER_LABELS: Record<Winner, string> = { a: 'A is better', b: 'B is better', tie: 'Tie' };

/** The column's heading: "A"/"B" while blind and not yet picked, else the model that answered. */
export function columnTitle(side: Side, duel: DuelResult | null, pick: PickResult | null): string {
  const letter = side.toUpperCase();
  const model = pick ? pick[`model_${side}`] : duel && !duel.blind ? duel[side].model : null;
  return model ? `${letter}: ${model}` : letter;
}

function sideStats(r: SideResult | undefined): string {
  if (!r) {
    return '';
  }
  const parts = [`${r.tokens} tokens`];
  if (r.ttft_s !== null && r.ttft_s !== undefined) {
    parts.push(`first token ${fmtNum(r.ttft_s, 2)} s`);
  }
  if (r.tok_s !== null && r.tok_s !== undefined) {
    parts.push(`${fmtNum(r.tok_s, 3)} tok/s`);
  }
  return parts.join(' · ');
}

export function ArenaView({
  maxTokens = 128,
  initialA = '',
  initialB = ''
}: {
  maxTokens?: number;
  /** The pickers' first choice (the notebook widget's `model_a` / `model_b`); else the first and last served. */
  initialA?: string;
  initialB?: string;
}) {
  const transport = useTransport();
  const catalog = useCall<{ data: ModelEntry[] }>('chat.models');
  const models = (catalog.data?.data ?? []).filter(m => (m.x_sage_source ?? 'local') === 'local');
  const [modelA, setModelA] = useState('');
  const [modelB, setModelB] = useState('');
  const [prompt, setPrompt] = useState('');
  const [blind, setBlind] = useState(false);
  // Both answer as a new chat would: the user's default temperature (the engine's own default, 1.0 as in vLLM,
  // makes a small model ramble); 0 compares greedy answers.
  const [temperature, setTemperature] = useState(useStudioSettings().defaultTemperature);
  const [texts, setTexts] = useState<Record<Side, string>>({ a: '', b: '' });
  const [duel, setDuel] = useState<DuelResult | null>(null);
  const [pick, setPick] = useState<PickResult | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const handle = useRef<StreamHandle | null>(null);

  // The pickers start on the given models, else the first and the last served (pick an adapter for one side).
  useEffect(() => {
    if (models.length && !modelA) {
      const served = (id: string) => models.some(m => m.id === id);
      setModelA(served(initialA) ? initialA : models[0].id);
      setModelB(served(initialB) ? initialB : models[models.length - 1].id);
    }
  }, [models.length]);
  useEffect(() => () => handle.current?.cancel(), []);

  const compare = async () => {
    setTexts({ a: '', b: '' });
    setDuel(null);
    setPick(null);
    setError(null);
    setRunning(true);
    const onEvent = (e: StudioEvent) => {
      if (e.type === 'token' && (e.side === 'a' || e.side === 'b')) {
        const side = e.side as Side;
        setTexts(t => ({ ...t, [side]: t[side] + String(e.text ?? '') }));
      } else if (e.type === 'done' && e.a && e.b) {
        setDuel(e as unknown as DuelResult);
      }
    };
    const h = transport.stream(
      'improve.arena',
      {
        prompt,
        model_a: modelA,
        model_b: modelB,
        blind,
        source: 'local',
        max_tokens: maxTokens,
        temperature
      },
      onEvent
    );
    handle.current = h;
    try {
      await h.done;
    } catch (err) {
      setError(err);
    } finally {
      handle.current = null;
      setRunning(false);
    }
  };

  const choose = async (winner: Winner) => {
    if (!duel?.id) {
      return;
    }
    setPick(await transport.call<PickResult>('improve.pick', { duel_id: duel.id, winner }));
  };

  // A fine-tuned adapter is served under its task id (an entry with a parent model).
  const winnerModel = pick && pick.winner !== 'tie' ? pick[`model_${pick.winner}`] : null;
  const winnerIsAdapter = !!winnerModel && models.some(m => m.id === winnerModel && m.parent);

  const picker = (label: string, value: string, set: (v: string) => void) => (
    <label className="sage-field">
      <span>{label}</span>
      <select
        className="sage-input"
        aria-label={label}
        value={value}
        disabled={running}
        onChange={e => set(e.target.value)}
      >
        {models.map(m => (
          <option key={m.id} value={m.id}>
            {m.id + (m.parent ? ' (adapter)' : '')}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="sage-arena">
      <div className="sage-row">
        {picker('Model A', modelA, setModelA)}
        {picker('Model B', modelB, setModelB)}
        <label className="sage-field sage-arena-blind">
          <input
            type="checkbox"
            aria-label="Blind"
            checked={blind}
            disabled={running}
            onChange={e => setBlind(e.target.checked)}
          />
          <span>Blind (hide the models until you pick)</span>
        </label>
        <label
          className="sage-field"
          title="0 = greedy (the same answer every time); higher = more varied"
        >
          <span>temperature</span>
          <input
            type="number"
            className="sage-input"
            aria-label="Arena temperature"
            min={0}
            max={2}
            step={0.1}
            value={temperature}
            disabled={running}
            onChange={e => setTemperature(Number(e.target.value))}
          />
        </label>
      </div>
      <textarea
        className="sage-input sage-arena-prompt"
        aria-label="Arena prompt"
        placeholder="One prompt for both models…"
        rows={3}
        value={prompt}
        disabled={running}
        onChange={e => setPrompt(e.target.value)}
      />
      <div className="sage-row">
        <ActionButton
          className="sage-button sage-primary sage-arena-compare"
          label="Compare"
          disabled={running || !prompt.trim() || !modelA || !modelB}
          onError={setError}
          action={compare}
        />
        {running ? (
          <button className="sage-button sage-arena-stop" onClick={() => handle.current?.cancel()}>
            Stop
          </button>
        ) : null}
        {duel?.elapsed_s !== undefined ? (
          <span className="sage-muted">both answers in {fmtNum(duel.elapsed_s, 3)} s</span>
        ) : null}
      </div>
      <div
        className="sage-arena-columns"
        style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: '8px' }}
      >
        {SIDES.map(side => (
          <div
            key={side}
            className={`sage-arena-col${pick?.winner === side ? ' sage-on' : ''}`}
            data-side={side}
          >
            <div className="sage-card-title sage-arena-title">{columnTitle(side, duel, pick)}</div>
            <div className="sage-arena-text" style={{ whiteSpace: 'pre-wrap' }}>
              {texts[side]}
            </div>
            <div className="sage-muted sage-arena-stats">{sideStats(duel?.[side])}</div>
          </div>
        ))}
      </div>
      {duel?.id && !pick ? (
        <div className="sage-row sage-arena-pick">
          {(Object.keys(WINNER_LABELS) as Winner[]).map(w => (
            <ActionButton
              key={w}
              label={WINNER_LABELS[w]}
              onError={setError}
              action={() => choose(w)}
            />
          ))}
        </div>
      ) : null}
      {pick ? (
        <div className="sage-arena-picked" data-winner={pick.winner}>
          <span>
            {pick.winner === 'tie' ? 'A tie' : `${pick.winner.toUpperCase()} won`}: A was{' '}
            <b>{pick.model_a}</b>, B was <b>{pick.model_b}</b>.
          </span>
          {winnerIsAdapter && winnerModel ? <ArenaShip model={winnerModel} /> : null}
        </div>
      ) : null}
      <ErrorBox error={error ?? catalog.error} />
    </div>
  );
}
