/**
 * Crafted bids against a real server: sealed parts a bidder with a valid certificate could upload to
 * exhaust the server's memory, wedge the opening, or be accepted and then never open; and signatures
 * that carry other content than the document they claim to sign. Every one is refused at upload with a
 * specific code, or opened as the bid format promises.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TenderView } from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  algorithmIdentifier,
  endOfContents,
  indefinite,
  nullValue,
  objectIdentifier,
  setOf,
  tag,
} from '../../server/src/asn1/der.ts';
import { oid } from '../../server/src/asn1/oids.ts';
import { signSmall } from '../../server/src/cms/signed-data.ts';
import { bids } from '../../server/src/db/schema/index.ts';
import { decryptOwnBid, signRecord } from '../../server/src/hall-client/bidder-actions.ts';
import { parseCertificate } from '../../server/src/pki/certificate.ts';
import { opensslSealedBid } from '../support/bids.ts';
import {
  berSignedData,
  gcmHead,
  gcmTail,
  ktri,
  octetHeader,
  recipientFor,
  repeated,
  rsaOaepSha256,
  seal,
  summaryJson,
  withRecipientInfos,
} from '../support/crafted-cms.ts';
import { useServer } from '../support/fixture.ts';
import {
  advanceTo,
  afterDeadline,
  bidsDecrypted,
  joinHall,
  keysOf,
  ofType,
  signerOf,
} from '../support/hall.ts';
import { openssl } from '../support/openssl.ts';
import { certPath, keyPath, loadCert } from '../support/pki.ts';
import {
  bufferPart,
  type PartSource,
  peakRssGrowth,
  signedManifest,
  streamUpload,
} from '../support/stream-upload.ts';

const { server, work, track } = useServer('crafted');
let tender: TenderView;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  for (const bidder of ['bidder1', 'bidder2', 'bidder3', 'bidder4'])
    tokens[bidder] = (await server.login(bidder, 'bidder')).token;
  tokens.host = (await server.login('host', 'host')).token;
  tender = await server.createTender(tokens.host);
});

const opening = () => parseCertificate(tender.openingCertificate);

/** A well-formed pair of parts for `bidder`, made with bidhall's own CMS writers. */
async function goodParts(bidder: string, onTender = tender) {
  const documents = randomBytes(4096);
  const documentsSha256 = createHash('sha256').update(documents).digest('hex');
  const recipients = [loadCert(bidder, 'enc'), parseCertificate(onTender.openingCertificate)];
  const summaryPlain = signSmall(
    summaryJson(onTender.id, documentsSha256, { price: '1000000.00', duration: 300 }),
    signerOf(bidder),
    { detached: false },
  );
  const documentsPlain = signSmall(documents, signerOf(bidder), { detached: false });
  return {
    summary: await seal(summaryPlain, recipients),
    documents: await seal(documentsPlain, recipients),
    recipients,
  };
}

async function upload(bidder: string, summary: PartSource, documents: PartSource, onTender = tender) {
  const { manifest, signature } = await signedManifest(onTender, bidder, { summary, documents });
  return streamUpload(server.url, tokens[bidder]!, onTender.id, { manifest, signature, summary, documents });
}

async function submittedCount(tenderId = tender.id): Promise<number> {
  return (
    await server.app.db
      .select({ id: bids.id })
      .from(bids)
      .where(and(eq(bids.tenderId, tenderId), eq(bids.status, 'submitted')))
  ).length;
}

describe('crafted input cannot exhaust memory', () => {
  it('seal-04: a RecipientInfos SET of millions of empty indefinite children is refused (CMS_MALFORMED), memory stays bounded', async () => {
    const childBytes = 48 * 1024 * 1024;
    const documents: PartSource = {
      *chunks() {
        yield Buffer.concat([
          indefinite(tag.sequence),
          objectIdentifier(oid.authEnvelopedData),
          indefinite(0xa0),
          indefinite(tag.sequence),
          Buffer.from([0x02, 0x01, 0x00]),
          indefinite(tag.set),
        ]);
        yield* repeated(Buffer.from([0x30, 0x80, 0x00, 0x00]), childBytes);
        yield Buffer.concat([endOfContents, gcmTail()]);
      },
    };
    const { summary } = await goodParts('bidder1');
    const before = await submittedCount();
    const { result, growthBytes } = await peakRssGrowth(() =>
      upload('bidder1', bufferPart(summary), documents),
    );
    expect(result.body.code, JSON.stringify(result.body)).toBe('CMS_MALFORMED');
    expect(result.body.message).toMatch(/exceeds/);
    expect(growthBytes, `grew ${growthBytes} bytes`).toBeLessThan(100 * 1024 * 1024);
    expect(await submittedCount()).toBe(before);
    expect(await server.blobsTemp()).toEqual([]);
  });

  it('seal-04: a GCM tag that claims 64 MB is refused at once (CMS_MALFORMED), without reading it into memory', async () => {
    const { summary, recipients } = await goodParts('bidder1');
    const recipientInfos = setOf(...recipients.map((c) => recipientFor(c)));
    const claimed = 64 * 1024 * 1024;
    const documents: PartSource = {
      *chunks() {
        yield Buffer.concat([
          gcmHead(recipientInfos),
          octetHeader(16),
          randomBytes(16),
          endOfContents,
          endOfContents,
          Buffer.from([tag.octetString, 0x84]),
          Buffer.from([claimed >>> 24, (claimed >>> 16) & 0xff, (claimed >>> 8) & 0xff, claimed & 0xff]),
        ]);
        yield* repeated(Buffer.from([0]), claimed);
        yield Buffer.concat([endOfContents, endOfContents, endOfContents]);
      },
    };
    const { result, growthBytes } = await peakRssGrowth(() =>
      upload('bidder1', bufferPart(summary), documents),
    );
    expect(result.body.code, JSON.stringify(result.body)).toBe('CMS_MALFORMED');
    expect(result.body.message).toMatch(/tag/);
    expect(growthBytes, `grew ${growthBytes} bytes`).toBeLessThan(100 * 1024 * 1024);
    expect(await server.blobsTemp()).toEqual([]);
  });
});

