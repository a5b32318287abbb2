/**
 * The platform's faults are never the bidder's (电子招标投标办法 Art 31): a stored part the platform cannot
 * read, a stale CRL, a restart — none of them turns a good bid invalid or revoked. What the bidder sealed
 * wrongly is the bidder's fault, and says so, and is never mistaken for a wrong key. The reading of bids
 * waits until every bid has its final outcome.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HallEvent } from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { signSmall } from '../../server/src/cms/signed-data.ts';
import { actors, bids, tenders } from '../../server/src/db/schema/index.ts';
import { decryptOwnBid, unwrapOwnKey } from '../../server/src/hall-client/bidder-actions.ts';
import { parseCertificate } from '../../server/src/pki/certificate.ts';
import { issueCrl } from '../../server/src/pki/issuer.ts';
import { seal, summaryJson } from '../support/crafted-cms.ts';
import { useServer } from '../support/fixture.ts';
import {
  advanceTo,
  afterDeadline,
  decryptedOpening,
  endWindow,
  joinHall,
  keysOf,
  ofType,
  prepareOpening,
  signerOf,
} from '../support/hall.ts';
import { caPath, crlPath, loadCert, pkiDir } from '../support/pki.ts';
import { startTestServer } from '../support/server.ts';
import { bufferPart, signedManifest, streamUpload } from '../support/stream-upload.ts';

// CRL files of this test's own, which it replaces while the server runs.
const crlDir = mkdtempSync(join(tmpdir(), 'bidhall-crls-'));
copyFileSync(crlPath('ca-a'), join(crlDir, 'ca-a.crl.pem'));
copyFileSync(crlPath('ca-b'), join(crlDir, 'ca-b.crl.pem'));
const { server, work, track } = useServer('faults', {
  listen: true,
  env: {
    DECRYPTION_RETRY_SECONDS: '1',
    CRL_FILES: `${join(crlDir, 'ca-a.crl.pem')},${join(crlDir, 'ca-b.crl.pem')}`,
  },
});
afterAll(() => rmSync(crlDir, { recursive: true, force: true }));

async function bidOf(tenderId: string, bidder: string) {
  const rows = await server.app.db
    .select()
    .from(bids)
    .where(and(eq(bids.tenderId, tenderId), eq(bids.status, 'submitted')));
  const identity = loadCert(bidder, 'sign').identity;
  const [actor] = await server.app.db.select().from(actors).where(eq(actors.identity, identity!));
  return rows.find((r) => r.bidderId === actor!.id)!;
}

/** Every status a bid went through, as the hall announced it. */
const statusesOf = (client: HallClient, bidId: string) =>
  client.events
    .filter(ofType('bid'))
    .filter((e) => e.data.bidId === bidId)
    .map((e) => e.data.openingStatus);

async function openedHall(bidders: string[]) {
  const prepared = await prepareOpening(server, work, bidders);
  const host = await joinHall(server, 'host', 'host', prepared.tender.id);
  track(host);
  const joined = new Map<string, HallClient>();
  for (const bidder of bidders) {
    const client = await joinHall(server, bidder, 'bidder', prepared.tender.id);
    track(client);
    joined.set(bidder, client);
  }
  await advanceTo(server, prepared.tender.id, afterDeadline(prepared.tender), 'opened');
  await host.request('hall:start-decryption', { tenderId: prepared.tender.id });
  return { ...prepared, host, bidders: joined };
}

