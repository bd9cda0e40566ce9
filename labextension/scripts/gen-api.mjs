/**
 * The TypeScript side of the Studio API, generated from `openapi.json` (itself written from the Python
 * operations by `python -m sage_studio_lab.api labextension/openapi.json`):
 *   src/transport/api.ts         the types of every operation and schema (openapi-typescript)
 *   src/transport/operations.ts  verb, path, body argument and text media type of every non-streaming
 *                                operation: RestTransport derives each call's route from it
 * `jlpm gen:api` writes both (`make api` regenerates openapi.json first); test/api.test.ts fails when the
 * checked-in files differ from what this generates, so a stale generation cannot pass CI.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import openapiTS, { astToString } from 'openapi-typescript';
import * as prettier from 'prettier';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = 'openapi.json';
export const TYPES_FILE = 'src/transport/api.ts';
export const TABLE_FILE = 'src/transport/operations.ts';
const VERBS = ['get', 'post', 'put', 'patch', 'delete'];

const HEADER = `/**
 * GENERATED from labextension/openapi.json by scripts/gen-api.mjs: do not edit.
 * Regenerate with \`jlpm gen:api\` (or \`make api\`, which first rewrites openapi.json from the Python
 * operations in sage_studio_lab/api/); test/api.test.ts fails while this file is stale.
 */
`;

export async function readDocument() {
  return JSON.parse(await readFile(path.join(ROOT, SOURCE), 'utf8'));
}

/** `{operationId: {verb, path, body?, media?, binary?}}` of every operation that answers once (streams excluded). */
export function operationTable(doc) {
  const table = {};
  for (const [route, item] of Object.entries(doc.paths ?? {})) {
    for (const verb of VERBS) {
      const op = item[verb];
      if (!op || op['x-sage-stream']) {
        continue;
      }
      const entry = { verb: verb.toUpperCase(), path: route.replace(/^\//, '') };
      if (op['x-sage-body']) {
        entry.body = op['x-sage-body']; // the whole JSON body is this one argument
      }
      const contents = Object.entries(op.responses ?? {})
        .filter(([code]) => code.startsWith('2'))
        .flatMap(([, response]) => Object.entries(response.content ?? {}));
      const media = contents.find(([type]) => !type.includes('json'));
      if (media) {
        entry.media = media[0]; // the result may be text of this type (a string)
        if (media[1]?.schema?.format === 'binary') {
          entry.binary = true; // a file: bytes, not text
        }
      }
      table[op.operationId] = entry;
    }
  }
  return Object.fromEntries(Object.entries(table).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function format(file, text) {
  const options = (await prettier.resolveConfig(path.join(ROOT, file))) ?? {};
  return prettier.format(text, { ...options, filepath: path.join(ROOT, file) });
}

/** The generated files' text, keyed by their path relative to labextension/. */
export async function generate(doc) {
  const types =
    '/* eslint-disable */\n' + HEADER + '\n' + astToString(await openapiTS(doc, { silent: true }));
  // One line per operation (prettier keeps an object on one line when it fits).
  const rows = Object.entries(operationTable(doc))
    .map(([name, entry]) => `  ${JSON.stringify(name)}: ${JSON.stringify(entry)},`)
    .join('\n');
  const table = `${HEADER}
export interface OperationRoute {
  verb: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to \`<base_url>/sage-studio/\`; \`{arg}\` segments are filled from the argument of that name. */
  path: string;
  /** The whole JSON body is this one argument (not an object of the arguments). */
  body?: string;
  /** A non-JSON media type the result may come as: the result is then the text. */
  media?: string;
  /** A file result: \`{filename, size, content_type, buffers: [DataView]}\` (bytes, as over a widget). */
  binary?: boolean;
}

export const OPERATIONS: Readonly<Record<string, OperationRoute>> = {
${rows}
};
`;
  return {
    [TYPES_FILE]: await format(TYPES_FILE, types),
    [TABLE_FILE]: await format(TABLE_FILE, table)
  };
}

/** The generated files whose checked-in text differs from a fresh generation. */
export async function staleFiles() {
  const files = await generate(await readDocument());
  const stale = [];
  for (const [file, text] of Object.entries(files)) {
    const current = await readFile(path.join(ROOT, file), 'utf8').catch(() => null);
    if (current !== text) {
      stale.push(file);
    }
  }
  return stale;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = await generate(await readDocument());
  for (const [file, text] of Object.entries(files)) {
    await writeFile(path.join(ROOT, file), text);
    console.log(`wrote ${file}`);
  }
}
