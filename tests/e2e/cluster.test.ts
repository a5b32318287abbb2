/**
 * Two `bidhall start` processes behind a real load balancer (Debian's HAProxy: round robin, WebSockets,
 * health checks on /health/ready), sharing PostgreSQL, Redis and the data folder. One is killed with
 * SIGKILL while it decrypts and while bidders are connected to it: they reconnect through the load
 * balancer to the other, miss no event (each sequence whole and in order), no submitted key or decryption
 * is lost, no half-written file stays, and the audit chain verifies. Real processes on 127.0.0.1,
 * bounded by the test's timeouts, stopped by it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HallClient } from '@bidhall/shared/hall-client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceTo, afterDeadline, joinHall, prepareOpening } from '../support/hall.ts';
import {
  answers,
  documentsPending,
  expectNothingHalfWrittenAndAuditVerifies,
  expectWholeSequences,
  freePort,
  startServerProcess,
  submitKeysUntilDecrypting,
} from '../support/processes.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-cluster-'));
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bidhall-cluster-${randomBytes(4).toString('hex')}`;
const haproxy = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';
let setup: TestServer;
const children: ChildProcess[] = [];
const clients: HallClient[] = [];

beforeAll(async () => {
  setup = await startTestServer({ listen: true });
});
afterAll(async () => {
  for (const client of clients) client.close();
  for (const child of children) child.kill('SIGKILL');
  await setup.close();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  rmSync(work, { recursive: true, force: true });
});

/** `bidhall start` as its own process on the shared database, Redis and data folder. */
const startProcess = (port: number) =>
  startServerProcess(setup, port, {
    env: { REDIS_URL: redisUrl, REDIS_PREFIX: prefix },
    readyPath: '/health/ready',
    children,
  });

/** HAProxy in front of the processes: round robin, WebSockets tunnelled, dead backends taken out. */
async function startBalancer(port: number, backends: readonly number[]): Promise<ChildProcess> {
  const config = join(work, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'defaults',
      '  mode http',
      '  timeout connect 1s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  timeout tunnel 1h',
      '  option redispatch',
      '  retries 3',
      'frontend bidhall',
      `  bind 127.0.0.1:${port}`,
      '  default_backend servers',
      'backend servers',
      '  balance roundrobin',
      '  option httpchk GET /health/ready',
      '  http-check expect status 200',
      ...backends.map((p, i) => `  server s${i + 1} 127.0.0.1:${p} check inter 300 fall 2 rise 1`),
      '',
    ].join('\n'),
  );
  const child = spawn(haproxy, ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  for (let i = 0; i < 100; i++) {
    if (await answers(`http://127.0.0.1:${port}/health/live`)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('HAProxy did not start');
}

describe('two processes behind HAProxy', () => {
  it('lose nothing when one is killed mid-decryption: its bidders move to the other and miss no event', async () => {
    const bidders = ['bidder1', 'bidder2', 'bidder3'];
    const { tender } = await prepareOpening(setup, work, bidders, {}, 60 * 1024 * 1024);
    await advanceTo(setup, tender.id, afterDeadline(tender), 'opened');
    const host = await joinHall(setup, 'host', 'host', tender.id);
    clients.push(host);
    await host.request('hall:start-decryption', { tenderId: tender.id });
    // From here on, the two processes behind the load balancer do the work.
    await setup.app.scheduler.stop();

    const ports = [await freePort(), await freePort()];
    const processes = [await startProcess(ports[0]!), await startProcess(ports[1]!)];
    const lbPort = await freePort();
    await startBalancer(lbPort, ports);
    const url = `http://127.0.0.1:${lbPort}`;

    const connect = async (actor: string, role: 'bidder' | 'supervisor') => {
      const client = new HallClient({ url, token: (await setup.login(actor, role)).token });
      clients.push(client);
      await client.connect();
      await client.join(tender.id);
      return client;
    };
    const watcher = await connect('supervisor', 'supervisor');
    const bidderClients = new Map<string, HallClient>();
    for (const name of bidders) bidderClients.set(name, await connect(name, 'bidder'));
    // Round robin spread the connections over both processes.
    const perProcess = async (port: number) =>
      Number(
        /bidhall_socket_connections\{namespace="\/"\} (\d+)/.exec(
          await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    const spread = [await perProcess(ports[0]!), await perProcess(ports[1]!)];
    expect(spread[0]! + spread[1]!).toBe(4);
    expect(Math.min(...spread)).toBeGreaterThan(0);

    await submitKeysUntilDecrypting(watcher, bidderClients, tender.id);
    processes[0]!.kill('SIGKILL');
    await once(processes[0]!, 'exit');
    expect(await documentsPending(setup, tender.id)).toBeGreaterThan(0);

    // The survivor finishes every bid; the clients of the dead process reconnected to it by themselves.
    await watcher.waitFor(
      () =>
        new Set(
          watcher.events
            .filter((e) => e.type === 'bid' && e.data.openingStatus === 'decrypted')
            .map((e) => e.seq),
        ).size >= 3,
      90_000,
    );
    const decrypted = await setup.database.handle.queryText(
      `SELECT count(*)::text FROM bids WHERE tender_id = '${tender.id}' AND opening_status = 'decrypted'`,
    );
    expect(decrypted[0]![0]).toBe('3');
    expect(await perProcess(ports[1]!)).toBe(4);
    await expectWholeSequences(watcher, [...bidderClients.values()]);
    await expectNothingHalfWrittenAndAuditVerifies(setup);
  }, 180_000);
});
