#!/usr/bin/env node
// Runs the compiled CLI in dist/ (npm run build, the Docker image). A dist/
// older than the sources beside it is refused with a hint instead of running
// old code; a checkout with no dist/ runs its sources through tsx, and says so.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chooseEntry } from './freshness.js';

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
