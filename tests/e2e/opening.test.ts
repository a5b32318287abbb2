/**
 * The live opening (不见面开标) end to end against a real server, PostgreSQL and Socket.IO: four bidders
 * in different places, a host and a supervisor, from check-in to the closed record.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HallClient } from '@bidhall/shared/hall-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/src/audit/verify.ts';
import {
  decryptOwnBid,
  selfTest,
  signRecord,
  submitShare,
} from '../../server/src/hall-client/bidder-actions.ts';
import { drawIndex, seedCommitment } from '../../server/src/opening/draw.ts';
import {
  advanceTo,
  afterDeadline,
  bidderNames,
  bidsDecrypted,
  confirmedOutage,
  endWindow,
  joinHall,
  keysOf,
  ofType,
  prepareOpening,
  signerOf,
} from '../support/hall.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-opening-'));
let server: TestServer;
const clients: HallClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ listen: true });
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

async function enter(actor: string, role: Parameters<typeof joinHall>[2], tenderId: string) {
  const client = await joinHall(server, actor, role, tenderId);
  clients.push(client);
  return client;
}

describe('a full opening with four bidders, a host and a supervisor', () => {
  it('runs from check-in to the closed, signed record', async () => {
    const { tender, drawSeeds } = await prepareOpening(server, work, bidderNames, {
      draw: {
        label: { zh: '下浮系数', en: 'Discount coefficient' },
        options: ['0.95', '0.96', '0.97', '0.98'],
      },
    });
    const host = await enter('host', 'host', tender.id);
    const supervisor = await enter('supervisor', 'supervisor', tender.id);
    const bidders = new Map<string, HallClient>();
    for (const name of bidderNames) bidders.set(name, await enter(name, 'bidder', tender.id));

    // Before the deadline: check-in is open, the bidder list is confidential, the self-test works.
    expect(host.snapshot).toMatchObject({ status: 'check-in', bids: [] });
    expect(bidders.get('bidder1')!.snapshot!.bids.map((b) => b.bidderName)).toEqual(['华东建设工程有限公司']);
    await bidders.get('bidder1')!.request('hall:check-in', { tenderId: tender.id });
    for (const name of bidderNames) {
      expect(await selfTest(bidders.get(name)!, tender.id, keysOf(name))).toMatchObject({ passed: true });
    }
    // A bidder holding the wrong key (a renewed certificate, say) learns it before the deadline.
    expect(await selfTest(bidders.get('bidder2')!, tender.id, keysOf('bidder1'))).toMatchObject({
      passed: false,
    });

    // Countdowns run on server time: every client's estimate of the server clock (which the test has
    // shifted) is right to within 100 ms, so countdowns agree across clients.
    const all = [...bidders.values(), host];
    for (const client of all) await client.syncTime();
    const serverOffset = server.clock.now().getTime() - Date.now();
    for (const client of all)
      expect(Math.abs(client.serverNow() - Date.now() - serverOffset)).toBeLessThan(100);

    // The deadline: bids locked, bidder list published to everyone.
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    await supervisor.waitFor((e) => e.type === 'status' && e.data.status === 'opened');
    await supervisor.waitFor(() => supervisor.events.filter(ofType('bid')).length === 4);

    const window = await host.request('hall:start-decryption', { tenderId: tender.id });
    expect(new Date(window.windowEndsAt).getTime()).toBeGreaterThan(server.clock.now().getTime());
    for (const name of bidderNames) await decryptOwnBid(bidders.get(name)!, tender.id, keysOf(name));
    // Three bidders reveal their draw seeds (committed in their signed manifests); bidder4 does not.
    for (const name of ['bidder1', 'bidder2', 'bidder3']) {
      await bidders
        .get(name)!
        .request('hall:reveal-seed', { tenderId: tender.id, seed: drawSeeds.get(name)! });
    }
    await expect(
      bidders.get('bidder4')!.request('hall:reveal-seed', { tenderId: tender.id, seed: 'a'.repeat(64) }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    // Documents are decrypted in the background; everyone sees each bid reach "decrypted".
    await supervisor.waitFor(
      () =>
        new Set(
          supervisor.events
            .filter(ofType('bid'))
            .filter((e) => e.data.openingStatus === 'decrypted')
            .map((e) => e.data.bidId),
        ).size === 4,
      60_000,
    );

    // bidder4 keeps its seed: the reading waits until seeds can no longer come, at the end of the window.
    await expect(host.request('hall:announce', { tenderId: tender.id })).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
    });
    await endWindow(server, tender.id, host);
    const { rows } = await host.request('hall:announce', { tenderId: tender.id });
    expect(rows).toBe(4);
    const table = await bidders.get('bidder3')!.waitFor(ofType('summary-table'));
    expect(table.data.rows).toContainEqual({
      bidderName: '北方路桥集团有限公司',
      fields: { price: '1012345.67', duration: 301 },
      documentsSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const draw = await supervisor.waitFor(ofType('draw'));
    // Anyone can recompute the draw from what was published.
    const published = draw.data;
    expect(seedCommitment(published.serverSeed!)).toBe(tender.draw!.serverSeedCommitment);
    const revealed = published.seeds.filter((s) => s.seed !== null);
    expect(revealed).toHaveLength(3);
    for (const s of revealed) expect(seedCommitment(s.seed!)).toBe(s.commitment);
    const index = drawIndex(
      published.serverSeed!,
      revealed.map((s) => s.seed!),
      published.options.length,
    );
    expect(published.result).toEqual({ index, value: published.options[index] });

    const { sha256 } = await host.request('hall:open-record', { tenderId: tender.id });
    await bidders.get('bidder4')!.waitFor(ofType('record'));
    for (const name of ['bidder1', 'bidder2', 'bidder3'])
      await signRecord(bidders.get(name)!, tender.id, signerOf(name));
    const { objectionId } = await bidders.get('bidder4')!.request('hall:object', {
      tenderId: tender.id,
      text: '<script>alert(1)</script> 我方报价单位应为万元',
    });
    await expect(host.request('hall:close', { tenderId: tender.id })).rejects.toMatchObject({
      code: 'OBJECTIONS_OPEN',
    });
    await host.request('hall:answer', {
      tenderId: tender.id,
      objectionId,
      text: '经核对，开标记录按投标文件原样记录。',
    });
    const answered = await bidders.get('bidder4')!.waitFor(ofType('answer'));
    expect(answered.data).toMatchObject({
      text: '<script>alert(1)</script> 我方报价单位应为万元',
      answer: { text: expect.stringContaining('原样') },
    });
    await host.request('hall:close', { tenderId: tender.id });
    for (const client of [supervisor, host, ...bidders.values()]) {
      await client.waitFor((e) => e.type === 'status' && e.data.status === 'closed');
    }
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);

    // Everyone saw the same sequence of events.
    const seqs = (c: HallClient) => c.events.map((e) => e.seq);
    expect(seqs(bidders.get('bidder1')!)).toEqual(seqs(supervisor));
    await server.app.audit.flush();
    expect(await verifyAuditChain(server.database.handle)).toMatchObject({ ok: true });
  });
});

describe('variants of the opening', () => {
  it('with two bids: no opening (流标), confirmed by the host with a reason', async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1', 'bidder2']);
    const host = await enter('host', 'host', tender.id);
    const bidder = await enter('bidder1', 'bidder', tender.id);
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    const opened = await bidder.waitFor((e) => e.type === 'status' && e.data.status === 'opened');
    // The platform's own reason travels as a detail both languages render, not as an English sentence.
    expect(opened.data).toMatchObject({ because: { key: 'bidsBelowMinimum', params: { count: 2, min: 3 } } });
    await expect(host.request('hall:start-decryption', { tenderId: tender.id })).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
      detail: { key: 'bidsBelowMinimum', params: { count: 2, min: 3 } },
    });
    await host.request('hall:confirm-failure', {
      tenderId: tender.id,
      reason: '有效投标人不足三家，依法不予开标',
    });
    await bidder.waitFor((e) => e.type === 'status' && e.data.status === 'failed');
    await expect(host.request('hall:announce', { tenderId: tender.id })).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
    });
  });

  it('a bidder that never decrypts: revoked (撤销) when the window ends', async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const host = await enter('host', 'host', tender.id);
    const bidders = new Map<string, HallClient>();
    for (const name of ['bidder1', 'bidder2', 'bidder3'])
      bidders.set(name, await enter(name, 'bidder', tender.id));
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    const { windowEndsAt } = await host.request('hall:start-decryption', { tenderId: tender.id });
    for (const name of ['bidder1', 'bidder2'])
      await decryptOwnBid(bidders.get(name)!, tender.id, keysOf(name));
    server.clock.set(new Date(new Date(windowEndsAt).getTime() + 1000));
    server.app.scheduler.poke();
    const revoked = await host.waitFor((e) => e.type === 'bid' && e.data.openingStatus === 'revoked');
    expect(revoked.data).toMatchObject({
      bidderName: '西南水利水电股份有限公司',
      // The bidder's fault, said in both languages' words; the record keeps the Chinese text.
      because: { key: 'bidNotDecrypted' },
      reason: '投标人未在解密时间内完成解密',
    });
    // Too late for the bidder now.
    await expect(decryptOwnBid(bidders.get('bidder3')!, tender.id, keysOf('bidder3'))).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
    });
    await host.waitFor(
      () => host.events.filter((e) => e.type === 'bid' && e.data.openingStatus === 'decrypted').length === 2,
    );
    expect(await host.request('hall:announce', { tenderId: tender.id })).toEqual({ rows: 2 });
  });

  it('a platform outage and the custodian remedy: k custodians, supervisor approval, only the affected bids', async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const host = await enter('host', 'host', tender.id);
    const supervisor = await enter('supervisor', 'supervisor', tender.id);
    const bidder1 = await enter('bidder1', 'bidder', tender.id);
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    const { windowEndsAt } = await host.request('hall:start-decryption', { tenderId: tender.id });
    await decryptOwnBid(bidder1, tender.id, keysOf('bidder1'));
    // bidder1's documents finish decrypting first: the outage names only the two bids still waiting.
    await bidsDecrypted(host, 1);
    await confirmedOutage(server, tender.id, supervisor, host, '解密服务器故障，投标人无法连接');
    server.clock.set(new Date(new Date(windowEndsAt).getTime() + 1000));
    server.app.scheduler.poke();
    await host.waitFor(
      () =>
        host.events.filter((e) => e.type === 'bid' && e.data.openingStatus === 'remedy-pending').length === 2,
    );

    const custodian1 = await enter('custodian1', 'custodian', tender.id);
    const custodian2 = await enter('custodian2', 'custodian', tender.id);
    const custodian3 = await enter('custodian3', 'custodian', tender.id);
    // Approving before the quorum is refused.
    await expect(
      supervisor.request('hall:approve-remedy', { tenderId: tender.id, reason: '同意' }),
    ).rejects.toMatchObject({
      code: 'REMEDY_QUORUM_MISSING',
    });
    expect(await submitShare(custodian1, tender.id, keysOf('custodian1'))).toBe(1);
    await expect(submitShare(custodian1, tender.id, keysOf('custodian1'))).rejects.toMatchObject({
      code: 'SHARE_DUPLICATE',
    });
    // A custodian cannot pass off another custodian's share as its own.
    const { sealedShare } = await custodian1.request('hall:share-fetch', { tenderId: tender.id });
    const stolen = await openCustodianShare(sealedShare, 'custodian1');
    await expect(
      custodian2.request('hall:share-submit', { tenderId: tender.id, signedShare: stolen }),
    ).rejects.toMatchObject({ code: 'SHARE_INVALID' });
    expect(await submitShare(custodian3, tender.id, keysOf('custodian3'))).toBe(2);
    await supervisor.request('hall:approve-remedy', {
      tenderId: tender.id,
      reason: '经核实平台故障属实，同意启动补救程序',
    });
    await host.waitFor(
      () => host.events.filter((e) => e.type === 'bid' && e.data.openingStatus === 'decrypted').length === 3,
      60_000,
    );
    expect(await host.request('hall:announce', { tenderId: tender.id })).toEqual({ rows: 3 });
    await server.app.audit.flush();
    const actions = await server.database.handle.queryText(
      `SELECT entry::jsonb ->> 'action' FROM audit_log WHERE tender_id = '${tender.id}' ORDER BY seq`,
    );
    expect(actions.map((a) => a[0])).toEqual(
      expect.arrayContaining([
        'hall.record-outage',
        'hall.share-submit',
        'hall.approve-remedy',
        'hall.documents-decrypted',
      ]),
    );
  });

  it('a bidder that loses its connection and comes back misses nothing', async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const host = await enter('host', 'host', tender.id);
    const supervisor = await enter('supervisor', 'supervisor', tender.id);
    const flaky = await enter('bidder2', 'bidder', tender.id);
    const others = [await enter('bidder1', 'bidder', tender.id), await enter('bidder3', 'bidder', tender.id)];
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    await host.request('hall:start-decryption', { tenderId: tender.id });
    // The transport drops (as on a train); the others decrypt meanwhile.
    flaky.socket.io.engine.close();
    await decryptOwnBid(others[0]!, tender.id, keysOf('bidder1'));
    await decryptOwnBid(others[1]!, tender.id, keysOf('bidder3'));
    await waitConnected(flaky);
    await decryptOwnBid(flaky, tender.id, keysOf('bidder2'));
    // And a clean disconnect: the client re-joins from its last sequence number.
    flaky.socket.disconnect();
    await host.request('hall:extend', {
      tenderId: tender.id,
      minutes: 10,
      reason: '投标人网络波动，延长解密时间',
    });
    flaky.socket.connect();
    await waitConnected(flaky);
    const last = Math.max(...supervisor.events.map((e) => e.seq));
    await flaky.waitFor((e) => e.seq === last);
    expect(flaky.events.map((e) => e.seq)).toEqual(supervisor.events.map((e) => e.seq));
  });
});

function waitConnected(client: HallClient): Promise<void> {
  return client.socket.connected
    ? Promise.resolve()
    : new Promise((resolve) => client.socket.once('connect', () => resolve()));
}

/** What custodian1's machine produces when it unseals its share (to try it as someone else). */
async function openCustodianShare(sealedShare: string, custodian: string): Promise<string> {
  const { EnvelopeReader, decryptEnvelope } = await import('../../server/src/cms/enveloped.ts');
  const { recipientMatches, unwrapContentKey } = await import('../../server/src/cms/recipients.ts');
  const keys = keysOf(custodian);
  const envelope = await EnvelopeReader.open(Buffer.from(sealedShare, 'base64'));
  const mine = envelope.header.recipients.find((r) => recipientMatches(r, keys.encryptionCertificate))!;
  const parts: Buffer[] = [];
  await decryptEnvelope(envelope, unwrapContentKey(mine, keys.encryptionKey), (c) => {
    parts.push(Buffer.from(c));
  });
  return Buffer.concat(parts).toString('base64');
}
