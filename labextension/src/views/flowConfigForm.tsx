/** The selected node's settings: its label and a field per config entry of its operator's schema. */
import React from 'react';

import { FlowNode, Operator, configFields } from './flowModel';

export function ConfigForm({
  node,
  op,
  onChange,
  onDelete,
  children
}: {
  node: FlowNode;
  op?: Operator;
  onChange: (node: FlowNode) => void;
  onDelete: () => void;
  children?: React.ReactNode;
}) {
  const config = node.data?.config ?? {};
  const set = (name: string, value: unknown) =>
    onChange({ ...node, data: { ...node.data, config: { ...config, [name]: value } } });
  return (
    <div className="sage-config">
      <div className="sage-toolbar">
        <b className="sage-grow">{node.id}</b>
        <button className="sage-link" onClick={onDelete}>
          delete node
        </button>
      </div>
      <div className="sage-muted">{op?.description}</div>
      <label className="sage-field">
        label
        <input
          className="sage-input"
          value={String(node.data?.label ?? '')}
          placeholder={op?.label}
          onChange={e =>
            onChange({ ...node, data: { ...node.data, label: e.target.value || undefined } })
          }
        />
      </label>
      {configFields(op).map(f => {
        const value = config[f.name] ?? f.default ?? '';
        const label = `${f.label ?? f.name}${f.required ? ' *' : ''}`;
        let input: React.ReactNode;
        if (f.type === 'boolean') {
          input = (
            <input
              type="checkbox"
              checked={!!config[f.name]}
              onChange={e => set(f.name, e.target.checked)}
            />
          );
        } else if (f.type === 'select' && f.options) {
          input = (
            <select
              className="sage-input"
              value={String(value)}
              onChange={e => set(f.name, e.target.value)}
            >
              {f.options.map(o => (
                <option key={String(o)} value={String(o)}>
                  {String(o)}
                </option>
              ))}
            </select>
          );
        } else if (f.type === 'integer' || f.type === 'number') {
          input = (
            <input
              type="number"
              className="sage-input"
              min={f.min}
              max={f.max}
              step={f.type === 'integer' ? 1 : 'any'}
              value={value === null ? '' : String(value)}
              onChange={e => set(f.name, e.target.value === '' ? null : Number(e.target.value))}
            />
          );
        } else if (f.type === 'text' || f.type === 'code' || f.type === 'json') {
          input = (
            <textarea
              className="sage-input sage-mono"
              rows={f.type === 'text' ? 3 : 5}
              value={typeof value === 'string' ? value : JSON.stringify(value, null, 2)}
              onChange={e => {
                let v: unknown = e.target.value;
                if (f.type === 'json') {
                  try {
                    v = JSON.parse(e.target.value);
                  } catch {
                    /* keep the text until it parses */
                  }
                }
                set(f.name, v);
              }}
            />
          );
        } else {
          input = (
            <input
              className="sage-input"
              type={f.type === 'secret' ? 'password' : 'text'}
              value={String(value)}
              onChange={e => set(f.name, e.target.value)}
            />
          );
        }
        return (
          <label key={f.name} className="sage-field" title={f.description}>
            {label}
            {input}
          </label>
        );
      })}
      {children}
    </div>
  );
}
