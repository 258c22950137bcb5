import { describe, expect, it } from 'vitest';
import { parseConsoleLine } from '../../adapters/console/script.js';

describe('console script lines', () => {
  it('reads quit and exit as the end of the session, whatever the case', () => {
    for (const line of ['quit', 'exit', '  QUIT  ']) expect(parseConsoleLine(line)).toEqual({ kind: 'quit' });
    expect(parseConsoleLine('quit now').kind).toBe('error');
  });

  it('reads wait EVENT [INC-n] [PERSON] in either order', () => {
    expect(parseConsoleLine('wait page.sent INC-1 mia')).toEqual({ kind: 'wait', type: 'page.sent', incident: 'INC-1', person: 'mia' });
    expect(parseConsoleLine('wait page.sent mia inc-2')).toEqual({ kind: 'wait', type: 'page.sent', incident: 'INC-2', person: 'mia' });
    expect(parseConsoleLine('wait assembly.breached')).toEqual({ kind: 'wait', type: 'assembly.breached' });
  });

  it('says how to write a wait line it cannot read', () => {
    for (const line of ['wait', 'wait 5s', 'wait page.sent mia bob']) {
      const parsed = parseConsoleLine(line);
      expect(parsed.kind).toBe('error');
      expect(parsed.kind === 'error' && parsed.message).toContain('wait EVENT [INC-n] [PERSON]');
    }
  });

  it('names every kind of line in the error for one it cannot read', () => {
    const parsed = parseConsoleLine('alice /incident list');
    expect(parsed).toEqual({ kind: 'error', message: 'write PERSON: /COMMAND ARGS (PERSON: an id under people: in muster.yaml), sleep 5s, wait EVENT [INC-n] [PERSON] or quit' });
  });
});
