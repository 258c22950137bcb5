import { afterEach } from 'vitest';
import { cleanupPrefix, newPrefix } from './redis.js';

/** A fresh key prefix per call, each removed after its test whatever happened (registers an afterEach). */
export function cleanedPrefixes(): () => string {
  const made: string[] = [];
  afterEach(async () => {
    for (const prefix of made.splice(0)) await cleanupPrefix(prefix);
  });
  return () => {
    const prefix = newPrefix();
    made.push(prefix);
    return prefix;
  };
}
