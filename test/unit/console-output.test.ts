import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleOutput } from '../../adapters/console/terminal.js';

/** What a terminal would show, with the cursor and erase sequences dropped. */
// eslint-disable-next-line no-control-regex
const visible = (raw: string) => raw.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

describe('console output under an interactive prompt', () => {
  it('prints a line that arrives while someone types above the prompt, and redraws what they typed', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const screen = new PassThrough();
    let shown = '';
    screen.on('data', (chunk: Buffer) => (shown += chunk.toString('utf8')));
    const output = new ConsoleOutput(screen);
    const rl = createInterface({ input, output: screen, prompt: 'muster> ', terminal: true });
    output.attach(rl);
    rl.prompt();
    input.write('sarah: /incident ac');
    await new Promise((resolve) => setImmediate(resolve));
    const before = shown.length;
    output.line('[DM @priya] ! PAGE INC-1');
    const after = visible(shown.slice(before));
    // The page starts on a cleared line (not after the typed text) and the prompt comes back below it.
    expect(after.startsWith('[DM @priya] ! PAGE INC-1\n')).toBe(true);
    expect(after.endsWith('muster> sarah: /incident ac')).toBe(true);
    expect(shown.slice(before)).toContain('\u001b[');
    output.attach(undefined);
    output.line('after the prompt closed');
    expect(shown.endsWith('after the prompt closed\n')).toBe(true);
    rl.close();
  });
});
