/**
 * Outages and the custodian remedy under the rules: an outage counts only once a person in the other role
 * confirms it, and only for the bids it names; custodians submitting at the same moment lose no share; a
 * bid the remedy cannot open does not hold up the others; and when nothing can move any more, host and
 * supervisor together have a recorded way out.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TenderView } from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import { describe, expect, it } from 'vitest';
import { setOf } from '../../server/src/asn1/der.ts';
import { signSmall } from '../../server/src/cms/signed-data.ts';
import { decryptOwnBid, submitShare } from '../../server/src/hall-client/bidder-actions.ts';
import { parseCertificate } from '../../server/src/pki/certificate.ts';
import {
  ktri,
  recipientFor,
  rsaOaepSha256,
  seal,
  summaryJson,
  withRecipientInfos,
} from '../support/crafted-cms.ts';
import { useServer } from '../support/fixture.ts';
import {
  advanceTo,
  afterDeadline,
  endWindow,
  keysOf,
  ofType,
  prepareOpening,
  signerOf,
} from '../support/hall.ts';
import { loadCert } from '../support/pki.ts';
import { bufferPart, signedManifest, streamUpload } from '../support/stream-upload.ts';

const { server, work, enter } = useServer('remedy');

/** bidder2's bid sealed with a recipient for the opening certificate that yields no key (well formed). */
async function uploadBrokenForRemedy(tender: TenderView): Promise<void> {
  const opening = parseCertificate(tender.openingCertificate);
  const own = loadCert('bidder2', 'enc');
  const documents = randomBytes(4000);
  const documentsSha256 = createHash('sha256').update(documents).digest('hex');
  const sign = (content: Buffer) => signSmall(content, signerOf('bidder2'), { detached: false });
  const broken = (sealed: Buffer) =>
    withRecipientInfos(sealed, setOf(recipientFor(own), ktri(opening, rsaOaepSha256(), randomBytes(256))));
  const summary = await broken(
    await seal(sign(summaryJson(tender.id, documentsSha256, { price: '2.00', duration: 2 })), [own, opening]),
  );
  const documentsPart = await broken(await seal(sign(documents), [own, opening]));
  const parts = { summary: bufferPart(summary), documents: bufferPart(documentsPart) };
  const { manifest, signature } = await signedManifest(tender, 'bidder2', parts);
  const token = (await server.login('bidder2', 'bidder')).token;
  const result = await streamUpload(server.url, token, tender.id, { manifest, signature, ...parts });
  expect(result.status, JSON.stringify(result.body)).toBe(201);
}

const bidIdOf = (client: HallClient, name: string) =>
  client.snapshot!.bids.find((b) => b.bidderName === name)?.bidId ??
  client.events.filter(ofType('bid')).find((e) => e.data.bidderName === name)!.data.bidId;

const names = {
  bidder1: '华东建设工程有限公司',
  bidder2: '北方路桥集团有限公司',
  bidder3: '西南水利水电股份有限公司',
};

async function openedWith(tender: TenderView) {
  const host = await enter('host', 'host', tender.id);
  const supervisor = await enter('supervisor', 'supervisor', tender.id);
  const bidder1 = await enter('bidder1', 'bidder', tender.id);
  await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
  await host.waitFor(() => host.events.filter(ofType('bid')).length === 3);
  await host.request('hall:start-decryption', { tenderId: tender.id });
  await decryptOwnBid(bidder1, tender.id, keysOf('bidder1'));
  await host.waitFor(
    (e) => e.type === 'bid' && e.data.bidderName === names.bidder1 && e.data.openingStatus === 'decrypted',
    30_000,
  );
  return { host, supervisor, bidder1 };
}

