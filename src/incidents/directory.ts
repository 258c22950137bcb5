import type { MusterConfig } from '../config/schema.js';
import type { PersonId } from './types.js';

/**
 * Maps an adapter's actor ref ("slack:U123", "discord:987", "console:alice")
 * to a person in muster.yaml. Unknown people may declare and read, and are
 * never paged.
 */
export function personForActor(config: MusterConfig, actor: string): PersonId | undefined {
  const split = actor.indexOf(':');
  const platform = actor.slice(0, split);
  const id = actor.slice(split + 1);
  if (platform === 'console') return config.people[id] ? id : undefined;
  if (platform !== 'slack' && platform !== 'discord') return undefined;
  return Object.entries(config.people).find(([, person]) => person[platform] === id)?.[0];
}

/** How the timeline names an actor: a person id when known, else the raw ref. */
export function actorName(config: MusterConfig, actor: string): string {
  return personForActor(config, actor) ?? actor;
}

/** A chat user named in a command's words: adapters turn a mention (Slack <@U…>, Discord <@…>) into such a ref. */
const MENTION_REF = /^(slack|discord):[A-Za-z0-9]+$/;

/**
 * The person a command's word names: a person id ("ann", "@ann") or a chat
 * user's ref from a mention ("slack:U123"), looked up in people.<id>.slack or
 * .discord. Undefined when it names nobody in muster.yaml.
 */
export function personNamed(config: MusterConfig, word: string): PersonId | undefined {
  if (MENTION_REF.test(word)) return personForActor(config, word);
  const id = word.replace(/^@/, '').toLowerCase();
  return config.people[id] ? id : undefined;
}
