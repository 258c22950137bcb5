#!/usr/bin/env node
// Runs the compiled CLI in dist/ (npm run build, the Docker image). A dist/
// older than the sources beside it is refused with a hint instead of running
// old code; a checkout with no dist/ runs its sources through tsx, and says so.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { chooseEntry } from './freshness.js';

// The bot's live data is small (about 60 MB with 1,000 active P1s) but its
// allocation churn made V8 grow the old space to 270 MB, never given back:
// grow the heap by 20% over the live size after each full GC instead of V8's
// default factor (up to 4x). Measured: RSS 355 -> 180 MB, declares as fast
// (bench/process.ts). Set at run time, an unknown flag on another Node is ignored.
setFlagsFromString('--heap-growing-percent=20');

const choice = chooseEntry(fileURLToPath(new URL('..', import.meta.url)));
if ('refuse' in choice) {
  process.stderr.write(`muster: ${choice.refuse}\n`);
  process.exit(1);
}
if (choice.run === 'source') {
  process.stderr.write(`muster: ${choice.notice}\n`);
  const { register } = await import('tsx/esm/api');
  register();
}
await import(pathToFileURL(choice.entry).href);
