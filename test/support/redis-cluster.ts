/**
 * A one-node Redis Cluster (cluster-enabled, owning all 16384 slots) on a free
 * port in a temp folder. One node is enough to prove slot discipline: Redis
 * refuses a multi-key command or a script whose keys hash to different slots
 * (CROSSSLOT) exactly as a many-node cluster does. `stop()` kills it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { until } from './redis.js';

const HOST = '127.0.0.1';

export class OneNodeCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'muster-cluster-'));
  port = 0;
  admin: Redis | undefined;
  private child: ChildProcess | undefined;
  private readonly output: string[] = [];

  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }

  async start(): Promise<this> {
    this.port = await freePort();
    const args = ['--port', String(this.port), '--bind', HOST, '--dir', this.dir, '--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, 'nodes.conf'), '--save', '', '--appendonly', 'no'];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.child = child;
    const admin = new Redis({ host: HOST, port: this.port, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    admin.on('error', () => {});
    this.admin = admin;
    await until(() => admin.ping().then((pong) => pong === 'PONG'), 'the cluster node to answer');
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    await until(async () => String(await admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), 'the one-node cluster to be ok');
    return this;
  }

  async slotOf(key: string): Promise<number> {
    return Number(await this.admin!.call('CLUSTER', 'KEYSLOT', key));
  }

  async keys(): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.admin!.scan(cursor, 'COUNT', 500);
      found.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return found;
  }

  async stop(): Promise<void> {
    this.admin?.disconnect();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