describe('faults of the platform', () => {
  it('seal-09: documents the platform cannot read are held and retried, never marked invalid', async () => {
    const { tender, host, bidders } = await openedHall(['bidder1', 'bidder2', 'bidder3']);
    const bid = await bidOf(tender.id, 'bidder1');
    const stored = server.app.blobs.pathOf(bid.documentsSha256);
    const kept = join(work, 'documents.kept');
    copyFileSync(stored, kept);
    // The disk loses the end of the stored part after it was received.
    truncateSync(stored, Math.floor(readFileSync(kept).length / 2));
    await decryptOwnBid(bidders.get('bidder1')!, tender.id, keysOf('bidder1'));
    const fault = await host.waitFor(ofType('fault'));
    expect(fault.data).toMatchObject({ bidId: bid.id, message: expect.stringMatching(/平台故障/) });
    // The retry, once the file is back, opens the bid.
    copyFileSync(kept, stored);
    await host.waitFor(
      (e) => e.type === 'bid' && e.data.bidId === bid.id && e.data.openingStatus === 'decrypted',
      20_000,
    );
    expect(statusesOf(host, bid.id)).not.toContain('invalid');
  });

  it('seal-09: a summary the platform cannot read is a PLATFORM_FAULT; at the end of the window the bid is the platform’s, not revoked', async () => {
    const { tender, host, bidders } = await openedHall(['bidder1', 'bidder2', 'bidder3']);
    for (const bidder of ['bidder1', 'bidder2'])
      await decryptOwnBid(bidders.get(bidder)!, tender.id, keysOf(bidder));
    const bid = await bidOf(tender.id, 'bidder3');
    const stored = server.app.blobs.pathOf(bid.summarySha256);
    renameSync(stored, `${stored}.away`);
    await expect(decryptOwnBid(bidders.get('bidder3')!, tender.id, keysOf('bidder3'))).rejects.toMatchObject({
      code: 'PLATFORM_FAULT',
    });
    await host.waitFor((e) => e.type === 'fault' && e.data.bidId === bid.id);
    const [row] = await server.app.db.select().from(bids).where(eq(bids.id, bid.id));
    expect(row).toMatchObject({ openingStatus: 'sealed', summaryKey: null });
    await endWindow(server, tender.id, host);
    await host.waitFor(
      (e) => e.type === 'bid' && e.data.bidId === bid.id && e.data.openingStatus === 'remedy-pending',
    );
    renameSync(`${stored}.away`, stored);
  });

  it('seal-09: a bid sealed wrongly but opened with the right key is invalid with the reason — not a wrong key, not revoked later', async () => {
    const tender = await server.createTender((await server.login('host', 'host')).token);
    const recipientsOf = (bidder: string) => [
      loadCert(bidder, 'enc'),
      parseCertificate(tender.openingCertificate),
    ];
    const documents = randomBytes(5000);
    const documentsSha256 = createHash('sha256').update(documents).digest('hex');
    const badSignature = (bidder: string) => {
      const signed = signSmall(
        summaryJson(tender.id, documentsSha256, { price: '1.00', duration: 1 }),
        signerOf(bidder),
        {
          detached: false,
        },
      );
      signed.writeUInt8(signed[signed.length - 1]! ^ 0xff, signed.length - 1); // the RSA signature's last byte
      return signed;
    };
    const cut = (bidder: string) =>
      signSmall(summaryJson(tender.id, documentsSha256, { price: '1.00', duration: 1 }), signerOf(bidder), {
        detached: false,
      }).subarray(0, 400);
    const summaries: Record<string, Buffer> = {
      bidder1: await seal(badSignature('bidder1'), recipientsOf('bidder1')),
      bidder2: await seal(cut('bidder2'), recipientsOf('bidder2')),
    };
    for (const bidder of ['bidder1', 'bidder2', 'bidder3']) {
      const summary =
        summaries[bidder] ??
        (await seal(
          signSmall(
            summaryJson(tender.id, documentsSha256, { price: '3.00', duration: 3 }),
            signerOf(bidder),
            { detached: false },
          ),
          recipientsOf(bidder),
        ));
      const documentsPart = await seal(
        signSmall(documents, signerOf(bidder), { detached: false }),
        recipientsOf(bidder),
      );
      const { manifest, signature } = await signedManifest(tender, bidder, {
        summary: bufferPart(summary),
        documents: bufferPart(documentsPart),
      });
      const token = (await server.login(bidder, 'bidder')).token;
      const uploaded = await streamUpload(server.url, token, tender.id, {
        manifest,
        signature,
        summary: bufferPart(summary),
        documents: bufferPart(documentsPart),
      });
      expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    }
    await advanceTo(server, tender.id, new Date(tender.checkInOpensAt), 'check-in');
    const host = await joinHall(server, 'host', 'host', tender.id);
    track(host);
    await advanceTo(server, tender.id, afterDeadline(tender), 'opened');
    await host.request('hall:start-decryption', { tenderId: tender.id });
    for (const bidder of ['bidder1', 'bidder2']) {
      const client = await joinHall(server, bidder, 'bidder', tender.id);
      track(client);
      const recipient = await client.request('hall:recipient', { tenderId: tender.id });
      const contentKey = unwrapOwnKey(recipient.summary, keysOf(bidder)).toString('base64');
      await expect(
        client.request('hall:decrypt', { tenderId: tender.id, part: 'summary', contentKey }),
      ).rejects.toMatchObject({
        code: 'BID_CONTENT_INVALID',
      });
      const bid = await bidOf(tender.id, bidder);
      expect(bid.openingStatus, bidder).toBe('invalid');
      expect(bid.openingReason, bidder).not.toMatch(/wrong key/);
    }
  });

  it('seal-13: the reading of bids waits while a bid is only half decrypted', async () => {
    const { tender, host, bidders } = await openedHall(['bidder1', 'bidder2', 'bidder3']);
    for (const bidder of ['bidder1', 'bidder2'])
      await decryptOwnBid(bidders.get(bidder)!, tender.id, keysOf(bidder));
    const client = bidders.get('bidder3')!;
    const recipient = await client.request('hall:recipient', { tenderId: tender.id });
    await client.request('hall:decrypt', {
      tenderId: tender.id,
      part: 'summary',
      contentKey: unwrapOwnKey(recipient.summary, keysOf('bidder3')).toString('base64'),
    });
    await host.waitFor(
      () => host.events.filter((e) => e.type === 'bid' && e.data.openingStatus === 'decrypted').length === 2,
      20_000,
    );
    await expect(host.request('hall:announce', { tenderId: tender.id })).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
      message: expect.stringMatching(/no final outcome/),
    });
    // At the end of the window the half-decrypted bid is classified; then the reading goes ahead.
    await endWindow(server, tender.id, host);
    await host.waitFor(
      (e) =>
        e.type === 'bid' &&
        e.data.bidderName === '西南水利水电股份有限公司' &&
        e.data.openingStatus === 'revoked',
    );
    expect(await host.request('hall:announce', { tenderId: tender.id })).toEqual({ rows: 2 });
  });

  it('seal-11: decrypted documents survive a restart long after the opening', async () => {
    const opening = await decryptedOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    track(...opening.clients);
    const bid = await bidOf(opening.tender.id, 'bidder2');
    const plain = server.app.blobs.pathOf(bid.documentsPlainSha256!);
    expect(existsSync(plain)).toBe(true);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(plain, twoHoursAgo, twoHoursAgo);
    // Another process starting on the same data folder sweeps what no bid refers to.
    const restarted = await startTestServer({ shareWith: server });
    await restarted.close();
    expect(existsSync(plain)).toBe(true);
  });
});

