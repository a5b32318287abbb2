/**
 * The live opening (不见面开标) end to end against a real server, PostgreSQL and Socket.IO: four bidders
 * in different places, a host and a supervisor, from check-in to the closed record.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/src/audit/verify.ts';
import { decryptOwnBid, selfTest, signRecord } from '../../server/src/hall-client/bidder-actions.ts';
import type { HallClient } from '../../server/src/hall-client/hall-client.ts';
import {
  advanceTo,
  afterDeadline,
  bidderNames,
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
    const { tender } = await prepareOpening(server, work, bidderNames, {
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

    // Countdowns agree across clients (server time), within 100 ms.
    const estimates = await Promise.all(
      [...bidders.values(), host].map(async (c) => (await c.syncTime(), c.serverNow())),
    );
    expect(Math.max(...estimates) - Math.min(...estimates)).toBeLessThan(100);

    // The deadline: bids locked, bidder list published to everyone.
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    await supervisor.waitFor((e) => e.type === 'status' && e.data.status === 'opened');
    await supervisor.waitFor(() => supervisor.events.filter(ofType('bid')).length === 4);

    const window = await host.request('hall:start-decryption', { tenderId: tender.id });
    expect(new Date(window.windowEndsAt).getTime()).toBeGreaterThan(server.clock.now().getTime());
    for (const name of bidderNames) await decryptOwnBid(bidders.get(name)!, tender.id, keysOf(name));
    // Each bidder reveals its draw seed (committed in its signed manifest).
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

    const { rows } = await host.request('hall:announce', { tenderId: tender.id });
    expect(rows).toBe(4);
    const table = await bidders.get('bidder3')!.waitFor(ofType('summary-table'));
    expect(table.data.rows).toContainEqual({
      bidderName: '北方路桥集团有限公司',
      fields: { price: '1012345.67', duration: 301 },
      documentsSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const draw = await supervisor.waitFor(ofType('draw'));
    expect(draw.data.result?.value).toMatch(/^0\.9[5-8]$/);

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
