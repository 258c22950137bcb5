import { parseDuration } from '../../src/config/duration.js';

/**
 * One line of console input:
 *   alice: /incident declare Checkout is failing sev=P1 service=checkout
 *   sleep 5s
 *   # a comment
 *   wait page.sent INC-1 mia     (until the timeline has such an event; incident and person optional)
 *   quit            (ends the session or script; "exit" too)
 */
export type ConsoleLine =
  | { kind: 'command'; person: string; name: string; args: string }
  | { kind: 'sleep'; ms: number }
  | { kind: 'blank' }
  | { kind: 'quit' }
  | { kind: 'wait'; type: string; incident?: string; person?: string }
  | { kind: 'error'; message: string };

const COMMAND_RE = /^([a-z0-9][a-z0-9_-]*)\s*:\s*\/(\w+)\s*(.*)$/i;

export function parseConsoleLine(raw: string): ConsoleLine {
  const line = raw.trim();
  if (!line || line.startsWith('#')) return { kind: 'blank' };
  if (/^(quit|exit)$/i.test(line)) return { kind: 'quit' };
  const sleep = /^sleep\s+(\S+)$/i.exec(line);
  if (sleep) {
    const ms = parseDuration(sleep[1] ?? '');
    return ms === undefined ? { kind: 'error', message: `bad duration "${sleep[1]}": write e.g. sleep 5s` } : { kind: 'sleep', ms };
  }
  const wait = /^wait\s+(.*)$/i.exec(line);
  if (wait) return parseWait(wait[1] ?? '');
  const command = COMMAND_RE.exec(line);
  if (!command) {
    return { kind: 'error', message: 'write PERSON: /COMMAND ARGS (PERSON: an id under people: in muster.yaml), sleep 5s, wait EVENT [INC-n] [PERSON] or quit' };
  }
  return { kind: 'command', person: command[1] ?? '', name: command[2] ?? '', args: command[3] ?? '' };
}

/** `wait TYPE [INC-n] [PERSON]`: TYPE is a timeline event type such as page.sent or assembly.breached. */
function parseWait(rest: string): ConsoleLine {
  const [type, ...more] = rest.trim().split(/\s+/);
  const incident = more.find((word) => /^INC-\d+$/i.test(word))?.toUpperCase();
  const others = more.filter((word) => !/^INC-\d+$/i.test(word));
  if (!type || !/^[a-z]+(\.[a-z_]+)+$/.test(type) || others.length > 1) {
    return { kind: 'error', message: `write wait EVENT [INC-n] [PERSON], e.g. wait page.sent INC-1 mia (EVENT: a timeline event type)` };
  }
  return { kind: 'wait', type, ...(incident ? { incident } : {}), ...(others[0] ? { person: others[0] } : {}) };
}
