/**
 * The bot as its own process, the way production runs it: package.json's start
 * script (`node --max-semi-space-size=2 bin/muster.js start`: the compiled dist/, NODE_ENV=production) on Slack in HTTP mode, its
 * Web API pointed at test/support/slack's FakeSlack in this process, Redis at
 * REDIS_URL under "<prefix>proc…:". For comparison, the same bot from its
 * sources: `node --import tsx src/cli.ts start` (what `npm start` ran before
 * dist/ was required; one process, so no tsx CLI wrapper is counted).
 *
 * ready: from just before spawn() until the bot logs "Slack adapter listening"
 * (pino JSON on stderr), which startSlackBot writes after the workers, the
 * reconciler and the watchdog have started and Bolt listens; GET /readyz must
 * then answer 200. No sleep decides it.
 *
 * rss: the compiled process after 1,000 P1s were declared through signed slash
 * commands, every one of their first pages reached the fake and the bot's
 * outbox (muster_outbox_depth on /metrics) is empty; VmRSS from
 * /proc/<pid>/status (ps elsewhere). No forced GC: what production holds.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { FAKE_SLACK, FakeSlack, type MethodResult, type RecordedCall } from '../test/support/slack/fake-slack.js';
import { postSlashCommand } from '../test/support/slack/signed.js';
import { benchSlackConfigYaml, slackId } from './config.js';
import { REDIS_URL } from './redis.js';
import { observePush, pageIncident } from './slack.js';
import { forEachLimit, percentile, round1, sleep } from './stats.js';

const ROOT = join(import.meta.dirname, '..');
const SIGNING_SECRET = 'bench-process-signing-secret';
const OPS_CHANNEL = 'COPS';
const BROADCAST_CHANNEL = 'CINCIDENTS';
const READY_LINE = 'Slack adapter listening';
const HTTP_LINE = 'HTTP server listening';
const WAIT_MS = 120_000;
const MB = 1024 * 1024;

export type Build = 'compiled' | 'tsx';

/**
 * The compiled bot runs as `npm start` runs it (package.json's start script, with
 * its node flags), so the figures are production's. BENCH_NODE_FLAGS: extra
 * node flags ("--optimize-for-size"), to compare memory settings.
 */
function productionArgs(): string[] {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  if (start[0] !== 'node') throw new Error(`package.json's start script should run node, not: ${start.join(' ')}`);
  const flags = start.slice(1).filter((arg) => arg.startsWith('--'));
  return [...flags, ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), join(ROOT, 'bin', 'muster.js'), 'start'];
}

const COMMANDS: Record<Build, string[]> = {
  compiled: productionArgs(),
  tsx: ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'start'],
};

export interface ReadyRun {
  build: Build;
  /** spawn() -> the ready log line, ms. */
  readyMs: number;
  /** HTTP status of GET /readyz right after the ready line. */
  readyz: number;
  /** RSS of the process when it became ready, MB. */
  idleRssMb: number;
  /** Exit status after SIGTERM (0: a clean stop). */
  stopCode: number;
}

export interface LoadedRss {
  incidents: number;
  rssMb: number;
  /** Peak RSS of the process (VmHWM) over its life, MB; undefined off Linux. */
  peakRssMb?: number;
  declareMs: number;
  /** V8 heap used and reserved when RSS was read (the bot's /metrics), MB: live objects against slack. */
  heapUsedMb: number;
  heapTotalMb: number;
  /** Exit status after SIGTERM (0: a clean stop). */
  stopCode: number;
}

/** One spawned bot and what its log said. */
interface Spawned {
  child: ChildProcess;
  slackPort: number;
  httpPort: number;
  readyMs: number;
  exited: Promise<number>;
  /** The last few stderr lines, for an error message. */
  tail: string[];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The environment of the child: production wiring only, nothing inherited that would change what runs. */
function childEnv(fake: FakeSlack, prefix: string, slackPort: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(SLACK_|DISCORD_|MUSTER_)/.test(name) || name === 'NODE_OPTIONS') delete env[name];
  }
  return {
    ...env,
    NODE_ENV: 'production',
    REDIS_URL,
    MUSTER_REDIS_PREFIX: prefix,
    // Production refuses to start without an audit key; a throwaway one per run.
    MUSTER_AUDIT_KEY: randomBytes(32).toString('hex'),
    MUSTER_LOG_LEVEL: 'info',
    MUSTER_HTTP_PORT: '0',
    PORT: String(slackPort),
    SLACK_BOT_TOKEN: FAKE_SLACK.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
  };
}

