// Bundle each notebook widget (src/widgets/<name>.tsx) to ../sage_studio_lab/static/<name>.js (+ .css).
import { build } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const names = ['chat', 'flow', 'finetune', 'memory', 'engine', 'arena'];
const dev = process.argv.includes('--dev');

await build({
  entryPoints: Object.fromEntries(names.map(n => [n, resolve(root, 'src/widgets', `${n}.tsx`)])),
  outdir: resolve(root, '../sage_studio_lab/static'),
  bundle: true,
  format: 'esm',
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  jsx: 'automatic',
  target: 'es2020',
  define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
  loader: { '.css': 'css', '.svg': 'dataurl' },
  inject: [resolve(root, 'src/widgets/styles.ts')],
  logLevel: 'info'
});
