/** Shapes the chat views share (the sessions API's messages and sessions). */

export interface ChatMessage {
  id: string;
  parent_id?: string | null;
  role: string;
  content: string;
  metadata?: Record<string, any>;
  created_at?: number;
  sibling_ids?: string[];
  sibling_index?: number;
}

export interface Session {
  id: string;
  title: string;
  updated_at?: number;
  last_message?: string;
  message_count?: number;
  settings?: Record<string, any>;
  messages?: ChatMessage[];
  /** The serving model's maximum context (tokens); null when no engine is up. */
  context_length?: number | null;
}
