import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const FORBIDDEN = ['@slack/bolt', '@slack/web-api', 'discord.js', 'bullmq', 'ioredis'];
/** The composition root (src/main.ts and src/main/) is the one part of src/ that may know adapters and clients. */
const isCompositionRoot = (path: string) => path === 'src/main.ts' || path.startsWith('src/main/');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mts)$/.test(name) ? [path] : [];
  });
}

function importsOf(text: string): string[] {
  const specifiers: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(re)) specifiers.push(match[1] ?? match[2] ?? match[3] ?? '');
  return specifiers;
}

describe('the core stays free of platform SDKs and infrastructure clients', () => {
  const files = sourceFiles(join(ROOT, 'src')).map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(importsOf("import { Queue } from 'bullmq';\nawait import('ioredis');")).toEqual(['bullmq', 'ioredis']);
  });

  it('imports no SDK or client outside the composition root (src/main.ts, src/main/)', () => {
    const offenders = files
      .filter((file) => !isCompositionRoot(file.path))
      .flatMap((file) =>
        importsOf(file.text)
          .filter((spec) => FORBIDDEN.some((pkg) => spec === pkg || spec.startsWith(`${pkg}/`)))
          .map((spec) => `${file.path} imports ${spec}`),
      );
    expect(offenders).toEqual([]);
  });

  it('imports no adapter outside the composition root (src/main.ts, src/main/)', () => {
    const offenders = files
      .filter((file) => !isCompositionRoot(file.path))
      .flatMap((file) => importsOf(file.text).filter((spec) => spec.includes('/adapters/')).map((spec) => `${file.path} imports ${spec}`));
    expect(offenders).toEqual([]);
  });
});
