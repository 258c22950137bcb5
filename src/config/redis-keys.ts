/**
 * Redis key naming shared by the store and the queues. Redis Cluster runs a
 * Lua script or a multi-key command only when all its keys hash to one slot,
 * and it hashes only the part of a key between the first "{" and the next "}"
 * (the hash tag) when there is one. Every Muster key starts with the prefix,
 * so a prefix that carries a hash tag puts the whole deployment in one slot:
 * the commit script (incident, timeline, active set, outbox) and each BullMQ
 * queue's scripts then run on a Cluster as they do on one server or Sentinel.
 */

/** The hash tag of a key as Redis Cluster reads it, or undefined when the whole key is hashed. */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

/**
 * A prefix with a hash tag: kept as is when it has one ("{muster}:",
 * "staging:{muster}:"), else its name is wrapped: "muster:" -> "{muster}:",
 * "staging:muster:" -> "{staging:muster}:". Idempotent.
 */
export function hashTaggedPrefix(prefix: string): string {
  if (hashTag(prefix) !== undefined) return prefix;
  const name = prefix.replace(/:+$/, '');
  if (name === '') return '{muster}:';
  return `{${name}}:`;
}
