// npm run build: a clean dist/ compiled by tsc, then the stamp bin/muster.js
// checks. The sources' newest time is read before compiling, so a file saved
// while tsc runs still makes this build stale; a failed tsc leaves no stamp.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSource, STAMP } from '../bin/freshness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const newest = newestSource(root);
if (!newest) {
  process.stderr.write('build: no sources (src/, adapters/) next to scripts/\n');
  process.exit(1);
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write('build: tsc failed; dist/ has no stamp, so bin/muster.js will not run it\n');
  process.exit(result.status ?? 1);
}
const stamp = {
  sourcesMtimeMs: newest.mtimeMs,
  newestSource: relative(root, newest.path),
  builtAt: new Date().toISOString(),
  node: process.version,
};
writeFileSync(join(root, STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