describe('outages take two people and name their bids', () => {
  it('seal-18: one person cannot confirm its own outage; only confirmed outages count, only for the bids they list', async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const { host, supervisor } = await openedWith(tender);
    const opened = host.events.find((e) => e.type === 'status' && e.data.status === 'opened')!.at;
    const now = server.clock.now();
    const outage = (bidIds: string[], from = opened) => ({
      tenderId: tender.id,
      from,
      to: now.toISOString(),
      reason: '解密服务中断',
      bidIds,
    });
    const bidder2 = bidIdOf(host, names.bidder2);
    const bidder3 = bidIdOf(host, names.bidder3);
    // Not before the bids were opened, and not for a bid that already has its outcome.
    await expect(
      host.request(
        'hall:record-outage',
        outage([bidder2], new Date(Date.parse(opened) - 3_600_000).toISOString()),
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      host.request('hall:record-outage', outage([bidIdOf(host, names.bidder1)])),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const { proposalId } = await host.request('hall:record-outage', outage([bidder2]));
    await expect(
      host.request('hall:confirm', { tenderId: tender.id, proposalId, reason: '我确认' }),
    ).rejects.toMatchObject({
      code: 'PROPOSAL_SAME_PERSON',
    });
    await supervisor.request('hall:confirm', { tenderId: tender.id, proposalId, reason: '经核实属实' });
    // A second outage, for bidder3, is proposed and never confirmed: it does not count.
    await host.request('hall:record-outage', outage([bidder3]));
    await endWindow(server, tender.id, host);
    await host.waitFor(
      (e) => e.type === 'bid' && e.data.bidId === bidder2 && e.data.openingStatus === 'remedy-pending',
    );
    await host.waitFor(
      (e) => e.type === 'bid' && e.data.bidId === bidder3 && e.data.openingStatus === 'revoked',
    );
  });
});

describe('the custodian remedy', () => {
  it('seal-16, seal-05: custodians submitting at once lose no share; a bid the opening key cannot open is marked, the others open', async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1', 'bidder3']);
    await uploadBrokenForRemedy(tender);
    const { host, supervisor } = await openedWith(tender);
    const bidder2 = bidIdOf(host, names.bidder2);
    const bidder3 = bidIdOf(host, names.bidder3);
    const opened = host.events.find((e) => e.type === 'status' && e.data.status === 'opened')!.at;
    const { proposalId } = await supervisor.request('hall:record-outage', {
      tenderId: tender.id,
      from: opened,
      to: server.clock.now().toISOString(),
      reason: '解密服务器故障',
      bidIds: [bidder2, bidder3],
    });
    await host.request('hall:confirm', { tenderId: tender.id, proposalId, reason: '属实' });
    await endWindow(server, tender.id, host);
    await host.waitFor(
      () =>
        host.events.filter((e) => e.type === 'bid' && e.data.openingStatus === 'remedy-pending').length === 2,
    );

    // All three custodians at the same moment, the first of them opening the session: each counts the
    // shares before it, none is lost.
    const custodianNames = ['custodian1', 'custodian2', 'custodian3'];
    const custodians = await Promise.all(custodianNames.map((name) => enter(name, 'custodian', tender.id)));
    const received = await Promise.all(
      custodians.map((client, i) => submitShare(client, tender.id, keysOf(custodianNames[i]!))),
    );
    expect(received.sort()).toEqual([1, 2, 3]);
    expect((await host.request('hall:join', { tenderId: tender.id })).snapshot.remedy).toMatchObject({
      sharesReceived: 3,
    });
    await supervisor.request('hall:approve-remedy', { tenderId: tender.id, reason: '同意补救' });
    const marked = await host.waitFor(
      (e) => e.type === 'bid' && e.data.bidId === bidder2 && e.data.openingStatus === 'invalid',
    );
    expect(marked.type === 'bid' && marked.data.reason).toMatch(/opening certificate/);
    expect(marked.type === 'bid' && marked.data.because?.key).toBe('bidContentInvalid');
    await host.waitFor(
      (e) => e.type === 'bid' && e.data.bidId === bidder3 && e.data.openingStatus === 'decrypted',
      30_000,
    );
    expect(await host.request('hall:announce', { tenderId: tender.id })).toEqual({ rows: 2 });
  });

  it('seal-05: when the remedy cannot be completed, host and supervisor settle the opening together, with reasons', async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const { host, supervisor } = await openedWith(tender);
    const stuck = [bidIdOf(host, names.bidder2), bidIdOf(host, names.bidder3)];
    const opened = host.events.find((e) => e.type === 'status' && e.data.status === 'opened')!.at;
    const outage = await supervisor.request('hall:record-outage', {
      tenderId: tender.id,
      from: opened,
      to: server.clock.now().toISOString(),
      reason: '机房断电',
      bidIds: stuck,
    });
    // A settlement is not for a running window.
    await expect(
      host.request('hall:settle', { tenderId: tender.id, reason: '无法补救' }),
    ).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
    });
    await host.request('hall:confirm', {
      tenderId: tender.id,
      proposalId: outage.proposalId,
      reason: '属实',
    });
    await endWindow(server, tender.id, host);
    await host.waitFor(
      () =>
        host.events.filter((e) => e.type === 'bid' && e.data.openingStatus === 'remedy-pending').length === 2,
    );
    // The custodians cannot be reached: nothing can move.
    await expect(host.request('hall:announce', { tenderId: tender.id })).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
    });
    const first = await host.request('hall:settle', { tenderId: tender.id, reason: '密钥保管人无法到场' });
    await supervisor.request('hall:reject', {
      tenderId: tender.id,
      proposalId: first.proposalId,
      reason: '再等一小时',
    });
    await expect(
      supervisor.request('hall:confirm', {
        tenderId: tender.id,
        proposalId: first.proposalId,
        reason: '同意',
      }),
    ).rejects.toMatchObject({ code: 'PROPOSAL_UNKNOWN' });
    const second = await host.request('hall:settle', {
      tenderId: tender.id,
      reason: '密钥保管人确认无法到场',
    });
    await supervisor.request('hall:confirm', {
      tenderId: tender.id,
      proposalId: second.proposalId,
      reason: '同意结案',
    });
    for (const bidId of stuck)
      await host.waitFor(
        (e) => e.type === 'bid' && e.data.bidId === bidId && e.data.openingStatus === 'withdrawn-platform',
      );
    expect(await host.request('hall:announce', { tenderId: tender.id })).toEqual({ rows: 1 });
    const { snapshot } = await host.request('hall:join', { tenderId: tender.id });
    expect(snapshot.proposals.map((p) => [p.kind, p.decision?.confirmed])).toEqual([
      ['outage', true],
      ['settlement', false],
      ['settlement', true],
    ]);
  });
});
