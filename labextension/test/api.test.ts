/**
 * The generated TypeScript side of the Studio API (src/transport/api.ts and operations.ts) is what
 * scripts/gen-api.mjs makes of the checked-in openapi.json: CI fails on a stale generation.
 */
import { describe, expect, it } from 'vitest';

import { operationTable, readDocument, staleFiles } from '../scripts/gen-api.mjs';
import { OPERATIONS } from '../src/transport/operations';

describe('generated API', () => {
  it('api.ts and operations.ts are current with openapi.json (else run `jlpm gen:api`)', async () => {
    expect(await staleFiles()).toEqual([]);
  }, 60_000);

  it('the table holds every operation that answers once, with its body argument and text type', async () => {
    const doc = await readDocument();
    const table = operationTable(doc);
    expect(table).toEqual(OPERATIONS);
    expect(table['flow.validate']).toEqual({
      verb: 'POST',
      path: 'api/flow/validate',
      body: 'flow'
    });
    expect(table['sessions.export'].media).toBe('text/markdown');
    expect(table['memory.set_config'].verb).toBe('PUT');
    // Streams keep their own routes (routes.ts): not in the table.
    expect(table['chat.send']).toBeUndefined();
    expect(table['gpu.watch']).toBeUndefined();
  });
});
