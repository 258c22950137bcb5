import { DomainError } from '../errors.js';
import type { MessageKey } from '../i18n/catalog.js';
import type { Caller } from '../kernel/caller.js';
import { personNamed } from '../incidents/directory.js';
import { zoneOf } from '../schedules/messages.js';
import { personName, teamMembers } from '../schedules/rules.js';
import { parseLeadingInterval, parsePoint, parseShiftDuration, type Interval, type TimeContext } from '../schedules/time.js';
import type { Position } from '../schedules/types.js';
import type { CommandDeps } from './deps.js';
import { splitOptions, tokenize, type Token } from './tokenize.js';

/**
 * The words of one /oncall subcommand, read from the front: team, position,
 * person, then a time phrase. Each reader either takes what it recognises or
 * throws a usage error that says what to write (with the subcommand's usage).
 */
export class OncallArgs {
  readonly options: Map<string, string>;
  private readonly tokens: Token[];

  constructor(text: string, private readonly deps: CommandDeps, private readonly usage: MessageKey, withOptions = false) {
    const tokens = tokenize(text);
    if (withOptions) {
      const options = new Map<string, string>();
      this.tokens = tokens.filter((token) => {
        const { options: found } = splitOptions([token]);
        for (const [key, value] of found) options.set(key, value);
        return found.size === 0;
      });
      this.options = options;
    } else {
      this.tokens = tokens;
      this.options = new Map();
    }
  }

  private get t() {
    return this.deps.present.t;
  }

  fail(key: MessageKey, params: Record<string, string | number> = {}): never {
    throw new DomainError('usage', this.t(key, params), this.t(this.usage));
  }

  get empty(): boolean {
    return this.tokens.length === 0;
  }

  peek(): string | undefined {
    return this.tokens[0]?.text;
  }

  /** The last word, when it names a team (`/oncall at friday 09:00 payments`). */
  popTrailingTeam(): string | undefined {
    const last = this.tokens.at(-1)?.text.toLowerCase();
    if (last === undefined || !this.deps.config.teams[last] || this.tokens.length < 2) return undefined;
    this.tokens.pop();
    return last;
  }

  team(): string {
    const word = this.tokens.shift()?.text;
    const teams = Object.keys(this.deps.config.teams).join(', ');
    if (word === undefined) this.fail('oncall.missingTeam', { teams });
    const team = word.toLowerCase();
    if (!this.deps.config.teams[team]) this.fail('error.unknownTeam', { value: word, allowed: teams });
    return team;
  }

  /** `primary` or `backup` when it comes next; primary otherwise. */
  position(): Position {
    const word = this.peek()?.toLowerCase();
    if (word !== 'primary' && word !== 'backup') return 'primary';
    this.tokens.shift();
    return word;
  }

  person(caller: Caller, team: string): string {
    const word = this.tokens.shift()?.text;
    if (word === undefined) this.fail('oncall.missingPerson', { members: this.members(team) });
    return this.resolvePerson(word, caller, team);
  }

  /** "me", a person id ("ann", "@ann"), a chat mention (as a "slack:U123" ref) or a full name written as one word ("Ann" or "'Ann Smith'"). */
  resolvePerson(word: string, caller: Caller, team: string): string {
    if (word.replace(/^@/, '').toLowerCase() === 'me') return requirePerson(this.deps, caller);
    const named = personNamed(this.deps.config, word);
    if (named) return named;
    const user = /^(slack|discord):/.exec(word)?.[1];
    if (user) this.fail('oncall.unknownUser', { value: word, platform: user === 'slack' ? 'Slack' : 'Discord', field: user, members: this.members(team) });
    const byName = Object.entries(this.deps.config.people).filter(([, person]) => person.name?.toLowerCase() === word.toLowerCase());
    if (byName.length === 1 && byName[0]) return byName[0][0];
    return this.fail('oncall.unknownPerson', { value: word, members: this.members(team) });
  }

  members(team: string): string {
    return teamMembers(this.deps.config, team).map((person) => `${person} (${personName(this.deps.config, person)})`).join(', ');
  }

  /** The rest as one phrase; a first quoted word is the whole time phrase (what Discord's typed options send). */
  private rest(): { first?: Token; text: string } {
    const all = this.tokens.splice(0);
    return { ...(all[0] ? { first: all[0] } : {}), text: all.map((token) => token.text).join(' ') };
  }

  timeContext(team: string | undefined): TimeContext {
    const zone = team ? zoneOf(this.deps.config, team) : this.deps.config.timeZone;
    return { zone, now: this.deps.now(), t: this.t, tonight: this.deps.config.schedules.tonight };
  }

  /** An interval phrase and what follows it (a reason); required. */
  interval(team: string): { interval: Interval; rest: string } {
    const { first, text } = this.rest();
    if (!first) this.fail('oncall.missingInterval', { forms: this.t('schedule.intervalForms') });
    const ctx = this.timeContext(team);
    if (first.quoted) {
      const { interval, rest } = parseLeadingInterval(first.text, ctx);
      if (rest) throw new DomainError('usage', this.t('schedule.badInterval', { text: first.text }), this.t('schedule.intervalForms'));
      return { interval, rest: text.slice(first.text.length).trim() };
    }
    return parseLeadingInterval(text, ctx);
  }

  /** `[until]` of a take: "until tomorrow 09:00", "tomorrow 09:00", "4h"; then a reason. Undefined when nothing is left. */
  until(team: string): { end: number; rest: string } | undefined {
    if (this.empty) return undefined;
    const { first, text } = this.rest();
    const ctx = this.timeContext(team);
    const phrase = first?.quoted ? first.text : text;
    const lead = phrase.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    const written = parseShiftDuration(lead) || lead === 'until' || lead === 'till' || lead === 'tonight' ? phrase : `until ${phrase}`;
    const { interval, rest } = this.readOr(phrase, () => parseLeadingInterval(written, ctx));
    const after = first?.quoted ? text.slice(first.text.length).trim() : rest;
    return { end: interval.end, rest: after };
  }

  private readOr<T>(phrase: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'usage') throw new DomainError('usage', this.t('schedule.badInterval', { text: phrase }), this.t('oncall.untilForms'));
      throw error;
    }
  }

  /** A moment ("now", "friday 09:00", "2026-12-24 18:00", "in 2h"); required, read in the team zone (or the config's). */
  moment(team: string | undefined, missing: MessageKey): number {
    const { text } = this.rest();
    if (!text) this.fail(missing);
    const ctx = this.timeContext(team);
    const words = text.trim().toLowerCase().replace(/^in\s+/, '').replace(/^\+/, '');
    const duration = parseShiftDuration(words);
    const at = duration ? ctx.now + duration.as('milliseconds') : parsePoint(words, ctx.zone, ctx.now);
    if (at === undefined) this.fail('oncall.badMoment', { text, zone: ctx.zone });
    return at;
  }

  /** A change id; required. */
  id(): string {
    const word = this.tokens.shift()?.text;
    if (word === undefined) this.fail('oncall.missingId');
    return word;
  }

  /** Anything left over is a mistake worth naming. */
  done(): void {
    const left = this.rest().text;
    if (left) this.fail('oncall.extraWords', { words: left });
  }
}

/** The caller as a person of muster.yaml; only people hold and change shifts. */
export function requirePerson(deps: CommandDeps, caller: Caller): string {
  if (!caller.person) throw new DomainError('forbidden', deps.present.t('oncall.notAPerson'));
  return caller.person;
}