/** Spawns the bot and resolves once it logs that it is ready (or rejects when it exits first). */
async function spawnBot(build: Build, fake: FakeSlack, configFile: string, prefix: string): Promise<Spawned> {
  const slackPort = await freePort();
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...COMMANDS[build], '--config', configFile], {
    cwd: ROOT,
    env: childEnv(fake, prefix, slackPort),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // A bench that dies (an uncaught error, process.exit) must not leave a bot running.
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => {
      process.removeListener('exit', orphaned);
      resolve(code ?? (signal ? 128 : -1));
    }),
  );
  const tail: string[] = [];
  let httpPort: number | undefined;
  const ready = new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr! });
    lines.on('line', (line) => {
      tail.push(line);
      if (tail.length > 8) tail.shift();
      const entry = parseLogLine(line);
      if (entry?.msg === HTTP_LINE && typeof entry.port === 'number') httpPort = entry.port;
      if (entry?.msg === READY_LINE) resolve(performance.now() - startedAt);
    });
    void exited.then((code) => reject(new Error(`${build} bot exited (${code}) before it was ready:\n${tail.join('\n')}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
  try {
    const readyMs = await ready;
    if (httpPort === undefined) throw new Error(`${build} bot did not log its HTTP port ("${HTTP_LINE}")`);
    return { child, slackPort, httpPort, readyMs, exited, tail };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function parseLogLine(line: string): { msg?: unknown; port?: unknown } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as { msg?: unknown; port?: unknown };
  } catch {
    return undefined;
  }
}

/**
 * SIGTERM, as an orchestrator stops it (SIGKILL after 30 s); resolves with the
 * exit status, 0 when the bot closed its connections and left on its own.
 */
async function stopBot(bot: Spawned): Promise<number> {
  const timer = setTimeout(() => bot.child.kill('SIGKILL'), 30_000);
  bot.child.kill('SIGTERM');
  const code = await bot.exited;
  clearTimeout(timer);
  return code;
}

/** Resident memory of a process, MB: VmRSS (and VmHWM) from /proc, else ps. */
function rssOf(pid: number): { rssMb: number; peakMb?: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    const kb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    return { rssMb: (kb * 1024) / MB };
  }
}

async function readyzStatus(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  await res.text();
  return res.status;
}

/** A sample of `name` on /metrics whose labels include `labels` (in any order); 0 when none is exposed. */
async function metric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((l) => {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(l);
    if (!match || match[1] !== name) return false;
    const have = (match[2] ?? '').split(',');
    return wanted.every((pair) => have.includes(pair));
  });
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** The fake Slack of every run: the ops channel the declarer types in and the broadcast channel. */
export class ProcessBench {
  /** Incident id -> first pages (Acknowledge DMs) that reached the fake. */
  private readonly paged = new Map<string, number>();
  /** Incidents in `paged` with all five first pages. */
  private complete = 0;
  private pageWaiter?: { target: number; progress(): void; resolve(): void };

  private constructor(
    private readonly fake: FakeSlack,
    private readonly dir: string,
    private readonly configFile: string,
  ) {
    observePush(fake.calls, (call) => this.onCall(call));
  }

  static async start(): Promise<ProcessBench> {
    const fake = await FakeSlack.start();
    fake.addChannel('ops', { id: OPS_CHANNEL, members: [slackId('alice')] });
    fake.addChannel('incidents', { id: BROADCAST_CHANNEL });
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-proc-'));
    const configFile = join(dir, 'muster.yaml');
    writeFileSync(configFile, benchSlackConfigYaml(BROADCAST_CHANNEL));
    return new ProcessBench(fake, dir, configFile);
  }

  async close(): Promise<void> {
    await this.fake.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Start to ready, `runs` times per build, the builds taking turns so load hits both alike. */
  async ready(runs: number, prefix: string): Promise<ReadyRun[]> {
    const results: ReadyRun[] = [];
    for (let i = 0; i < runs; i += 1) {
      for (const build of ['compiled', 'tsx'] as const) {
        const bot = await spawnBot(build, this.fake, this.configFile, `${prefix}${build}:`);
        let measured: Omit<ReadyRun, 'stopCode'>;
        try {
          measured = { build, readyMs: bot.readyMs, readyz: await readyzStatus(bot.httpPort), idleRssMb: rssOf(bot.child.pid!).rssMb };
        } catch (error) {
          await stopBot(bot);
          throw error;
        }
        results.push({ ...measured, stopCode: await stopBot(bot) });
      }
    }
    return results;
  }

  /** The compiled bot holding `incidents` active P1s, declared `inFlight` at a time over signed HTTP. */
  async loadedRss(incidents: number, inFlight: number, prefix: string): Promise<LoadedRss> {
    const bot = await spawnBot('compiled', this.fake, this.configFile, prefix);
    try {
      const url = `http://127.0.0.1:${bot.slackPort}/slack/events`;
      const startedAt = performance.now();
      const allPaged = this.waitForPaged(incidents);
      allPaged.catch(() => undefined); // awaited below, after the declarations; don't let an early rejection go unhandled
      await forEachLimit(Array.from({ length: incidents }, (_, i) => i), inFlight, async (i) => {
        const res = await postSlashCommand(url, SIGNING_SECRET, {
          command: '/incident',
          text: `declare Bench rss${i} checkout is failing sev=P1 service=checkout anyway=yes`,
          user_id: slackId('alice'),
          channel_id: OPS_CHANNEL,
          response_url: this.fake.responseUrl(`rss-${i}`),
        });
        if (res.status !== 200) throw new Error(`/incident declare answered HTTP ${res.status}: ${res.text}`);
      });
      await allPaged;
      const declareMs = performance.now() - startedAt;
      await this.drained(bot.httpPort);
      const active = await metric(bot.httpPort, 'muster_incidents', { severity: 'P1', status: 'assembling', drill: 'false' });
      if (active !== incidents) {
        const exposed = (await (await fetch(`http://127.0.0.1:${bot.httpPort}/metrics`)).text()).split('\n').filter((l) => l.startsWith('muster_incidents{'));
        throw new Error(`the bot reports ${active} P1s assembling (nobody acks here), expected ${incidents}: ${exposed.join('; ')}`);
      }
      const { rssMb, peakMb } = rssOf(bot.child.pid!);
      const heapUsedMb = (await metric(bot.httpPort, 'muster_nodejs_heap_size_used_bytes')) / 1_048_576;
      const heapTotalMb = (await metric(bot.httpPort, 'muster_nodejs_heap_size_total_bytes')) / 1_048_576;
      return { incidents, rssMb, declareMs, heapUsedMb, heapTotalMb, ...(peakMb !== undefined ? { peakRssMb: peakMb } : {}), stopCode: await stopBot(bot) };
    } catch (error) {
      await stopBot(bot);
      throw error;
    }
  }

  /** The fake fills a call's args after recording it: look once it answers (as bench/slack.ts does). */
  private onCall(call: RecordedCall): void {
    let response: MethodResult | undefined;
    Object.defineProperty(call, 'response', {
      configurable: true,
      enumerable: true,
      get: () => response,
      set: (value: MethodResult | undefined) => {
        response = value;
        if (value?.ok === true) this.onAnswered(call);
      },
    });
  }

  private onAnswered(call: RecordedCall): void {
    if (call.method !== 'chat.postMessage') return;
    const id = pageIncident(call);
    if (!id) return;
    const count = (this.paged.get(id) ?? 0) + 1;
    this.paged.set(id, count);
    if (count === 5) this.complete += 1;
    const waiter = this.pageWaiter;
    waiter?.progress();
    if (waiter && this.complete >= waiter.target) {
      this.pageWaiter = undefined;
      waiter.resolve();
    }
  }

  /**
   * Resolves when `count` incidents have had their five first pages; rejects
   * when no page arrived for WAIT_MS (a stalled bot, not a slow one).
   */
  private waitForPaged(count: number): Promise<void> {
    this.paged.clear();
    this.complete = 0;
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => reject(new Error(`only ${this.complete} of ${count} incidents got their five pages; none arrived for ${WAIT_MS} ms`)), WAIT_MS);
      };
      arm();
      this.pageWaiter = { target: count, progress: arm, resolve: () => (clearTimeout(timer), resolve()) };
    });
  }

  /** Waits until the bot's outbox (muster_outbox_depth) is empty: rooms, boards and announcements follow the pages. */
  private async drained(httpPort: number): Promise<void> {
    const until = performance.now() + WAIT_MS;
    while ((await metric(httpPort, 'muster_outbox_depth')) !== 0) {
      if (performance.now() > until) throw new Error(`the bot's outbox still holds messages after ${WAIT_MS} ms`);
      await sleep(100);
    }
  }
}

