/**
 * Under the composer: the token budget the message would get if sent now (`chat.budget`: history, memory, documents,
 * attachments and the message counted with the model's tokenizer, the answer's room, what would be trimmed), so a
 * user sees before sending what fits. Asked again 500 ms after the draft or the attachments settle.
 */
import React, { useEffect, useState } from 'react';

import { BudgetSplit } from './chatDetails';
import { useTransport } from './common';
import { Attachment } from './notebookContext';

export const PREVIEW_DELAY_MS = 500;

export function BudgetPreview({
  sessionId,
  draft,
  attached,
  source,
  model
}: {
  sessionId: string | null;
  draft: string;
  attached: Attachment[];
  source: string;
  model?: string;
}) {
  const transport = useTransport();
  const [budget, setBudget] = useState<Record<string, any> | null>(null);
  useEffect(() => {
    if (!sessionId || (!draft.trim() && !attached.length)) {
      setBudget(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      transport
        .call<Record<string, any>>('chat.budget', {
          session_id: sessionId,
          content: draft,
          context: attached,
          source,
          model: model || undefined
        })
        .then(b => live && setBudget(b))
        .catch(() => live && setBudget(null)); // a preview never blocks typing
    }, PREVIEW_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [sessionId, draft, JSON.stringify(attached), source, model]);
  if (!budget) {
    return null;
  }
  return (
    <div className="sage-budget-preview sage-muted" role="status">
      If sent now: <BudgetSplit budget={budget} />
    </div>
  );
}
