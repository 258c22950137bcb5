import { readFileSync } from 'node:fs';
import { auditKeyFrom, UNKEYED_OPT_OUT, unkeyedAuditKey, type AuditKey } from '../audit/key.js';
import type { ConfigProblem } from './problems.js';

/**
 * MUSTER_AUDIT_KEY or MUSTER_AUDIT_KEY_FILE, read once at start (loadEnv).
 * The secret goes straight into an AuditKey, which never prints it; the raw
 * text is not kept anywhere else. Problems name the variable, never the value.
 */

export const AUDIT_KEY_HINT = 'make one with `openssl rand -hex 32` and keep it outside Redis (a secret store, or a file only the bot can read)';

/** A key must carry at least 128 bits; 32 characters of `openssl rand -hex 32` output carry 128. */
const MIN_KEY_LENGTH = 32;

type Env = Readonly<Record<string, string | undefined>>;

function problem(variable: string, message: string, hint: string): ConfigProblem {
  return { file: 'environment', path: variable, message, hint };
}

function readKeyFile(path: string): { text?: string; problem?: ConfigProblem } {
  try {
    return { text: readFileSync(path, 'utf8').trim() };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    return { problem: problem('MUSTER_AUDIT_KEY_FILE', `cannot read ${JSON.stringify(path)} (${code})`, 'point it at a readable file holding the key, or unset it') };
  }
}

/** The audit key the environment names, undefined when neither variable is set, or the problems with it. */
export function readAuditKey(env: Env): { key?: AuditKey; problems: ConfigProblem[] } {
  const inline = env.MUSTER_AUDIT_KEY?.trim() || undefined;
  const file = env.MUSTER_AUDIT_KEY_FILE?.trim() || undefined;
  if (inline && file) {
    return { problems: [problem('MUSTER_AUDIT_KEY', 'is set together with MUSTER_AUDIT_KEY_FILE', 'set only one of them')] };
  }
  if (!inline && !file) return { problems: [] };
  const variable = inline ? 'MUSTER_AUDIT_KEY' : 'MUSTER_AUDIT_KEY_FILE';
  const read = inline ? { text: inline } : readKeyFile(file!);
  if (read.problem) return { problems: [read.problem] };
  const text = read.text ?? '';
  if (text === UNKEYED_OPT_OUT) return { key: unkeyedAuditKey(), problems: [] };
  if (text.length < MIN_KEY_LENGTH) {
    return { problems: [problem(variable, `the key is too short (${text.length} characters, at least ${MIN_KEY_LENGTH})`, AUDIT_KEY_HINT)] };
  }
  return { key: auditKeyFrom(text), problems: [] };
}
