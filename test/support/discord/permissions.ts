/**
 * Discord permission bits and the permission computation Discord applies to a member in a channel
 * (https://discord.com/developers/docs/topics/permissions#permission-overwrites), for the fake.
 * Self-contained on purpose: the fake must not borrow its rules from the library it is testing.
 */

export const P = {
  CreateInstantInvite: 1n << 0n,
  KickMembers: 1n << 1n,
  BanMembers: 1n << 2n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewAuditLog: 1n << 7n,
  PrioritySpeaker: 1n << 8n,
  Stream: 1n << 9n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  SendTTSMessages: 1n << 12n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  ViewGuildInsights: 1n << 19n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  UseVAD: 1n << 25n,
  ChangeNickname: 1n << 26n,
  ManageNicknames: 1n << 27n,
  ManageRoles: 1n << 28n,
  ManageWebhooks: 1n << 29n,
  UseApplicationCommands: 1n << 31n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  CreatePrivateThreads: 1n << 36n,
  UseExternalStickers: 1n << 37n,
  SendMessagesInThreads: 1n << 38n,
  SendPolls: 1n << 49n,
  UseExternalApps: 1n << 50n,
  PinMessages: 1n << 51n,
} as const;

/** Every permission bit Discord currently defines (up to BYPASS_SLOWMODE, 1 << 52). */
export const ALL_PERMISSIONS = (1n << 53n) - 1n;

/** What the @everyone role of a freshly created guild may do (includes MENTION_EVERYONE, as Discord's default does). */
export const DEFAULT_EVERYONE_PERMISSIONS =
  P.CreateInstantInvite |
  P.AddReactions |
  P.Stream |
  P.ViewChannel |
  P.SendMessages |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.MentionEveryone |
  P.UseExternalEmojis |
  P.Connect |
  P.Speak |
  P.UseVAD |
  P.ChangeNickname |
  P.UseApplicationCommands |
  P.CreatePublicThreads |
  P.CreatePrivateThreads |
  P.UseExternalStickers |
  P.SendMessagesInThreads |
  P.SendPolls |
  P.UseExternalApps;

/**
 * What the bot's managed role gets by default: what a war-room bot's invite link would ask for
 * (no Administrator, so overwrites that hide a channel from @everyone hide it from the bot too).
 */
export const DEFAULT_BOT_PERMISSIONS =
  P.ViewChannel |
  P.SendMessages |
  P.EmbedLinks |
  P.ReadMessageHistory |
  P.ManageChannels |
  P.ManageRoles |
  P.ManageMessages |
  P.PinMessages |
  P.CreatePublicThreads |
  P.CreatePrivateThreads |
  P.SendMessagesInThreads |
  P.ManageThreads |
  P.UseApplicationCommands;

export interface Overwrite {
  id: string;
  /** 0 = role, 1 = member. */
  type: 0 | 1;
  allow: string;
  deny: string;
}

export interface PermissionSubject {
  guildId: string;
  ownerId: string;
  /** role id → permission bits; must contain the @everyone role (id = guild id). */
  rolePermissions: Map<string, bigint>;
  userId: string;
  memberRoles: readonly string[];
}

export function toBits(value: bigint | string | number | undefined | null): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  return BigInt(value);
}

/** The member's guild-wide permissions (owner and Administrator get everything). */
export function basePermissions(s: PermissionSubject): bigint {
  if (s.userId === s.ownerId) return ALL_PERMISSIONS;
  let perms = s.rolePermissions.get(s.guildId) ?? 0n;
  for (const role of s.memberRoles) perms |= s.rolePermissions.get(role) ?? 0n;
  return (perms & P.Administrator) !== 0n ? ALL_PERMISSIONS : perms;
}

/** The member's permissions in a channel with these overwrites, including Discord's implicit rules. */
export function channelPermissions(s: PermissionSubject, overwrites: readonly Overwrite[]): bigint {
  const base = basePermissions(s);
  if ((base & P.Administrator) !== 0n || base === ALL_PERMISSIONS) return ALL_PERMISSIONS;
  let perms = base;
  const everyone = overwrites.find((o) => o.type === 0 && o.id === s.guildId);
  if (everyone) perms = (perms & ~toBits(everyone.deny)) | toBits(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== s.guildId && s.memberRoles.includes(o.id)) {
      allow |= toBits(o.allow);
      deny |= toBits(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  const member = overwrites.find((o) => o.type === 1 && o.id === s.userId);
  if (member) perms = (perms & ~toBits(member.deny)) | toBits(member.allow);
  // Implicit permissions: no VIEW_CHANNEL means nothing; no SEND_MESSAGES drops what depends on it.
  if ((perms & P.ViewChannel) === 0n) return 0n;
  if ((perms & P.SendMessages) === 0n) perms &= ~(P.MentionEveryone | P.SendTTSMessages | P.AttachFiles | P.EmbedLinks);
  return perms;
}

export function has(perms: bigint, bit: bigint): boolean {
  return (perms & bit) === bit;
}
