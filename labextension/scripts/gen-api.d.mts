/** Types of gen-api.mjs, for the test that checks the generated files are current. */
export const TYPES_FILE: string;
export const TABLE_FILE: string;
export function readDocument(): Promise<any>;
export function operationTable(
  doc: any
): Record<string, { verb: string; path: string; body?: string; media?: string; binary?: boolean }>;
export function generate(doc: any): Promise<Record<string, string>>;
export function staleFiles(): Promise<string[]>;
