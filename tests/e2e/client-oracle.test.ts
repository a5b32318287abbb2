/**
 * A bidder's client is not a decryption oracle for a compromised server: it answers a self-test only
 * for a fresh 32-byte secret and only with its hash, unwraps content keys only from the recipients of its
 * own signed bid, seals only to this tender's opening certificate, and signs a record only when its own
 * row is its own bid. The "server" that lies here is the real one's answers, altered in between.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientToServerEvents } from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import { describe, expect, it } from 'vitest';
import {
  decryptOwnBid,
  ownRowProblems,
  ownSummaryFields,
  publishedRecord,
  selfTest,
} from '../../server/src/hall-client/bidder-actions.ts';
import { parseCertificate } from '../../server/src/pki/certificate.ts';
import { sealBid } from '../../server/src/sealing/seal-bid.ts';
import { seal } from '../support/crafted-cms.ts';
import { useServer } from '../support/fixture.ts';
import { decryptedOpening, joinHall, keysOf, ofType, prepareOpening, signerOf } from '../support/hall.ts';
import { loadCert, loadOpeningCa } from '../support/pki.ts';

const { server, work, track } = useServer('oracle');

type Request = <E extends keyof ClientToServerEvents>(event: E, payload: unknown) => Promise<unknown>;

/** `client` as seen through a server that alters some answers; every request sent is recorded. */
function throughLyingServer(client: HallClient, alter: (event: string, answer: unknown) => unknown) {
  const sent: { event: string; payload: unknown }[] = [];
  const lying = Object.create(client) as HallClient;
  (lying as unknown as { request: Request }).request = async (event, payload) => {
    sent.push({ event, payload });
    return alter(event, await client.request(event, payload as never));
  };
  return { client: lying, sent };
}

describe('the bidder’s client', () => {
  it('seal-19: answers a self-test only for a fresh 32-byte secret, and only with its hash', async () => {
    const { tender } = await prepareOpening(server, work, ['bidder1']);
    const real = await joinHall(server, 'bidder1', 'bidder', tender.id);
    track(real);
    const encryption = loadCert('bidder1', 'enc');
    for (const [plaintext, expected] of [
      [randomBytes(32), 'hash'],
      [Buffer.from('{"price":"秘密：任何服务器想让客户端解开的内容"}'), 'nothing'],
    ] as const) {
      const envelope = await seal(plaintext, [encryption]);
      const { client, sent } = throughLyingServer(real, (event, answer) =>
        event === 'hall:self-test-challenge'
          ? { ...(answer as object), envelope: envelope.toString('base64') }
          : answer,
      );
      await selfTest(client, tender.id, keysOf('bidder1')).catch(() => undefined);
      const answer = Buffer.from(
        (sent.find((s) => s.event === 'hall:self-test')!.payload as { answer: string }).answer,
        'base64',
      );
      if (expected === 'hash') expect(answer).toEqual(createHash('sha256').update(plaintext).digest());
      else expect(answer.length).toBe(0);
      expect(answer.includes(plaintext)).toBe(false);
    }
  });

  it('seal-19: unwraps no key from recipients, a summary or a manifest that are not its own bid’s', async () => {
    // bidder1 bids in two tenders; a server lies about this one with the other one's material.
    const later = await prepareOpening(server, work, ['bidder1']);
    const laterHall = await joinHall(server, 'bidder1', 'bidder', later.tender.id);
    track(laterHall);
    const laterPackage = await laterHall.request('hall:recipient', { tenderId: later.tender.id });
    const now = await prepareOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    const real = await joinHall(server, 'bidder1', 'bidder', now.tender.id);
    track(real);
    const swaps: [string, (answer: Record<string, unknown>) => Record<string, unknown>, RegExp][] = [
      [
        'the documents recipients',
        (a) => ({ ...a, documents: laterPackage.documents }),
        /not those of your sealed documents/,
      ],
      ['the summary', (a) => ({ ...a, sealedSummary: laterPackage.sealedSummary }), /not the one you signed/],
      [
        'the manifest',
        (a) => ({ ...a, manifest: laterPackage.manifest, manifestSignature: laterPackage.manifestSignature }),
        /another tender/,
      ],
    ];
    for (const [what, swap, refusal] of swaps) {
      const { client, sent } = throughLyingServer(real, (event, answer) =>
        event === 'hall:recipient' ? swap(answer as Record<string, unknown>) : answer,
      );
      await expect(decryptOwnBid(client, now.tender.id, keysOf('bidder1')), what).rejects.toThrow(refusal);
      expect(
        sent.filter((s) => s.event === 'hall:decrypt'),
        what,
      ).toEqual([]);
    }
    expect(later.tender.id).not.toBe(now.tender.id);
  });

  it('seal-19: seals only to an opening certificate the opening CA issued for this tender', async () => {
    const host = (await server.login('host', 'host')).token;
    const [one, other] = [await server.createTender(host), await server.createTender(host)];
    const documents = join(work, 'docs');
    mkdirSync(documents, { recursive: true });
    writeFileSync(join(documents, 'a.txt'), 'x');
    const input = (openingCertificate: string) => ({
      tender: one,
      openingCertificate: parseCertificate(openingCertificate),
      openingCa: loadOpeningCa(),
      summary: { price: '1.00', duration: 1 },
      documentsDir: documents,
      signer: signerOf('bidder1'),
      encryptionCertificate: loadCert('bidder1', 'enc'),
      outDir: join(work, `sealed-${randomBytes(3).toString('hex')}`),
    });
    await expect(sealBid(input(other.openingCertificate))).rejects.toMatchObject({
      code: 'BID_TENDER_MISMATCH',
    });
    await expect(sealBid(input(loadCert('bidder2', 'enc').pem))).rejects.toMatchObject({
      code: 'CERT_UNTRUSTED',
    });
    await expect(sealBid(input(one.openingCertificate))).resolves.toMatchObject({
      manifest: { tenderId: one.id },
    });
  });

  it('seal-19: finds what differs between the published record and its own bid before signing', async () => {
    const opening = await decryptedOpening(server, work, ['bidder1', 'bidder2', 'bidder3']);
    track(...opening.clients);
    const { host, tender } = opening;
    const { endWindow } = await import('../support/hall.ts');
    await endWindow(server, tender.id, host);
    await host.request('hall:announce', { tenderId: tender.id });
    await host.request('hall:open-record', { tenderId: tender.id });
    const bidder = opening.bidders.get('bidder1')!;
    await bidder.waitFor(ofType('record'));
    const { manifest, fields } = await ownSummaryFields(bidder, tender.id, keysOf('bidder1'));
    const identity = loadCert('bidder1', 'sign').identity!;
    const text = publishedRecord(bidder)!;
    expect(ownRowProblems(text, identity, manifest, fields)).toEqual([]);
    const record = JSON.parse(text);
    const row = record.bids.find((b: { bidder: { identity: string } }) => b.bidder.identity === identity);
    row.summary.price = '1.00';
    expect(ownRowProblems(JSON.stringify(record), identity, manifest, fields).join('\n')).toMatch(
      /开标一览表/,
    );
    row.parts.summarySha256 = '0'.repeat(64);
    expect(ownRowProblems(JSON.stringify(record), identity, manifest, fields).join('\n')).toMatch(/摘要/);
  });
});
