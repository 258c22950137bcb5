import { clearLine, cursorTo, type Interface } from 'node:readline';
import type { Sink } from './chat.js';

/**
 * Where the console's human lines go. While an interactive prompt is showing,
 * a line (a page, an escalation, a log warning) is printed above the prompt and
 * the prompt is redrawn with what was typed so far, so output never lands in
 * the middle of the line being typed.
 */
export class ConsoleOutput {
  private prompt: Interface | undefined;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  readonly line: Sink = (text) => {
    const prompt = this.prompt;
    if (!prompt) {
      this.stream.write(`${text}\n`);
      return;
    }
    clearLine(this.stream, 0);
    cursorTo(this.stream, 0);
    this.stream.write(`${text}\n`);
    prompt.prompt(true);
  };

  /** The prompt to keep below the output (a terminal only); undefined detaches it. */
  attach(prompt: Interface | undefined): void {
    this.prompt = prompt;
  }

  get target(): NodeJS.WritableStream {
    return this.stream;
  }
}
