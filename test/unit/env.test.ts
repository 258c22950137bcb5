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
    expect(rest).toEqual({ logLevel: 'info', logLevelSet: false, redisPrefix: '{muster}:', port: 3000, httpHost: '127.0.0.1', httpPort: 8080 });
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
      redisPrefix: '{staging:muster}:',
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

  it('gives the key prefix a hash tag (one Redis Cluster slot) unless it has one', () => {
    expect(loadEnv({ MUSTER_REDIS_PREFIX: 'muster:' }).redisPrefix).toBe('{muster}:');
    expect(loadEnv({ MUSTER_REDIS_PREFIX: 'team-a' }).redisPrefix).toBe('{team-a}:');
    expect(loadEnv({ MUSTER_REDIS_PREFIX: 'prod:{muster}:' }).redisPrefix).toBe('prod:{muster}:');
    // "{}" is no hash tag for Redis (the whole key is hashed), so it gets a real one.
    expect(loadEnv({ MUSTER_REDIS_PREFIX: '{}x:' }).redisPrefix).toBe('{{}x}:');
  });

  it('reads the Sentinels and the primary name they monitor', () => {
    const env = loadEnv({ REDIS_SENTINELS: 's1:26379, 10.0.0.2:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'mymaster' });
    expect(env.redisSentinels).toEqual([
      { host: 's1', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    expect(env.redisSentinelName).toBe('mymaster');
    expect(env.redisUrl).toBeUndefined();
  });

  it('refuses a Sentinel list that is not host:port pairs, naming the bad entries', () => {
    const [problem, ...rest] = problemsOf({ REDIS_SENTINELS: 's1:26379,s2,s3:99999', REDIS_SENTINEL_NAME: 'mymaster' });
    expect(rest).toEqual([]);
    expect(problem?.path).toBe('REDIS_SENTINELS');
    expect(problem?.hint).toContain('"s2", "s3:99999" is not host:port');
    expect(problem?.hint).toContain('sentinel-1:26379,sentinel-2:26379');
    expect(problemsOf({ REDIS_SENTINELS: ',', REDIS_SENTINEL_NAME: 'm' })[0]?.path).toBe('REDIS_SENTINELS');
    expect(problemsOf({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'my master' })[0]?.path).toBe('REDIS_SENTINEL_NAME');
  });

  it('wants REDIS_SENTINELS and REDIS_SENTINEL_NAME together', () => {
    const [missingName] = problemsOf({ REDIS_SENTINELS: 's1:26379' });
    expect(missingName).toMatchObject({ path: 'REDIS_SENTINEL_NAME', message: 'missing while REDIS_SENTINELS is set' });
    expect(missingName?.hint).toContain('sentinel monitor <name>');
    const [missingList] = problemsOf({ REDIS_SENTINEL_NAME: 'mymaster' });
    expect(missingList).toMatchObject({ path: 'REDIS_SENTINELS', message: 'missing while REDIS_SENTINEL_NAME is set' });
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
