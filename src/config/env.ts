import { z } from 'zod';
import type { AuditKey } from '../audit/key.js';
import { readAuditKey } from './audit-env.js';
import { ConfigError, type ConfigProblem } from './problems.js';
import { hashTaggedPrefix } from './redis-keys.js';
import { sentinelNameSchema, sentinelsSchema, sentinelPairProblems, type SentinelAddress } from './redis-target.js';

/**
 * The process environment, read once here and nowhere else:
 * adapters receive these values, they never look at process.env themselves.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface MusterEnv {
  /** Production mode when set (Redis store and BullMQ); embedded mode otherwise. */
  redisUrl?: string;
  /** MUSTER_CONFIG; the loader falls back to ./muster.yaml, then the shipped example. */
  configPath?: string;
  logLevel: LogLevel;
  /** True when MUSTER_LOG_LEVEL (or LOG_LEVEL) was set, so a quiet console may not override it. */
  logLevelSet: boolean;
  /** MUSTER_LOG_FILE: where the console writes its log (default: muster-console.log in the temp folder). */
  logFile?: string;
  /**
   * Prefix of every Redis key and BullMQ queue, so several installs can share a Redis.
   * Always carries a hash tag ("{muster}:"), so Redis Cluster can run every script.
   */
  redisPrefix: string;
  /** REDIS_SENTINELS: the Sentinels to ask for the primary (production mode, instead of REDIS_URL's host). */
  redisSentinels?: SentinelAddress[];
  /** REDIS_SENTINEL_NAME: the primary's name the Sentinels monitor; required with redisSentinels. */
  redisSentinelName?: string;
  slackBotToken?: string;
  slackSigningSecret?: string;
  /** Socket Mode when set (xapp-…); HTTP mode on `port` otherwise. */
  slackAppToken?: string;
  /** Slack Web API base URL override (tests, proxies), e.g. http://127.0.0.1:9999/api/. */
  slackApiUrl?: string;
  /** HTTP port of the Slack receiver (PORT, default 3000). */
  port: number;
  discordToken?: string;
  /** The Discord application id (slash command registration). */
  discordApplicationId?: string;
  /** The guild (server) the bot serves; its slash commands are registered there. */
  discordGuildId?: string;
  /** Discord REST base URL without the version (tests, proxies), e.g. http://127.0.0.1:9999/api. */
  discordApiUrl?: string;
  /** Bearer token for the monitoring hooks; with hookSecret, either authenticates. Neither set: no hooks. */
  hookToken?: string;
  /** HMAC-SHA256 secret for X-Muster-Signature on the monitoring hooks. */
  hookSecret?: string;
  /** Where Muster's own HTTP endpoints listen (MUSTER_HTTP_HOST, default 127.0.0.1; MUSTER_HTTP_PORT, default 8080). */
  httpHost?: string;
  httpPort?: number;
  /** MUSTER_DASHBOARD_TOKEN: the read-only dashboard's login token (at least 16 characters). Unset: no dashboard. */
  dashboardToken?: string;
  /** MUSTER_CALENDAR_KEY: the HMAC key of the secret calendar feed URLs (at least 32 characters). Unset: no feeds. */
  calendarKey?: string;
  /** MUSTER_AUDIT_KEY or MUSTER_AUDIT_KEY_FILE; the object never prints its secret. */
  auditKey?: AuditKey;
  /** MUSTER_AUDIT_SINK: an append-only JSON-lines file every committed audit entry is copied to. */
  auditSink?: string;
  /**
   * MUSTER_DASHBOARD_PLAIN_HTTP=1: the dashboard is reached over plain HTTP on
   * loopback, so its cookie goes without `Secure`. Only allowed with a loopback MUSTER_HTTP_HOST.
   */
  dashboardPlainHttp?: boolean;
  /** Every variable, for the secrets muster.yaml names by variable (webhook audiences). */
  raw?: Readonly<Record<string, string | undefined>>;
}

