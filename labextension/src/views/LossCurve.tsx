/** Train and eval loss over steps as a small SVG chart (theme colours from JupyterLab variables). */
import React from 'react';

import { Schema } from '../transport/types';

/** A point of `finetune.progress`'s `history`, or of a `progress` / `eval` event of the task's stream. */
export type LossPoint = Partial<Pick<Schema<'HistoryPoint'>, 'step' | 'loss' | 'eval_loss'>>;

const PAD = 28;

/** The scales of a chart of `values` over `steps` in a width × height box (a margin for the axes' ticks). */
function chartFrame(steps: number[], values: number[], width: number, height: number) {
  const [x0, x1] = [Math.min(...steps), Math.max(...steps, Math.min(...steps) + 1)];
  const [y0, y1] = [Math.min(...values), Math.max(...values, Math.min(...values) + 1e-6)];
  return {
    width,
    height,
    x0,
    x1,
    y0,
    y1,
    x: (s: number) => PAD + ((s - x0) / (x1 - x0)) * (width - PAD - 8),
    y: (v: number) => 8 + (1 - (v - y0) / (y1 - y0)) * (height - PAD - 8)
  };
}

function Axes({ width, height, x0, x1, y0, y1 }: ReturnType<typeof chartFrame>) {
  return (
    <>
      <line x1={PAD} y1={height - PAD} x2={width - 8} y2={height - PAD} className="sage-axis" />
      <line x1={PAD} y1={8} x2={PAD} y2={height - PAD} className="sage-axis" />
      <text x={2} y={14} className="sage-tick">
        {y1.toFixed(2)}
      </text>
      <text x={2} y={height - PAD} className="sage-tick">
        {y0.toFixed(2)}
      </text>
      <text x={PAD} y={height - 10} className="sage-tick">
        step {x0}
      </text>
      <text x={width - 60} y={height - 10} className="sage-tick">
        step {x1}
      </text>
    </>
  );
}

export function LossCurve({
  points,
  width = 420,
  height = 160
}: {
  points: LossPoint[];
  width?: number;
  height?: number;
}) {
  const train = points.filter(
    p => p.loss !== null && p.loss !== undefined && p.step !== null && p.step !== undefined
  );
  const evals = points.filter(
    p =>
      p.eval_loss !== null && p.eval_loss !== undefined && p.step !== null && p.step !== undefined
  );
  if (train.length + evals.length === 0) {
    return (
      <div className="sage-muted sage-loss-empty">
        Loss curve appears with the first logged step.
      </div>
    );
  }
  const all = [...train.map(p => Number(p.loss)), ...evals.map(p => Number(p.eval_loss))];
  const steps = [...train, ...evals].map(p => Number(p.step));
  const frame = chartFrame(steps, all, width, height);
  const { x, y } = frame;
  const line = (pts: LossPoint[], key: 'loss' | 'eval_loss') =>
    pts.map(p => `${x(Number(p.step)).toFixed(1)},${y(Number(p[key])).toFixed(1)}`).join(' ');
  return (
    <svg
      className="sage-loss"
      width={width}
      height={height}
      role="img"
      aria-label="loss curve"
      data-points={train.length}
    >
      <Axes {...frame} />
      {train.length ? (
        <polyline points={line(train, 'loss')} className="sage-train-line" fill="none" />
      ) : null}
      {evals.length ? (
        <polyline points={line(evals, 'eval_loss')} className="sage-eval-line" fill="none" />
      ) : null}
      {evals.map((p, i) => (
        <circle
          key={i}
          cx={x(Number(p.step))}
          cy={y(Number(p.eval_loss))}
          r={3}
          className="sage-eval-dot"
        />
      ))}
      <text x={width - 130} y={20} className="sage-legend-train">
        — train
      </text>
      <text x={width - 70} y={20} className="sage-legend-eval">
        — eval
      </text>
    </svg>
  );
}

/** One task's curve in an overlay: its label and its points (train loss). */
export interface LossSeries {
  label: string;
  points: LossPoint[];
}

/** Series colours from the theme, one per overlaid task (cycled past the last). */
const SERIES_COLOURS = [
  'var(--jp-brand-color1)',
  'var(--jp-warn-color1)',
  'var(--jp-success-color1)',
  'var(--jp-error-color1)',
  'var(--jp-info-color1)',
  'var(--jp-ui-font-color2)'
];

/** Several tasks' train loss on shared axes (the compare view); steps are each task's own. */
export function LossOverlay({
  series,
  width = 420,
  height = 180
}: {
  series: LossSeries[];
  width?: number;
  height?: number;
}) {
  const lines = series.map(s => ({
    label: s.label,
    points: s.points.filter(
      p => p.loss !== null && p.loss !== undefined && p.step !== null && p.step !== undefined
    )
  }));
  const all = lines.flatMap(l => l.points);
  if (!all.length) {
    return <div className="sage-muted sage-loss-empty">No loss logged for these tasks.</div>;
  }
  const steps = all.map(p => Number(p.step));
  const values = all.map(p => Number(p.loss));
  const frame = chartFrame(steps, values, width, height);
  const { x, y } = frame;
  return (
    <div className="sage-loss-overlay">
      <svg
        className="sage-loss"
        width={width}
        height={height}
        role="img"
        aria-label="loss curves"
        data-series={lines.length}
      >
        <Axes {...frame} />
        {lines.map((l, i) =>
          l.points.length ? (
            <polyline
              key={i}
              data-label={l.label}
              points={l.points
                .map(p => `${x(Number(p.step)).toFixed(1)},${y(Number(p.loss)).toFixed(1)}`)
                .join(' ')}
              fill="none"
              style={{ stroke: SERIES_COLOURS[i % SERIES_COLOURS.length], strokeWidth: 2 }}
            />
          ) : null
        )}
      </svg>
      <ul className="sage-loss-legend">
        {lines.map((l, i) => (
          <li key={i} style={{ color: SERIES_COLOURS[i % SERIES_COLOURS.length] }}>
            — {l.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
