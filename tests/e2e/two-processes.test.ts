/**
 * Two server processes sharing PostgreSQL and Redis (Socket.IO Redis Streams adapter): each time-driven
 * step fires exactly once, each documents job runs once, and a client connected to either process sees
 * the same sequence of events.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HallClient } from '@bidhall/shared/hall-client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptOwnBid, openEnvelope, submitShare } from '../../server/src/hall-client/bidder-actions.ts';
import {
  afterDeadline,
  bidsDecrypted,
  confirmedOutage,
  endWindow,
  keysOf,
  prepareOpening,
  statusOf,
} from '../support/hall.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-two-'));
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bidhall-test-${randomBytes(4).toString('hex')}`;
let a: TestServer;
let b: TestServer;
const clients: HallClient[] = [];

beforeAll(async () => {
  const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix };
  a = await startTestServer({ listen: true, env });
  b = await startTestServer({ listen: true, env, shareWith: a });
});
afterAll(async () => {
  for (const client of clients) client.close();
  await b.close();
  await a.close();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  rmSync(work, { recursive: true, force: true });
});

async function enter(
  server: TestServer,
  actor: string,
  role: 'bidder' | 'host' | 'supervisor' | 'custodian',
  tenderId: string,
) {
  const { token } = await server.login(actor, role);
  const client = new HallClient({ url: server.url, token });
  await client.connect();
  await client.join(tenderId);
  clients.push(client);
  return client;
}

async function auditActions(tenderId: string): Promise<string[]> {
  await a.app.audit.flush();
  await b.app.audit.flush();
  const rows = await a.database.handle.queryText(
    `SELECT entry::jsonb ->> 'action', entry::jsonb -> 'detail' ->> 'step' FROM audit_log WHERE tender_id = '${tenderId}' ORDER BY seq`,
  );
  return rows.map(([action, step]) => (step ? `${action}:${step}` : action!));
}

describe('two server processes', () => {
  it('hold one request limit between them: the limit counts in Redis', async () => {
    const env = { REDIS_URL: redisUrl, REDIS_PREFIX: `${prefix}-limits`, LOGIN_RATE_LIMIT_PER_MINUTE: '3' };
    const first = await startTestServer({ env });
    const second = await startTestServer({ env, shareWith: first });
    try {
      const challenge = (server: TestServer) =>
        server.app.inject({ method: 'POST', url: '/api/auth/challenge', remoteAddress: '10.9.8.7' });
      const answers = [];
      for (const server of [first, second, first, second]) answers.push((await challenge(server)).statusCode);
      // Three in all, whichever process took them: the fourth is refused.
      expect(answers).toEqual([200, 200, 200, 429]);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('take a decryption self-test asked of one and answered through the other, once, by its own bidder', async () => {
    const { tender } = await prepareOpening(a, work, ['bidder1', 'bidder2']);
    const onA = await enter(a, 'bidder1', 'bidder', tender.id);
    const onB = await enter(b, 'bidder1', 'bidder', tender.id);
    const other = await enter(b, 'bidder2', 'bidder', tender.id);
    const challenge = await onA.request('hall:self-test-challenge', { tenderId: tender.id });
    const secret = await openEnvelope(Buffer.from(challenge.envelope, 'base64'), keysOf('bidder1'));
    const answer = {
      tenderId: tender.id,
      challengeId: challenge.challengeId,
      answer: createHash('sha256').update(secret).digest('base64'),
      summaryOk: true,
    };
    // Another bidder cannot use it (and does not use it up).
    await expect(other.request('hall:self-test', answer)).rejects.toThrow(/SELF_TEST_UNKNOWN/);
    expect((await onB.request('hall:self-test', answer)).passed).toBe(true);
    await expect(onA.request('hall:self-test', answer)).rejects.toThrow(/SELF_TEST_UNKNOWN/);
  });

  it('carry out a custodian remedy across processes: shares rest sealed, an approval reaches the holder, a holder gone means submitting again', async () => {
    const { tender } = await prepareOpening(a, work, ['bidder1', 'bidder2', 'bidder3']);
    const host = await enter(a, 'host', 'host', tender.id);
    const supervisorOnB = await enter(b, 'supervisor', 'supervisor', tender.id);
    a.clock.set(afterDeadline(tender));
    a.app.scheduler.poke();
    b.app.scheduler.poke();
    await host.waitFor((e) => e.type === 'status' && e.data.status === 'opened');
    await host.request('hall:start-decryption', { tenderId: tender.id });
    // The platform failed everyone: a confirmed outage puts both bids in the custodians' hands.
    await confirmedOutage(a, tender.id, host, supervisorOnB, '解密服务中断');
    await endWindow(a, tender.id, host);
    const pending = () =>
      host.events.filter((e) => e.type === 'bid' && e.data.openingStatus === 'remedy-pending').length === 3;
    await host.waitFor(pending);

    // A third process takes the first share and so holds the remedy; it stops before the approval.
    const c = await startTestServer({
      listen: true,
      env: { REDIS_URL: redisUrl, REDIS_PREFIX: prefix },
      shareWith: a,
    });
    const onC = await enter(c, 'custodian1', 'custodian', tender.id);
    expect(await submitShare(onC, tender.id, keysOf('custodian1'))).toBe(1);
    expect(
      await submitShare(
        await enter(b, 'custodian3', 'custodian', tender.id),
        tender.id,
        keysOf('custodian3'),
      ),
    ).toBe(2);
    // At rest: sealed to the holder's key, never the share itself.
    const rows = await a.database.handle.queryText(
      `SELECT encode(sealed, 'hex') FROM remedy_shares WHERE tender_id = '${tender.id}'`,
    );
    expect(rows).toHaveLength(2);
    const [own] = await a.database.handle.queryText(
      `SELECT encode(sealed_share, 'hex') FROM tender_custodians WHERE tender_id = '${tender.id}' LIMIT 1`,
    );
    expect(rows.map(([hex]) => hex)).not.toContain(own![0]);
    onC.close();
    await c.close();
    await expect(
      supervisorOnB.request('hall:approve-remedy', { tenderId: tender.id, reason: '同意补救' }),
    ).rejects.toThrow(/REMEDY_RESTARTED/);
    expect((await host.request('hall:join', { tenderId: tender.id })).snapshot.remedy).toBeNull();

    // Submitted again, through A and B: A holds it now; the supervisor's approval on B is carried out there.
    expect(
      await submitShare(
        await enter(a, 'custodian1', 'custodian', tender.id),
        tender.id,
        keysOf('custodian1'),
      ),
    ).toBe(1);
    expect(
      await submitShare(
        await enter(b, 'custodian2', 'custodian', tender.id),
        tender.id,
        keysOf('custodian2'),
      ),
    ).toBe(2);
    expect(
      await supervisorOnB.request('hall:approve-remedy', { tenderId: tender.id, reason: '同意补救' }),
    ).toEqual({
      approved: true,
    });
    await bidsDecrypted(supervisorOnB, 3);
    expect((await host.request('hall:join', { tenderId: tender.id })).snapshot.remedy).toBeNull();
    expect(Number((await a.database.handle.queryText(`SELECT count(*) FROM remedy_shares`))[0]![0])).toBe(0);
  });

  it('hand a closing process’s running documents decryption back at once, for another process to finish', async () => {
    // Two processes of their own that take work only when poked (the bidder's key pokes the one it reaches).
    const slow = { REDIS_URL: redisUrl, REDIS_PREFIX: `${prefix}-jobs`, SCHEDULER_POLL_MS: '60000' };
    const owner = await startTestServer({ listen: true, env: slow });
    const closing = await startTestServer({
      listen: true,
      env: { ...slow, DECRYPTION_SHUTDOWN_GRACE_SECONDS: '0' },
      shareWith: owner,
    });
    try {
      const { tender } = await prepareOpening(owner, work, ['bidder1', 'bidder2', 'bidder3'], {}, 60_000_000);
      const host = await enter(owner, 'host', 'host', tender.id);
      owner.clock.set(afterDeadline(tender));
      owner.app.scheduler.poke();
      await host.waitFor((e) => e.type === 'status' && e.data.status === 'opened');
      await host.request('hall:start-decryption', { tenderId: tender.id });
      const bidder = await enter(closing, 'bidder1', 'bidder', tender.id);
      await decryptOwnBid(bidder, tender.id, keysOf('bidder1'));
      await expect.poll(() => closing.app.hall.jobs.running, { interval: 5 }).toBe(1);
      bidder.close();
      await closing.close();
      // Handed back: no lease held, nothing decrypted yet, so the other process may take it now.
      const [row] = await owner.database.handle.queryText(
        `SELECT documents_lease_until IS NULL, documents_plain_sha256 IS NULL FROM bids WHERE tender_id = '${tender.id}'`,
      );
      expect(row).toEqual([true, true]);
      owner.app.scheduler.poke();
      await bidsDecrypted(host, 1, 60_000);
    } finally {
      await closing.close().catch(() => undefined);
      await owner.close();
    }
  }, 120_000);

  it('share one opening: steps fire once, events reach clients on both', async () => {
    const { tender } = await prepareOpening(a, work, ['bidder1', 'bidder2', 'bidder3']);
    const host = await enter(a, 'host', 'host', tender.id);
    const supervisor = await enter(b, 'supervisor', 'supervisor', tender.id);
    const bidders = [
      await enter(b, 'bidder1', 'bidder', tender.id),
      await enter(a, 'bidder2', 'bidder', tender.id),
      await enter(b, 'bidder3', 'bidder', tender.id),
    ];
    // Both schedulers see the deadline pass at the same moment.
    a.clock.set(afterDeadline(tender));
    a.app.scheduler.poke();
    b.app.scheduler.poke();
    await supervisor.waitFor((e) => e.type === 'status' && e.data.status === 'opened');
    await host.request('hall:start-decryption', { tenderId: tender.id });
    await supervisor.waitFor((e) => e.type === 'window');
    for (const [i, name] of ['bidder1', 'bidder2', 'bidder3'].entries())
      await decryptOwnBid(bidders[i]!, tender.id, keysOf(name));
    await host.waitFor(
      () => host.events.filter((e) => e.type === 'bid' && e.data.openingStatus === 'decrypted').length === 3,
      60_000,
    );
    const endsAt = (await host.join(tender.id)).window!.endsAt!;
    a.clock.set(new Date(new Date(endsAt).getTime() + 1000));
    a.app.scheduler.poke();
    b.app.scheduler.poke();
    await supervisor.waitFor((e) => e.type === 'window' && e.data.reason === 'ended');
    expect(await statusOf(a, tender.id)).toBe('decrypting');

    const actions = await auditActions(tender.id);
    const count = (name: string) => actions.filter((x) => x === name).length;
    expect(count('hall.timed-step:open-check-in')).toBe(1);
    expect(count('hall.timed-step:open-bids')).toBe(1);
    expect(count('hall.timed-step:end-window')).toBe(1);
    expect(count('hall.documents-decrypted')).toBe(3);

    // The last event is the one the database sequenced last; every client, host included, must get it.
    const [[stored]] = (await a.database.handle.queryText(
      `SELECT hall_seq::text FROM tenders WHERE id = '${tender.id}'`,
    )) as [[string]];
    const last = Number(stored);
    for (const client of [host, supervisor, ...bidders]) await client.waitFor((e) => e.seq === last);
    const sequence = (client: HallClient) =>
      client.events.filter((e) => e.seq > bidders[0]!.snapshot!.seq).map((e) => e.seq);
    for (const client of [host, supervisor, ...bidders])
      expect(sequence(client)).toEqual(sequence(supervisor));
  });
});
