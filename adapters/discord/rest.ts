import { DiscordAPIError, REST, Routes } from 'discord.js';
import type { DiscordSettings } from './app.js';
import { DISCORD_REQUEST_TIMEOUT_MS } from './commands.js';
import { DISCORD_GLOBAL_PER_SECOND } from './request-gate.js';

export { DISCORD_REQUEST_TIMEOUT_MS };

/** Routes whose rate limits the outbox waits out (messages; war-room overwrites and thread members: DiscordChat.invite). */
const OUTBOX_ROUTES = /\/channels\/[^/]+\/(messages|permissions|thread-members)/;

/**
 * The REST client of the chat port, shared by every replica whether or not it
 * holds the gateway. discord.js waits out 429s per bucket (and globally) by
 * itself, except on message routes, where the outbox does the waiting. It
 * never retries a failed request itself (the outbox does, fenced), never
 * retries a 401, and drops the token after one, so a revoked token cannot
 * make it hammer Discord toward the invalid-request limit.
 */
export async function discordRest(settings: DiscordSettings): Promise<{ rest: REST; botUserId: string }> {
  const rest = new REST({
    ...(settings.apiUrl ? { api: settings.apiUrl } : {}),
    // No retries inside discord.js: a request that timed out or got a 5xx goes back to the outbox,
    // which checks the page's fence before trying again (an inner retry would page a role acked meanwhile).
    retries: 0,
    // The chat port's gate keeps the pace (DiscordRequestGate, pages first). discord.js counts again when
    // it sends, in fixed windows, and would reject pages the gate let through late in the previous second;
    // its own count stays only as a backstop. A global 429 from Discord is still honoured.
    globalRequestsPerSecond: 10 * DISCORD_GLOBAL_PER_SECOND,
    // Every call is bounded: a hung Discord never holds a page (or its send claim) for long.
    timeout: DISCORD_REQUEST_TIMEOUT_MS,
    // A rate-limited message, or the invite before a late page, goes back to the outbox with
    // Discord's delay (RateLimitError), instead of waiting in the REST queue under its claim.
    rejectOnRateLimit: (limit) => OUTBOX_ROUTES.test(limit.route) || OUTBOX_ROUTES.test(limit.url),
  }).setToken(settings.token);
  try {
    const me = (await rest.get(Routes.user('@me'))) as { id: string };
    return { rest, botUserId: me.id };
  } catch (error) {
    if (error instanceof DiscordAPIError && error.status === 401) {
      throw new Error('Discord rejected DISCORD_TOKEN (401 Unauthorized): copy the bot token again from the developer portal (Bot → Reset Token).');
    }
    const where = settings.apiUrl ?? 'https://discord.com/api';
    throw new Error(`Cannot reach Discord at ${where} (${error instanceof Error ? error.message : String(error)}).`);
  }
}
