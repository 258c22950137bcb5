import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { MusterConfig } from '../../src/config/schema.js';
import type { CommandRequest, Reply } from '../../src/kernel/request.js';
import type { Presenter } from '../../src/notify/present.js';
import type { TimelineEvent } from '../../src/incidents/types.js';
import type { Sink } from './chat.js';
import { renderMessage } from './render.js';
import { parseConsoleLine } from './script.js';
import { closest, listNames } from '../../src/config/references.js';
import type { ConsoleOutput } from './terminal.js';

/** Where console commands are typed from, unless a war room is implied. */
export const CONSOLE_CHANNEL = 'console:#general';

/** What the console drives (the bot of src/app.ts fits it): commands in, the timeline out, and the names its own lines use. */
export interface ConsoleBot {
  dispatch(request: CommandRequest): Promise<Reply>;
  onEvent(listener: (event: TimelineEvent) => void): () => void;
  readonly commandDeps: { readonly config: MusterConfig; readonly present: Presenter };
}

export interface SessionOptions {
  muster: ConsoleBot;
  /** Human-readable lines (stdout, or stderr in --json mode). */
  human: Sink;
  /** Timeline events as JSON lines, when --json is on. */
  json?: Sink;
  /** Waits until queued outbound messages are delivered (end of script). */
  settle: () => Promise<void>;
}

/** The JSON line for one timeline event: type, incident, at, and role/person where they apply. */
export function eventJson(event: TimelineEvent): string {
  const { type, incident, seq, actor, role, person, data, hash } = event;
  return JSON.stringify({ type, incident, at: new Date(event.at).toISOString(), seq, actor, role, person, data, hash });
}

/** How long a `wait` line waits before it fails: only reached when the event never comes. */
export const WAIT_BOUND_MS = 120_000;

/** Events kept for `wait` lines; a long-running console does not grow without bound. */
const SEEN_LIMIT = 5_000;

type WaitLine = { type: string; incident?: string; person?: string };

/** Plays console lines against the bot, as the people they name. */
export class ConsoleSession {
  /** Every timeline event so far, so a `wait` for one that already happened returns at once. */
  private readonly seen: TimelineEvent[] = [];
  private readonly waiting = new Set<() => void>();
  private readonly warned = new Set<string>();

  constructor(private readonly options: SessionOptions) {
    const json = options.json;
    options.muster.onEvent((event) => {
      this.seen.push(event);
      if (this.seen.length > SEEN_LIMIT) this.seen.shift();
      for (const check of [...this.waiting]) check();
      if (json) json(eventJson(event));
    });
  }

  /** Resolves true once a matching event is on a timeline; false after WAIT_BOUND_MS. */
  private async waitFor(line: WaitLine): Promise<boolean> {
    const matches = (event: TimelineEvent) =>
      event.type === line.type && (!line.incident || event.incident === line.incident) && (!line.person || event.person === line.person);
    if (this.seen.some(matches)) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), WAIT_BOUND_MS);
      const check = () => {
        if (this.seen.some(matches)) done(true);
      };
      const done = (found: boolean) => {
        clearTimeout(timer);
        this.waiting.delete(check);
        resolve(found);
      };
      this.waiting.add(check);
    });
  }

  /** Runs one line; 'quit' when it ends the session, false when it could not be understood. */
  async runLine(raw: string): Promise<boolean | 'quit'> {
    const line = parseConsoleLine(raw);
    if (line.kind === 'blank') return true;
    if (line.kind === 'quit') return 'quit';
    if (line.kind === 'error') {
      this.options.human(`! ${line.message}`);
      return false;
    }
    if (line.kind === 'sleep') {
      await new Promise((resolve) => setTimeout(resolve, line.ms));
      return true;
    }
    if (line.kind === 'wait') {
      if (await this.waitFor(line)) return true;
      this.options.human(`! no ${[line.type, line.incident, line.person].filter(Boolean).join(' ')} within ${WAIT_BOUND_MS / 1000} s`);
      return false;
    }
    this.options.human(`${line.person}> /${line.name} ${line.args}`.trimEnd());
    this.warnIfUnknown(line.person);
    const reply = await this.options.muster.dispatch({
      name: line.name,
      args: line.args,
      actor: `console:${line.person}`,
      conversation: CONSOLE_CHANNEL,
      requestId: `console-${randomUUID()}`,
    });
    this.printReply(line.person, reply);
    return true;
  }

  /** A misspelled name would silently act as a stranger (never paged, cannot ack): said once per name. */
  private warnIfUnknown(person: string): void {
    const { config, present } = this.options.muster.commandDeps;
    if (config.people[person] || this.warned.has(person)) return;
    this.warned.add(person);
    const guess = closest(person, Object.keys(config.people));
    this.options.human(`! ${present.t(guess ? 'console.unknownPersonGuess' : 'console.unknownPerson', { name: person, guess: guess ?? '', people: listNames(Object.keys(config.people)) })}`);
  }

  /** Plays a whole script (up to a `quit` line); returns the number of lines that could not be understood. */
  async runScript(text: string): Promise<number> {
    let errors = 0;
    for (const [index, raw] of text.split(/\r?\n/).entries()) {
      const ok = await this.runLine(raw);
      if (ok === 'quit') break;
      if (!ok) {
        errors += 1;
        this.options.human(`  (script line ${index + 1})`);
      }
    }
    await this.options.settle();
    return errors;
  }

  /**
   * Interactive prompt until end of input or "quit". The prompt is shown only
   * to a terminal: input piped in (`npm start < file`) reads like a script.
   */
  async repl(input: NodeJS.ReadableStream, output: ConsoleOutput): Promise<void> {
    const terminal = 'isTTY' in input && Boolean(input.isTTY);
    const rl = createInterface({ input, output: output.target, prompt: 'muster> ', terminal });
    if (terminal) {
      output.attach(rl);
      rl.prompt();
    }
    try {
      for await (const raw of rl) {
        if ((await this.runLine(raw)) === 'quit') break;
        if (terminal) rl.prompt();
      }
    } finally {
      output.attach(undefined);
      rl.close();
    }
    await this.options.settle();
  }

  private printReply(person: string, reply: Reply): void {
    if (reply.duplicate) return;
    const where = reply.visibility === 'ephemeral' ? `reply to ${person}` : CONSOLE_CHANNEL.replace(/^console:/, '');
    const [first, ...rest] = renderMessage(reply.message);
    this.options.human(`[${where}] ${first ?? ''}`);
    for (const line of rest) this.options.human(`    ${line}`);
  }
}
