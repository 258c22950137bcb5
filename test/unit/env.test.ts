import { describe, expect, it } from 'vitest';
import { loadEnv, redactUrl } from '../../src/config/env.js';
import { ConfigError } from '../../src/config/load.js';

function problemsOf(env: Record<string, string>) {
  try {
    loadEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the environment to be refused');
}

describe('loadEnv', () => {
  it('has defaults for an empty environment (embedded mode)', () => {
    const { raw, ...rest } = loadEnv({});
    expect(rest).toEqual({ logLevel: 'info', logLevelSet: false, redisPrefix: 'muster:', port: 3000, httpHost: '127.0.0.1', httpPort: 8080 });
    expect(raw).toEqual({});
  });

  it('reads every variable', () => {
    const env = loadEnv({
      REDIS_URL: 'redis://127.0.0.1:6379',
      MUSTER_CONFIG: 'ops/muster.yaml',
      MUSTER_LOG_LEVEL: 'debug',
      MUSTER_REDIS_PREFIX: 'staging:muster:',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'shh',
      SLACK_APP_TOKEN: 'xapp-1',
      SLACK_API_URL: 'http://127.0.0.1:9999/api/',
      PORT: '8080',
      DISCORD_TOKEN: 'disc',
      DISCORD_APPLICATION_ID: '1200000000000000001',
      DISCORD_GUILD_ID: '1100000000000000001',
      DISCORD_API_URL: 'http://127.0.0.1:9999/api',
      MUSTER_HOOK_TOKEN: 'hook-token-0123456789',
      MUSTER_HOOK_SECRET: 'hook-secret-0123456789',
      MUSTER_HTTP_HOST: '0.0.0.0',
      MUSTER_HTTP_PORT: '9090',
    });
    const { raw: _raw, ...read } = env;
    expect(read).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      configPath: 'ops/muster.yaml',
      logLevel: 'debug',
      logLevelSet: true,
      redisPrefix: 'staging:muster:',
      slackBotToken: 'xoxb-1',
      slackSigningSecret: 'shh',
      slackAppToken: 'xapp-1',
      slackApiUrl: 'http://127.0.0.1:9999/api/',
      port: 8080,
      discordToken: 'disc',
      discordApplicationId: '1200000000000000001',
      discordGuildId: '1100000000000000001',
      discordApiUrl: 'http://127.0.0.1:9999/api',
      hookToken: 'hook-token-0123456789',
      hookSecret: 'hook-secret-0123456789',
      httpHost: '0.0.0.0',
      httpPort: 9090,
    });
  });

  it('treats an empty variable as unset', () => {
    const { raw: _a, ...blank } = loadEnv({ REDIS_URL: '', MUSTER_LOG_LEVEL: ' ' });
    const { raw: _b, ...empty } = loadEnv({});
    expect(blank).toEqual(empty);
  });

  it('accepts LOG_LEVEL when MUSTER_LOG_LEVEL is unset, in any case', () => {
    expect(loadEnv({ LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
    expect(loadEnv({ LOG_LEVEL: 'warn', MUSTER_LOG_LEVEL: 'error' }).logLevel).toBe('error');
  });

  it('refuses a bad log level, naming the variable and the choices', () => {
    const [problem, ...rest] = problemsOf({ MUSTER_LOG_LEVEL: 'verbose' });
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ file: 'environment', path: 'MUSTER_LOG_LEVEL' });
    expect(problem?.message).toBe('invalid value "verbose"');
    expect(problem?.hint).toContain('set MUSTER_LOG_LEVEL to one of');
    expect(problem?.hint).toContain('debug, info, warn, error');
  });

  it('reports every bad variable, and never prints a Redis password', () => {
    const problems = problemsOf({ REDIS_URL: 'http://user:hunter2@cache:6379', LOG_LEVEL: 'loud' });
    expect(problems.map((p) => p.path)).toEqual(['REDIS_URL', 'LOG_LEVEL']);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('refuses Discord ids that are not snowflakes and an API URL with a version or a trailing slash', () => {
    expect(problemsOf({ DISCORD_APPLICATION_ID: 'my-app', DISCORD_GUILD_ID: '12', DISCORD_API_URL: 'https://discord.com/api/v10' }).map((p) => p.path)).toEqual([
      'DISCORD_APPLICATION_ID',
      'DISCORD_GUILD_ID',
      'DISCORD_API_URL',
    ]);
    expect(problemsOf({ DISCORD_API_URL: 'https://discord.com/api/' }).map((p) => p.path)).toEqual(['DISCORD_API_URL']);
    expect(loadEnv({ DISCORD_API_URL: 'https://discord.com/api' }).discordApiUrl).toBe('https://discord.com/api');
  });

  it('refuses a bad port and a Slack API URL without its trailing slash', () => {
    expect(problemsOf({ PORT: '99999', SLACK_API_URL: 'http://fake/api' }).map((p) => p.path)).toEqual(['SLACK_API_URL', 'PORT']);
  });

  it('refuses a key prefix with spaces', () => {
    expect(problemsOf({ MUSTER_REDIS_PREFIX: 'my prefix' })[0]?.path).toBe('MUSTER_REDIS_PREFIX');
  });
});

describe('redactUrl', () => {
  it('replaces the password with ***', () => {
    expect(redactUrl('redis://default:s3cret@redis.internal:6379/0')).toBe('redis://default:***@redis.internal:6379/0');
    expect(redactUrl('rediss://:s3cret@redis.internal:6380')).toBe('rediss://:***@redis.internal:6380');
  });

  it('leaves a URL without a password alone', () => {
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl('redis://user@host:6379')).toBe('redis://user@host:6379');
  });

  it('hides a password even in text that is not a valid URL', () => {
    expect(redactUrl('redis://user:p@ss word@host')).not.toContain('ss word');
  });
});
