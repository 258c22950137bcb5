import type { MusterConfig } from '../src/config/schema.js';
import { UndeliverableError, type Destination } from '../src/ports.js';

type Platform = 'slack' | 'discord';
const NAMES: Record<Platform, string> = { slack: 'Slack', discord: 'Discord' };

/**
 * How a chat adapter turns the core's neutral addresses into its platform's
 * ids: people through `people.<id>.<platform>` (or a raw "<platform>:<id>"
 * ref), rooms through their "<platform>:<id>" refs, and DM channels opened
 * once per user and remembered. Anything that can never be delivered is an
 * UndeliverableError, so the outbox does not retry it.
 */
export class ChatAddressing {
  private readonly dmChannels = new Map<string, string>();

  constructor(
    private readonly platform: Platform,
    private readonly config: MusterConfig,
    /** The platform's broadcast channel id, if configured. */
    private readonly broadcast: string | undefined,
    /** Opens (or finds) the DM channel with a platform user. */
    private readonly openDm: (user: string) => Promise<string>,
  ) {}

  /** The platform user behind a member: a person id from muster.yaml, or a raw "<platform>:<id>" ref. */
  user(member: string): string | undefined {
    const prefix = `${this.platform}:`;
    if (member.startsWith(prefix)) return member.slice(prefix.length);
    return this.config.people[member]?.[this.platform];
  }

  async channelFor(to: Destination): Promise<string> {
    const prefix = `${this.platform}:`;
    if (to.kind === 'broadcast') {
      if (!this.broadcast) throw new UndeliverableError(`no broadcast channel configured for ${NAMES[this.platform]}`);
      return this.broadcast.replace(prefix, '');
    }
    if (to.kind === 'room') {
      if (!to.conversation.startsWith(prefix)) throw new UndeliverableError(`${to.conversation} is not a ${NAMES[this.platform]} conversation`);
      return to.conversation.slice(prefix.length);
    }
    return this.directChannel(to.person);
  }

  private async directChannel(person: string): Promise<string> {
    const user = this.user(person);
    if (!user) throw new UndeliverableError(`${person} has no ${NAMES[this.platform]} user id in muster.yaml (people.${person}.${this.platform})`);
    const known = this.dmChannels.get(user);
    if (known) return known;
    const id = await this.openDm(user);
    this.dmChannels.set(user, id);
    return id;
  }
}