describe('recipients are checked at upload, not discovered broken at the remedy', () => {
  async function refusedWith(recipientInfos: (recipients: ReturnType<typeof loadCert>[]) => Buffer) {
    const { summary, documents, recipients } = await goodParts('bidder1');
    const crafted = await withRecipientInfos(summary, recipientInfos(recipients));
    const before = await submittedCount();
    const result = await upload('bidder1', bufferPart(crafted), bufferPart(documents));
    expect(await submittedCount()).toBe(before);
    expect(await server.blobsTemp()).toEqual([]);
    return result.body;
  }

  it('seal-05: an opening-certificate recipient with an unknown key-encryption algorithm', async () => {
    const body = await refusedWith(([bidder, openingCert]) =>
      setOf(
        recipientFor(bidder!),
        ktri(openingCert!, algorithmIdentifier('1.2.3.4.5', nullValue()), randomBytes(256)),
      ),
    );
    expect(body).toMatchObject({
      code: 'BID_RECIPIENT_INVALID',
      message: expect.stringMatching(/1\.2\.3\.4\.5/),
    });
  });

  it('seal-05: an opening-certificate recipient with a 1-byte key', async () => {
    const body = await refusedWith(([bidder, openingCert]) =>
      setOf(recipientFor(bidder!), ktri(openingCert!, rsaOaepSha256(), Buffer.from([7]))),
    );
    expect(body).toMatchObject({ code: 'BID_RECIPIENT_INVALID', message: expect.stringMatching(/1 byte/) });
  });

  it('seal-05: the same recipient twice', async () => {
    const body = await refusedWith(([bidder, openingCert]) =>
      setOf(recipientFor(bidder!), recipientFor(bidder!), recipientFor(openingCert!)),
    );
    expect(body).toMatchObject({ code: 'BID_RECIPIENT_INVALID', message: expect.stringMatching(/twice/) });
  });

  it('seal-05: key transport to an EC certificate', async () => {
    const ec = loadCert('bidder3', 'enc');
    const { summary, documents } = await goodParts('bidder3');
    const crafted = await withRecipientInfos(
      summary,
      setOf(ktri(ec, rsaOaepSha256(), randomBytes(256)), recipientFor(opening())),
    );
    const result = await upload('bidder3', bufferPart(crafted), bufferPart(documents));
    expect(result.body).toMatchObject({ code: 'BID_RECIPIENT_INVALID' });
  });
});

describe('BER everywhere the format allows it; everything else refused at upload', () => {
  it('seal-06: an envelope whose RecipientInfos and algorithm identifier use indefinite lengths is accepted', async () => {
    const { summary, documents, recipients } = await goodParts('bidder4');
    const berSet = Buffer.concat([
      indefinite(tag.set),
      ...recipients.map((c) => recipientFor(c)),
      endOfContents,
    ]);
    let crafted = await withRecipientInfos(summary, berSet);
    // The content-encryption AlgorithmIdentifier, re-encoded with an indefinite length.
    const gcmOid = objectIdentifier(oid.aes256Gcm);
    const at = crafted.indexOf(gcmOid) - 2;
    expect(crafted[at]).toBe(tag.sequence);
    const length = crafted[at + 1]!;
    crafted = Buffer.concat([
      crafted.subarray(0, at),
      indefinite(tag.sequence),
      crafted.subarray(at + 2, at + 2 + length),
      endOfContents,
      crafted.subarray(at + 2 + length),
    ]);
    const result = await upload('bidder4', bufferPart(crafted), bufferPart(documents));
    expect(result.status, JSON.stringify(result.body)).toBe(201);
  });

  it('seal-06: a wrong envelope version, a foreign content type and an outer length that does not fit are refused', async () => {
    const { documents, recipients } = await goodParts('bidder2');
    const recipientInfos = setOf(...recipients.map((c) => recipientFor(c)));
    const bodyOf = (head: Buffer) =>
      upload(
        'bidder2',
        bufferPart(Buffer.concat([head, octetHeader(16), randomBytes(16), gcmTail()])),
        bufferPart(documents),
      );
    // Version 3 is not an AuthEnvelopedData version (RFC 5083: always 0).
    const wrongVersion = await bodyOf(gcmHead(recipientInfos, { version: 3 }));
    expect(wrongVersion.body).toMatchObject({
      code: 'CMS_MALFORMED',
      message: expect.stringMatching(/version/),
    });
    const foreignType = await bodyOf(gcmHead(recipientInfos, { contentType: oid.envelopedData }));
    expect(foreignType.body).toMatchObject({
      code: 'CMS_MALFORMED',
      message: expect.stringMatching(/content type/),
    });

    // openssl's DER output with the outer ContentInfo's length one byte short of its content.
    const der = opensslSealedBid(work, tender, { bidder: 'bidder2' });
    const bytes = Buffer.from(readFileSync(der.summary));
    expect(bytes[0]).toBe(0x30);
    const octets = bytes[1]! & 0x7f;
    const declared = bytes.readUIntBE(2, octets);
    bytes.writeUIntBE(declared - 1, 2, octets);
    const shortOuter = await upload('bidder2', bufferPart(bytes), bufferPart(readFileSync(der.documents)));
    expect(shortOuter.body).toMatchObject({ code: 'CMS_MALFORMED' });
  });
});

