/**
 * The server killed with SIGKILL in the middle of decrypting documents, and started again: the session
 * resumes (clients reconnect and catch up), the interrupted job is taken over when its lease expires,
 * nothing decrypted is lost, no half-written file stays behind, and the audit chain verifies.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HallClient } from '@bidhall/shared/hall-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrapOwnKey } from '../../server/src/hall-client/bidder-actions.ts';
import { advanceTo, afterDeadline, joinHall, keysOf, prepareOpening } from '../support/hall.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-restart-'));
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
  rmSync(work, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  return port;
}

/** `bidhall start` as its own process on the shared database and data folder. */
async function startProcess(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/bidhall.ts', 'start'], {
    env: {
      ...process.env,
      DATABASE_URL: setup.database.url,
      DATA_DIR: setup.config.dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DECRYPTION_THREADS: '1',
      DECRYPTION_LEASE_SECONDS: '2',
      SCHEDULER_POLL_MS: '100',
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      // The demo would upload bids of its own into the shared data folder while the test looks at it.
      DEMO: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  for (let i = 0; i < 150; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the server process did not start');
}

describe('SIGKILL during decryption', () => {
  it('resumes after a restart: nothing decrypted is lost, every client catches up, the audit chain verifies', async () => {
    const bidders = ['bidder1', 'bidder2', 'bidder3'];
    const { tender } = await prepareOpening(setup, work, bidders, {}, 80 * 1024 * 1024);
    await advanceTo(setup, tender.id, afterDeadline(tender), 'opened');
    const host = await joinHall(setup, 'host', 'host', tender.id);
    clients.push(host);
    await host.request('hall:start-decryption', { tenderId: tender.id });
    // From here on, separate server processes do the work.
    await setup.app.scheduler.stop();

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await startProcess(port);
    const watcher = new HallClient({ url, token: (await setup.login('supervisor', 'supervisor')).token });
    clients.push(watcher);
    await watcher.connect();
    await watcher.join(tender.id);
    const bidderClients = new Map<string, HallClient>();
    for (const name of bidders) {
      const client = new HallClient({ url, token: (await setup.login(name, 'bidder')).token });
      clients.push(client);
      await client.connect();
      await client.join(tender.id);
      bidderClients.set(name, client);
    }
    const progressed = new Promise<void>((resolve) => watcher.socket.once('hall:progress', () => resolve()));
    for (const name of bidders) {
      const client = bidderClients.get(name)!;
      const recipient = await client.request('hall:recipient', { tenderId: tender.id });
      for (const part of ['summary', 'documents'] as const) {
        await client.request('hall:decrypt', {
          tenderId: tender.id,
          part,
          contentKey: unwrapOwnKey(recipient[part], keysOf(name)).toString('base64'),
        });
      }
    }
    await progressed;
    children[0]!.kill('SIGKILL');
    await once(children[0]!, 'exit');

    // The kill really interrupted decryption: documents are still to be opened.
    const pending = await setup.database.handle.queryText(
      `SELECT count(*)::text FROM bids WHERE tender_id = '${tender.id}' AND documents_key IS NOT NULL AND documents_plain_sha256 IS NULL`,
    );
    expect(Number(pending[0]![0])).toBeGreaterThan(0);
    const summaries = await setup.database.handle.queryText(
      `SELECT count(*)::text FROM bids WHERE tender_id = '${tender.id}' AND summary_fields IS NOT NULL`,
    );
    expect(summaries[0]![0]).toBe('3');

    await startProcess(port);
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

    // Every client saw every event, in order, without gaps, across the restart.
    const last = Math.max(...watcher.events.map((e) => e.seq));
    for (const client of bidderClients.values()) await client.waitFor((e) => e.seq === last, 30_000);
    for (const client of [watcher, ...bidderClients.values()]) {
      const seqs = client.events.map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    }
    expect(readdirSync(join(setup.config.dataDir, 'blobs', 'tmp'))).toEqual([]);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/bidhall.ts', 'audit', 'verify', '--json'],
      {
        env: { ...process.env, DATABASE_URL: setup.database.url, DATA_DIR: setup.config.dataDir },
      },
    );
    expect(JSON.parse(stdout)).toMatchObject({ ok: true });
  });
});