export interface ProcessResults {
  readyMs: number;
  readyTsxMs: number;
  rssMb: number;
}

/** Where the figures go: bench/run.ts's table, its notes and its progress lines. */
export interface Report {
  row(metric: string, value: string, target?: string, ok?: boolean): void;
  note(text: string): void;
  progress(text: string): void;
}

const ms = (value: number) => `${round1(value).toFixed(1)} ms`;
const mb = (value: number) => `${round1(value).toFixed(1)} MB`;
const median = (values: number[]) => percentile(values, 50);

export async function processFigures(plan: { readyRuns: number; rssIncidents: number; inFlight: number }, prefix: string, report: Report): Promise<ProcessResults> {
  const bench = await ProcessBench.start();
  try {
    report.progress(`process: start to ready, ${plan.readyRuns} x compiled (node bin/muster.js start) and tsx (node --import tsx src/cli.ts start)`);
    const runs = await bench.ready(plan.readyRuns, prefix);
    const compiled = runs.filter((run) => run.build === 'compiled');
    const tsx = runs.filter((run) => run.build === 'tsx');
    const readyMs = median(compiled.map((run) => run.readyMs));
    const readyTsxMs = median(tsx.map((run) => run.readyMs));
    report.progress(`process: the compiled bot with ${plan.rssIncidents} P1s declared over signed HTTP`);
    const loaded = await bench.loadedRss(plan.rssIncidents, plan.inFlight, `${prefix}rss:`);
    report.row('start -> ready p50, compiled (production, Slack on Redis)', ms(readyMs), '< 1500 ms', readyMs < 1500);
    report.row('  (info) start -> ready p50, sources through tsx', ms(readyTsxMs));
    report.row(`RSS, compiled bot holding ${loaded.incidents} active P1s`, mb(loaded.rssMb), '< 150 MB', loaded.rssMb < 150);
    report.row('  (info) RSS when ready p50, compiled / tsx', `${mb(median(compiled.map((run) => run.idleRssMb)))} / ${mb(median(tsx.map((run) => run.idleRssMb)))}`);
    const notReady = runs.filter((run) => run.readyz !== 200);
    const unclean = [...runs.map((run) => ({ what: `${run.build} ready run`, code: run.stopCode })), { what: 'loaded run', code: loaded.stopCode }].filter((run) => run.code !== 0);
    if (unclean.length > 0) report.note(`process: not a clean exit on SIGTERM (status): ${unclean.map((run) => `${run.what} ${run.code}`).join(', ')}`);
    report.note(
      `process: ready = spawn() until the "${READY_LINE}" log line; compiled ${compiled.map((run) => ms(run.readyMs)).join(', ')}; tsx ${tsx.map((run) => ms(run.readyMs)).join(', ')}; GET /readyz right after: ${notReady.length === 0 ? 'all 200' : notReady.map((run) => `${run.build} ${run.readyz}`).join(', ')}`,
    );
    report.note(
      `process: ${loaded.incidents} declarations (${plan.inFlight} in flight) took ${ms(loaded.declareMs)} until every first page reached the fake; RSS read once the outbox was empty (no forced GC), V8 heap then ${mb(loaded.heapUsedMb)} used of ${mb(loaded.heapTotalMb)}${loaded.peakRssMb !== undefined ? `; peak RSS ${mb(loaded.peakRssMb)}` : ''}`,
    );
    return { readyMs, readyTsxMs, rssMb: loaded.rssMb };
  } finally {
    await bench.close();
  }
}