describe('signatures cover exactly the document they claim', () => {
  it('seal-07: a manifest "signature" that carries its own content (openssl cms -sign -nodetach) is refused', async () => {
    const { summary, documents } = await goodParts('bidder2');
    const { manifest } = await signedManifest(tender, 'bidder2', {
      summary: bufferPart(summary),
      documents: bufferPart(documents),
    });
    const other = join(work, 'other.txt');
    writeFileSync(other, '我方同意一切条款');
    const attached = openssl(
      'cms',
      '-sign',
      '-binary',
      '-nodetach',
      '-in',
      other,
      '-signer',
      certPath('bidder2', 'sign'),
      '-inkey',
      keyPath('bidder2', 'sign'),
      '-outform',
      'DER',
    );
    const result = await streamUpload(server.url, tokens.bidder2!, tender.id, {
      manifest,
      signature: attached,
      summary: bufferPart(summary),
      documents: bufferPart(documents),
    });
    expect(result.body).toMatchObject({ code: 'BID_SIGNATURE_INVALID' });
  });
});

describe('a bid whose inner SignedData is BER opens, and the record takes only detached signatures of itself', () => {
  it('seal-06, seal-07: decrypts a BER SignedData; refuses a record signature that carries other content', async () => {
    const opened = await server.createTender(tokens.host!);
    const parts = new Map<string, { summary: Buffer; documents: Buffer }>();
    for (const bidder of ['bidder1', 'bidder2', 'bidder3']) {
      const documents = randomBytes(10_000);
      const documentsSha256 = createHash('sha256').update(documents).digest('hex');
      const recipients = [loadCert(bidder, 'enc'), parseCertificate(opened.openingCertificate)];
      const summary = summaryJson(opened.id, documentsSha256, { price: '2000000.00', duration: 200 });
      const sign = (content: Buffer) =>
        bidder === 'bidder1'
          ? berSignedData(content, signerOf(bidder))
          : signSmall(content, signerOf(bidder), { detached: false });
      parts.set(bidder, {
        summary: await seal(sign(summary), recipients),
        documents: await seal(sign(documents), recipients),
      });
      const sealed = parts.get(bidder)!;
      const result = await upload(bidder, bufferPart(sealed.summary), bufferPart(sealed.documents), opened);
      expect(result.status, JSON.stringify(result.body)).toBe(201);
    }
    await advanceTo(server, opened.id, new Date(opened.checkInOpensAt), 'check-in');
    const host = await joinHall(server, 'host', 'host', opened.id);
    track(host);
    const bidders = new Map<string, HallClient>();
    for (const bidder of ['bidder1', 'bidder2', 'bidder3']) {
      const client = await joinHall(server, bidder, 'bidder', opened.id);
      track(client);
      bidders.set(bidder, client);
    }
    await advanceTo(server, opened.id, afterDeadline(opened), 'opened');
    await host.request('hall:start-decryption', { tenderId: opened.id });
    for (const [bidder, client] of bidders) await decryptOwnBid(client, opened.id, keysOf(bidder));
    await bidsDecrypted(host, 3);
    await host.request('hall:announce', { tenderId: opened.id });
    await host.request('hall:open-record', { tenderId: opened.id });
    const client = bidders.get('bidder2')!;
    await client.waitFor(ofType('record'));
    const attached = signSmall(Buffer.from('我方对开标结果无异议'), signerOf('bidder2'), { detached: false });
    await expect(
      client.request('hall:sign-record', { tenderId: opened.id, signature: attached.toString('base64') }),
    ).rejects.toMatchObject({ code: 'RECORD_SIGNATURE_INVALID' });
    await signRecord(client, opened.id, signerOf('bidder2'));
  });
});
