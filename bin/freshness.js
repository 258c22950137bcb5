// Which code bin/muster.js may run: the compiled dist/ when it was built from
// the sources beside it, never a dist/ older than them. Plain JavaScript, so
// it runs before anything is compiled; scripts/build.js writes the stamp.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Written by `npm run build` once tsc succeeds; a failed build leaves none. */
export const STAMP = join('dist', 'build-stamp.json');
export const COMPILED_ENTRY = join('dist', 'src', 'cli.js');
export const SOURCE_ENTRY = join('src', 'cli.ts');
/** What a build compiles from: a change to any of these needs a new build. */
export const SOURCES = ['src', 'adapters', 'tsconfig.json', 'tsconfig.build.json'];
const BUILD_HINT = 'run npm run build';

/**
 * The newest modification time among the sources, with the path that has it.
 * Folders count too: adding, deleting or renaming a file changes its folder's
 * time. Undefined when there are no sources (an installed package, the image).
 */
export function newestSource(root) {
  let newest;
  const visit = (path) => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      return;
    }
    if (!newest || stats.mtimeMs > newest.mtimeMs) newest = { mtimeMs: stats.mtimeMs, path };
    if (stats.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  for (const source of SOURCES) visit(join(root, source));
  return newest;
}

function readStamp(root) {
  try {
    const stamp = JSON.parse(readFileSync(join(root, STAMP), 'utf8'));
    return typeof stamp.sourcesMtimeMs === 'number' ? stamp : undefined;
  } catch {
    return undefined;
  }
}

function tsxInstalled() {
  try {
    import.meta.resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

/**
 * What to run, as { run: 'dist' | 'source', entry, notice? } or { refuse }.
 * - dist/ and no sources beside it (the Docker image, an installed package): dist/.
 * - dist/ and sources: dist/ only when its stamp is at least as new as every source.
 * - no dist/: the sources through tsx when tsx is installed (a development
 *   checkout), said on stderr; refused under NODE_ENV=production, which runs
 *   compiled code only, and when tsx is not installed.
 */
export function chooseEntry(root, env = process.env) {
  const sources = newestSource(root);
  if (existsSync(join(root, COMPILED_ENTRY))) {
    if (!sources) return { run: 'dist', entry: join(root, COMPILED_ENTRY) };
    const stamp = readStamp(root);
    if (!stamp) return { refuse: `dist/ has no build stamp (its last build failed, or it was not made by npm run build): ${BUILD_HINT}` };
    if (sources.mtimeMs > stamp.sourcesMtimeMs) {
      return { refuse: `dist/ is older than ${relative(root, sources.path) || sources.path} (changed since the last build): ${BUILD_HINT}` };
    }
    return { run: 'dist', entry: join(root, COMPILED_ENTRY) };
  }
  if (!sources) return { refuse: 'neither dist/ nor the sources are here: reinstall Muster' };
  if (env.NODE_ENV === 'production') return { refuse: `no dist/ build, and NODE_ENV=production runs compiled code only: ${BUILD_HINT}` };
  if (!tsxInstalled()) return { refuse: `no dist/ build, and tsx (a dev dependency) is not installed: npm install, then ${BUILD_HINT}` };
  return {
    run: 'source',
    entry: join(root, SOURCE_ENTRY),
    notice: 'no dist/ build, so running the TypeScript sources through tsx (development); for production: npm run build, then npm start',
  };
}
