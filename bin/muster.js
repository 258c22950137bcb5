#!/usr/bin/env node
// Runs the compiled CLI when it has been built (npm run build, the Docker
// image), else the TypeScript sources through tsx (a fresh clone, npx muster).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli.ts', import.meta.url).href);
}
