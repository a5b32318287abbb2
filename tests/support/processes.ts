/**
 * Server processes of their own for the fault tests: `bidhall start` spawned on a test's database and data
 * folder, a free port to put it on, and the checks every such test ends with (every client's events whole
 * and in order, nothing half-written left, the audit chain verifying from the command line).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { HallClient } from '@bidhall/shared/hall-client';
import { expect } from 'vitest';
import { unwrapOwnKey } from '../../server/src/hall-client/bidder-actions.ts';
import { keysOf } from './hall.ts';
import type { TestServer } from './server.ts';

export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  return port;
}

export async function answers(url: string): Promise<boolean> {
  return fetch(url).then(
    (r) => r.ok,
    () => false,
  );
}

/**
 * `bidhall start` as its own process on `setup`'s database and data folder, quick to take over a dead
 * process's jobs (2 s leases), resolved once `readyPath` answers.
 */
export async function startServerProcess(
  setup: TestServer,
  port: number,
  options: { env?: Record<string, string>; readyPath?: string; children: ChildProcess[] },
): Promise<ChildProcess> {
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
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  options.children.push(child);
  for (let i = 0; i < 150; i++) {
    if (await answers(`http://127.0.0.1:${port}${options.readyPath ?? '/api/health'}`)) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the server process did not start');
}

/**
 * Each bidder submits both its content keys; resolves once the watcher sees the documents decryption
 * under way (the moment a fault test kills a process).
 */
export async function submitKeysUntilDecrypting(
  watcher: HallClient,
  bidders: ReadonlyMap<string, HallClient>,
  tenderId: string,
): Promise<void> {
  const progressed = new Promise<void>((resolve) => watcher.socket.once('hall:progress', () => resolve()));
  for (const [name, client] of bidders) {
    const recipient = await client.request('hall:recipient', { tenderId });
    for (const part of ['summary', 'documents'] as const)
      await client.request('hall:decrypt', {
        tenderId,
        part,
        contentKey: unwrapOwnKey(recipient[part], keysOf(name)).toString('base64'),
      });
  }
  await progressed;
}

/** How many of the tender's bids still wait for their documents to be decrypted. */
export async function documentsPending(setup: TestServer, tenderId: string): Promise<number> {
  const rows = await setup.database.handle.queryText(
    `SELECT count(*)::text FROM bids WHERE tender_id = '${tenderId}' AND documents_key IS NOT NULL AND documents_plain_sha256 IS NULL`,
  );
  return Number(rows[0]![0]);
}

/** Every client saw every event up to the watcher's last, in order, without gaps. */
export async function expectWholeSequences(
  watcher: HallClient,
  others: readonly HallClient[],
): Promise<void> {
  const last = Math.max(...watcher.events.map((e) => e.seq));
  for (const client of others) await client.waitFor((e) => e.seq === last, 30_000);
  for (const client of [watcher, ...others]) {
    const seqs = client.events.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
  }
}

/** No half-written file in the blob store, and the audit chain verifies (`bidhall audit verify`). */
export async function expectNothingHalfWrittenAndAuditVerifies(setup: TestServer): Promise<void> {
  expect(readdirSync(join(setup.config.dataDir, 'blobs', 'tmp'))).toEqual([]);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['bin/bidhall.ts', 'audit', 'verify', '--json'],
    {
      env: { ...process.env, DATABASE_URL: setup.database.url, DATA_DIR: setup.config.dataDir },
    },
  );
  expect(JSON.parse(stdout)).toMatchObject({ ok: true });
}
