/**
 * PostgreSQL stopped for 30 s under a running server: a PostgreSQL cluster this test starts itself with
 * initdb and pg_ctl on a port of its own (the machine's shared server is untouched). While it is down,
 * writes are refused with DATABASE_UNAVAILABLE (503, Retry-After), readiness says why, liveness stays,
 * nothing is half-written (no bid row, no stored part, no temporary file); once it is back, the server
 * serves again by itself and the audit chain verifies.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TenderView } from '@bidhall/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/src/audit/verify.ts';
import { opensslSealedBid } from '../support/bids.ts';
import { freePort } from '../support/processes.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { bufferPart, streamUpload } from '../support/stream-upload.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-db-outage-'));
const cluster = join(work, 'pg');
const bin = (() => {
  const root = '/usr/lib/postgresql';
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0]!;
  return (tool: string) => join(root, version, 'bin', tool);
})();
let port = 0;
let server: TestServer;

/** PostgreSQL refuses to run as root: as root, the cluster is the postgres user's. */
function asOwner(tool: string, args: string[]): void {
  const command =
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin(tool), ...args]] : [bin(tool), args];
  execFileSync(command[0] as string, command[1] as string[], { stdio: 'ignore' });
}
const pgCtl = (action: 'start' | 'stop') =>
  asOwner(
    'pg_ctl',
    action === 'start'
      ? [
          '-D',
          cluster,
          '-l',
          join(work, 'pg.log'),
          '-w',
          '-o',
          `-p ${port} -k ${work} -c listen_addresses=127.0.0.1`,
          'start',
        ]
      : ['-D', cluster, '-m', 'fast', '-w', 'stop'],
  );

beforeAll(async () => {
  if (process.getuid?.() === 0) {
    chownSync(
      work,
      Number(execFileSync('id', ['-u', 'postgres']).toString()),
      Number(execFileSync('id', ['-g', 'postgres']).toString()),
    );
  }
  asOwner('initdb', ['-D', cluster, '-U', 'postgres', '--auth=trust', '--no-sync']);
  port = await freePort();
  pgCtl('start');
  server = await startTestServer({
    listen: true,
    postgresUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
  });
}, 60_000);
afterAll(async () => {
  if (existsSync(join(cluster, 'postmaster.pid'))) pgCtl('stop');
  await server?.close().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

function parts(tender: TenderView, bidder: string) {
  const files = opensslSealedBid(work, tender, { bidder, documents: randomBytes(200_000) });
  return {
    manifest: Buffer.from(files.manifestText),
    signature: Buffer.from(files.manifestSignature, 'base64'),
    summary: bufferPart(readFileSync(files.summary)),
    documents: bufferPart(readFileSync(files.documents)),
  };
}

const stored = () => readdirSync(join(server.config.dataDir, 'blobs', 'sha256'), { recursive: true }).length;
const temporary = () => readdirSync(join(server.config.dataDir, 'blobs', 'tmp'));

describe('PostgreSQL stopped for 30 s', () => {
  it('refuses writes with a clear error, half-writes nothing, and serves again by itself when it is back', async () => {
    const host = (await server.login('host', 'host')).token;
    const bidder = (await server.login('bidder1', 'bidder')).token;
    const tender = await server.createTender(host);
    const upload = parts(tender, 'bidder1');
    const before = stored();

    pgCtl('stop');
    const stoppedAt = Date.now();
    const refused = await streamUpload(server.url, bidder, tender.id, upload);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    const list = await fetch(`${server.url}/api/tenders`, { headers: { authorization: `Bearer ${host}` } });
    expect([list.status, list.headers.get('retry-after')]).toEqual([503, '5']);
    expect(await list.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { database: string } }).checks.database).toMatch(/^down: /);
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    // Nothing half-written: no stored part, no temporary file.
    expect(stored()).toBe(before);
    expect(temporary()).toEqual([]);
    // Down for 30 s in all.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - stoppedAt))));

    pgCtl('start');
    await expect
      .poll(async () => (await fetch(`${server.url}/health/ready`)).status, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(200);
    const accepted = await streamUpload(server.url, bidder, tender.id, upload);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    const bids = await server.database.handle.queryText(
      `SELECT count(*)::text FROM bids WHERE tender_id = '${tender.id}' AND status = 'submitted'`,
    );
    expect(bids[0]![0]).toBe('1');
    await server.app.audit.flush();
    expect(await verifyAuditChain(server.database.handle)).toMatchObject({ ok: true });
  }, 120_000);
});
