/**
 * A local Redis primary, one replica and three Sentinels on free ports, in a
 * temp folder, for failover tests. Every wait is on a readiness signal (PING,
 * INFO replication, SENTINEL replies) with a bound that only stops a hung
 * test; `stop()` kills every process started here, even after a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis-cluster.js';
import { until } from './redis.js';

export const SENTINEL_NAME = 'muster-primary';
const HOST = '127.0.0.1';

interface Started {
  name: string;
  port: number;
  process: ChildProcess;
  output: string[];
}

export class SentinelGroup {
  readonly dir = mkdtempSync(join(tmpdir(), 'muster-sentinel-'));
  readonly servers: Started[] = [];
  readonly sentinels: Started[] = [];
  private readonly clients = new Map<number, Redis>();

  /** The REDIS_SENTINELS value for this group. */
  get sentinelList(): string {
    return this.sentinels.map((s) => `${HOST}:${s.port}`).join(',');
  }

  get primary(): Started {
    return this.servers[0]!;
  }

  get replica(): Started {
    return this.servers[1]!;
  }

  /** Starts everything and waits until the Sentinels know the primary, the replica and each other. */
  async start(): Promise<this> {
    const primaryPort = await freePort();
    this.launch('primary', primaryPort, this.serverArgs(primaryPort), this.servers);
    const replicaPort = await freePort();
    this.launch('replica', replicaPort, [...this.serverArgs(replicaPort), '--replicaof', HOST, String(primaryPort)], this.servers);
    await until(() => this.info(replicaPort, 'replication').then((info) => info.includes('master_link_status:up')), 'the replica to sync');
    for (let index = 0; index < 3; index += 1) {
      const port = await freePort();
      const file = join(this.dir, `sentinel-${index}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          `bind ${HOST}`,
          `dir ${this.dir}`,
          `sentinel monitor ${SENTINEL_NAME} ${HOST} ${primaryPort} 2`,
          // Short, so the test fails over in a few seconds; production keeps the defaults (30 s).
          `sentinel down-after-milliseconds ${SENTINEL_NAME} 1000`,
          `sentinel failover-timeout ${SENTINEL_NAME} 10000`,
          `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
          '',
        ].join('\n'),
      );
      this.launch(`sentinel-${index}`, port, [file, '--sentinel'], this.sentinels);
    }
    for (const sentinel of this.sentinels) {
      await until(async () => {
        const client = this.client(sentinel.port);
        const others = (await client.call('SENTINEL', 'SENTINELS', SENTINEL_NAME)) as unknown[];
        const replicas = (await client.call('SENTINEL', 'REPLICAS', SENTINEL_NAME)) as unknown[];
        return others.length === 2 && replicas.length === 1;
      }, `${sentinel.name} to discover the other Sentinels and the replica`);
    }
    return this;
  }

  /** The port every Sentinel names as the primary, once they agree. */
  async agreedPrimaryPort(): Promise<number | undefined> {
    const ports = await Promise.all(
      this.sentinels.map(async (s) => {
        const addr = (await this.client(s.port).call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME)) as [string, string] | null;
        return addr ? Number(addr[1]) : undefined;
      }),
    );
    return ports.every((port) => port === ports[0]) ? ports[0] : undefined;
  }

  /**
   * Writes a marker on the primary and waits (WAIT 1) until the replica has
   * acknowledged it. Replication is one ordered stream, so every write the
   * primary ran before the marker, from any client, is on the replica too.
   */
  async replicaCaughtUp(): Promise<void> {
    const client = this.client(this.primary.port);
    await client.set('sentinel-test:marker', String(Date.now()));
    const acked = Number(await client.call('WAIT', '1', '5000'));
    if (acked < 1) throw new Error('the replica did not acknowledge the writes within 5 s');
  }

  /** kill -9 of the primary: no shutdown, no last save, connections cut. */
  async killPrimary(): Promise<void> {
    const { process: child } = this.primary;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async info(port: number, section: string): Promise<string> {
    return this.client(port).info(section);
  }

  /** Kills every process started here and removes the folder; safe to call twice. */
  async stop(): Promise<void> {
    for (const client of this.clients.values()) client.disconnect();
    this.clients.clear();
    const all = [...this.sentinels, ...this.servers];
    await Promise.all(
      all.map(async ({ process: child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** What the processes printed, for a failure message. */
  output(): string {
    return [...this.servers, ...this.sentinels].map((s) => `--- ${s.name} (${s.port})\n${s.output.join('').slice(-2000)}`).join('\n');
  }

  /** No persistence: the test is about replication, and a restart is not part of it. */
  private serverArgs(port: number): string[] {
    return ['--port', String(port), '--bind', HOST, '--dir', this.dir, '--dbfilename', `dump-${port}.rdb`, '--save', '', '--appendonly', 'no'];
  }

  private launch(name: string, port: number, args: string[], into: Started[]): void {
    // An argument array, never a shell string.
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const started: Started = { name, port, process: child, output: [] };
    child.stdout?.on('data', (chunk: Buffer) => started.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => started.output.push(chunk.toString()));
    into.push(started);
  }

  /** One admin client per port, closed by stop(). */
  private client(port: number): Redis {
    let client = this.clients.get(port);
    if (!client) {
      client = new Redis({ host: HOST, port, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
      client.on('error', () => {});
      this.clients.set(port, client);
    }
    return client;
  }
}
