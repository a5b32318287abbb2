/**
 * Redis restarted in the middle of an opening shared by two server processes (a Redis of this test's own,
 * on its own port: the machine's is untouched). While it is away the opening goes on (PostgreSQL is the
 * record), readiness says Redis is down, and broadcasts between the processes are lost; once it is back,
 * the first event a client receives after the hole makes it fetch what it missed, so every client ends
 * with the whole sequence, and the audit chain verifies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/src/audit/verify.ts';
import { afterDeadline, joinHall, prepareOpening } from '../support/hall.ts';
import { freePort } from '../support/processes.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-redis-restart-'));
let port = 0;
let redis: ChildProcess | null = null;
let a: TestServer;
let b: TestServer;

async function startRedis(): Promise<void> {
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    const ready = await new Promise<boolean>((resolve) => {
      const probe = spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      probe.stdout.on('data', (chunk) => {
        out += chunk;
      });
      probe.on('close', () => resolve(out.trim() === 'PONG'));
    });
    if (ready) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

async function stopRedis(): Promise<void> {
  const running = redis;
  redis = null;
  if (!running) return;
  running.kill('SIGKILL');
  await once(running, 'exit');
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  const env = { REDIS_URL: `redis://127.0.0.1:${port}` };
  a = await startTestServer({ listen: true, env });
  b = await startTestServer({ listen: true, env, shareWith: a });
}, 60_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
  await stopRedis();
  rmSync(work, { recursive: true, force: true });
});

describe('Redis restarted mid-opening', () => {
  it('goes on through it, and every client ends with the whole sequence of events', async () => {
    const { tender } = await prepareOpening(a, work, ['bidder1', 'bidder2', 'bidder3']);
    const host = await joinHall(a, 'host', 'host', tender.id);
    const watcher = await joinHall(b, 'supervisor', 'supervisor', tender.id);
    try {
      await stopRedis();
      // The opening goes on on A: the deadline passes, decryption starts; B's watcher hears nothing of it.
      a.clock.set(afterDeadline(tender));
      a.app.scheduler.poke();
      await host.waitFor((e) => e.type === 'status' && e.data.status === 'opened');
      await host.request('hall:start-decryption', { tenderId: tender.id });
      const ready = await a.app.inject({ url: '/health/ready' });
      expect([ready.statusCode, ready.json().checks.redis]).toEqual([503, expect.stringMatching(/^down: /)]);

      await startRedis();
      await expect
        .poll(async () => (await a.app.inject({ url: '/health/ready' })).statusCode, { timeout: 30_000 })
        .toBe(200);
      await expect
        .poll(async () => (await b.app.inject({ url: '/health/ready' })).statusCode, { timeout: 30_000 })
        .toBe(200);
      // The next event reaches B's watcher after the hole: it fetches the missed ones, in order.
      await expect
        .poll(
          async () => {
            await host
              .request('hall:pause', { tenderId: tender.id, reason: '网络抖动' })
              .catch(() => undefined);
            await host
              .request('hall:resume', { tenderId: tender.id, reason: '已恢复' })
              .catch(() => undefined);
            return watcher.lastSeq === host.lastSeq && watcher.lastSeq > 0;
          },
          { timeout: 30_000, interval: 500 },
        )
        .toBe(true);
      const seqs = watcher.events.map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
      expect(watcher.events.some((e) => e.type === 'status' && e.data.status === 'opened')).toBe(true);
      await a.app.audit.flush();
      expect(await verifyAuditChain(a.database.handle)).toMatchObject({ ok: true });
    } finally {
      host.close();
      watcher.close();
    }
  }, 120_000);
});