describe('certificate revocation lists', () => {
  it('seal-10: a CRL gone stale mid-opening is a platform fault with an alarm; a new CRL file is picked up by itself', async () => {
    const { tender, host, bidders } = await openedHall(['bidder1', 'bidder2', 'bidder3']);
    const caA = {
      certPem: readFileSync(caPath('ca-a'), 'utf8'),
      keyPem: readFileSync(join(pkiDir, 'ca-a', 'ca.key.pem'), 'utf8'),
    };
    const now = server.clock.now().getTime();
    const writeCrl = (nextUpdate: number) => {
      const file = join(crlDir, 'ca-a.crl.pem');
      writeFileSync(`${file}.new`, issueCrl(caA, [], new Date(now - 60_000), new Date(nextUpdate)));
      renameSync(`${file}.new`, file);
    };
    // CA A's CRL went stale a minute ago (its CA did not publish in time).
    writeCrl(now - 1);
    await server.app.reloadCrls();
    const bid = await bidOf(tender.id, 'bidder1');
    await expect(decryptOwnBid(bidders.get('bidder1')!, tender.id, keysOf('bidder1'))).rejects.toMatchObject({
      code: 'PLATFORM_FAULT',
      message: expect.stringMatching(/CRL/),
    });
    await host.waitFor((e: HallEvent) => e.type === 'fault' && e.data.bidId === bid.id);
    expect((await bidOf(tender.id, 'bidder1')).openingStatus).toBe('sealed');
    // The CA publishes a new CRL: the server reads it without being told, and the bidder decrypts.
    writeCrl(now + 7 * 24 * 60 * 60 * 1000);
    await expect
      .poll(
        () =>
          decryptOwnBid(bidders.get('bidder1')!, tender.id, keysOf('bidder1')).then(
            () => 'decrypted',
            (e: { code?: string }) => e.code,
          ),
        {
          timeout: 10_000,
          interval: 300,
        },
      )
      .toBe('decrypted');
    const [row] = await server.app.db
      .select({ status: tenders.status })
      .from(tenders)
      .where(eq(tenders.id, tender.id));
    expect(row!.status).toBe('decrypting');
  });
});