/** An empty variable (`FOO=`) counts as unset: that is how people clear one in a .env file. */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const redisUrlSchema = optionalText.refine(
  (v) => v === undefined || /^rediss?:\/\/[^\s]+$/.test(v),
  'write a URL like redis://127.0.0.1:6379 or rediss://user:password@host:6380/0',
);

/** Each field names the variable it reads, so an error can name it back. */
const FIELDS = {
  redisUrl: { variable: 'REDIS_URL', schema: redisUrlSchema },
  configPath: { variable: 'MUSTER_CONFIG', schema: optionalText },
  logLevel: {
    variable: 'MUSTER_LOG_LEVEL',
    schema: optionalText.transform((v) => v?.toLowerCase()).pipe(z.enum(LOG_LEVELS).default('info')),
  },
  logFile: { variable: 'MUSTER_LOG_FILE', schema: optionalText },
  redisPrefix: {
    variable: 'MUSTER_REDIS_PREFIX',
    schema: optionalText.pipe(
      z
        .string()
        .regex(/^[\w:.{}-]+$/, 'use letters, digits and ":", ".", "-", "_", "{", "}" only, e.g. {muster}:')
        .default('{muster}:')
        .transform(hashTaggedPrefix),
    ),
  },
  redisSentinels: { variable: 'REDIS_SENTINELS', schema: sentinelsSchema(optionalText) },
  redisSentinelName: { variable: 'REDIS_SENTINEL_NAME', schema: sentinelNameSchema(optionalText) },
  slackBotToken: { variable: 'SLACK_BOT_TOKEN', schema: optionalText },
  slackSigningSecret: { variable: 'SLACK_SIGNING_SECRET', schema: optionalText },
  slackAppToken: { variable: 'SLACK_APP_TOKEN', schema: optionalText },
  slackApiUrl: {
    variable: 'SLACK_API_URL',
    schema: optionalText.refine((v) => v === undefined || /^https?:\/\/\S+\/$/.test(v), 'write an http(s) URL ending in "/", like https://slack.com/api/'),
  },
  port: {
    variable: 'PORT',
    schema: optionalText
      .refine((v) => v === undefined || /^\d{1,5}$/.test(v), 'write a port number like 3000')
      .transform((v) => (v === undefined ? 3000 : Number(v)))
      .refine((n) => n >= 1 && n <= 65535, 'a port is between 1 and 65535'),
  },
  discordToken: { variable: 'DISCORD_TOKEN', schema: optionalText },
  hookToken: { variable: 'MUSTER_HOOK_TOKEN', schema: optionalText.refine((v) => v === undefined || v.length >= 16, 'use at least 16 characters') },
  hookSecret: { variable: 'MUSTER_HOOK_SECRET', schema: optionalText.refine((v) => v === undefined || v.length >= 16, 'use at least 16 characters') },
  dashboardToken: {
    variable: 'MUSTER_DASHBOARD_TOKEN',
    schema: optionalText.refine((v) => v === undefined || v.length >= 16, 'use at least 16 characters'),
  },
  calendarKey: {
    variable: 'MUSTER_CALENDAR_KEY',
    schema: optionalText.refine((v) => v === undefined || v.length >= 32, 'use at least 32 random characters (e.g. openssl rand -base64 32)'),
  },
  auditSink: { variable: 'MUSTER_AUDIT_SINK', schema: optionalText },
  dashboardPlainHttp: {
    variable: 'MUSTER_DASHBOARD_PLAIN_HTTP',
    schema: optionalText.pipe(z.enum(['1', '0', 'true', 'false']).optional()).transform((v) => (v === '1' || v === 'true' ? true : undefined)),
  },
  httpHost: { variable: 'MUSTER_HTTP_HOST', schema: optionalText.transform((v) => v ?? '127.0.0.1') },
  httpPort: {
    variable: 'MUSTER_HTTP_PORT',
    schema: optionalText
      .refine((v) => v === undefined || /^\d{1,5}$/.test(v), 'write a port number like 8080')
      .transform((v) => (v === undefined ? 8080 : Number(v)))
      .refine((n) => n >= 0 && n <= 65535, 'a port is between 0 and 65535'),
  },
  discordApplicationId: {
    variable: 'DISCORD_APPLICATION_ID',
    schema: optionalText.refine((v) => v === undefined || /^\d{15,21}$/.test(v), 'write the application id, a number like 1200000000000000001'),
  },
  discordGuildId: {
    variable: 'DISCORD_GUILD_ID',
    schema: optionalText.refine((v) => v === undefined || /^\d{15,21}$/.test(v), 'write the server (guild) id, a number like 1100000000000000001'),
  },
  discordApiUrl: {
    variable: 'DISCORD_API_URL',
    schema: optionalText.refine(
      (v) => v === undefined || /^https?:\/\/\S+[^/]$/.test(v) && !/\/v\d+$/.test(v),
      'write an http(s) URL without the version and without a trailing "/", like https://discord.com/api',
    ),
  },
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** MUSTER_LOG_LEVEL wins; LOG_LEVEL is honoured because pino users set it out of habit. */
function variableFor(field: keyof typeof FIELDS, env: Env): string {
  const { variable } = FIELDS[field];
  const unset = (name: string) => (env[name] ?? '').trim() === '';
  if (field === 'logLevel' && unset(variable) && !unset('LOG_LEVEL')) {
    return 'LOG_LEVEL';
  }
  return variable;
}

function envProblem(variable: string, value: string | undefined, issue: z.core.$ZodIssue): ConfigProblem {
  const shown = variable === 'REDIS_URL' && value ? redactUrl(value) : value;
  const hint =
    issue.code === 'invalid_value'
      ? `set ${variable} to one of: ${issue.values.join(', ')}, or unset it`
      : `${issue.message}, or unset ${variable}`;
  // The path names the variable; the formatted line reads "environment  VAR: invalid value …".
  return { file: 'environment', path: variable, message: `invalid value ${JSON.stringify(shown)}`, hint };
}

/**
 * Reads and validates the environment once. Throws ConfigError naming every
 * bad variable; unset variables take their defaults.
 */
export function loadEnv(env: Env = process.env): MusterEnv {
  const result: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const field of Object.keys(FIELDS) as (keyof typeof FIELDS)[]) {
    const variable = variableFor(field, env);
    const parsed = FIELDS[field].schema.safeParse(env[variable]);
    if (parsed.success) {
      if (parsed.data !== undefined) result[field] = parsed.data;
    } else {
      problems.push(...parsed.error.issues.map((i) => envProblem(variable, env[variable], i)));
    }
  }
  const audit = readAuditKey(env);
  problems.push(...audit.problems, ...plainHttpProblems(result));
  if (problems.length === 0) problems.push(...sentinelPairProblems(result));
  if (problems.length > 0) throw new ConfigError(problems);
  if (audit.key) result.auditKey = audit.key;
  result.logLevelSet = optionalText.parse(env[variableFor('logLevel', env)]) !== undefined;
  result.raw = env;
  return result as unknown as MusterEnv;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** Plain HTTP for the dashboard is only honest on loopback: anywhere else the cookie must be Secure. */
function plainHttpProblems(result: Record<string, unknown>): ConfigProblem[] {
  if (result.dashboardPlainHttp !== true || LOOPBACK_HOSTS.has(String(result.httpHost))) return [];
  return [{
    file: 'environment',
    path: 'MUSTER_DASHBOARD_PLAIN_HTTP',
    message: `is only allowed when MUSTER_HTTP_HOST is loopback (it is ${JSON.stringify(result.httpHost)})`,
    hint: 'serve the dashboard over HTTPS (a TLS proxy in front) and unset MUSTER_DASHBOARD_PLAIN_HTTP, or bind MUSTER_HTTP_HOST=127.0.0.1',
  }];
}

/**
 * A Redis URL safe to log: the password (or a lone username-less secret,
 * `redis://:secret@host`) becomes ***. Text that is not a URL is returned as is.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL: still hide anything that looks like user:password@.
    return url.replace(/\/\/([^:/@\s]*):[^@\s]*@/, '//$1:***@');
  }
  if (!parsed.password) return url;
  parsed.password = '***';
  return parsed.toString();
}
