/*
 * `npm run build`: bundles the server into dist/server.js and the operator commands into
 * dist/cli/{keys,migrate}.js (esbuild); `npm start` and `npm run start:prod` run dist/server.js.
 * Type checking is `npm run typecheck`; this step only emits.
 *
 * Every runtime dependency stays an external import except drizzle-orm, which is inlined. Node 24
 * keeps, for every ES module file it loads, a parsed copy of the nearest package.json; drizzle-orm
 * ships about 450 module files under a 175 KiB package.json (447 export entries), so importing it
 * file by file held ≈ 130 MiB of native memory for the life of the process (server at rest: 220 MiB
 * as files, 132 MiB bundled; measured on PostgreSQL, see test/perf/RESULTS.md).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const INLINED = new Set(['drizzle-orm']);

const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const external = Object.keys(pkg.dependencies)
  .filter((name) => !INLINED.has(name))
  .flatMap((name) => [name, `${name}/*`]);

const started = performance.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/server.ts', 'src/cli/keys.ts', 'src/cli/migrate.ts'],
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  sourcemap: true,
  external,
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
process.stdout.write(`built ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).join(', ')} (${(bytes / 2 ** 20).toFixed(1)} MiB with source maps) in ${Math.round(performance.now() - started)} ms\n`);
