import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detailText, type WireError } from '@bidhall/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opensslSealedBid } from '../../../tests/support/bids.ts';
import { cmsDecrypt, cmsVerify } from '../../../tests/support/openssl.ts';
import { platformPath } from '../../../tests/support/pki.ts';
import { startTestServer, type TestServer } from '../../../tests/support/server.ts';
import { EnvelopeReader } from '../cms/enveloped.ts';
import { recipientMatches, unwrapContentKey } from '../cms/recipients.ts';
import { rowsOf } from '../db/client.ts';
import { parseCertificate } from '../pki/certificate.ts';
import { type KeyShare, recoverOpeningKey } from './opening-key.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-tender-'));
let server: TestServer;
let host: string;

beforeAll(async () => {
  server = await startTestServer();
  host = (await server.login('host', 'host')).token;
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** What a custodian does on its own machine: decrypt its share with its key and check the platform signed it. */
function unsealShare(sealed: Buffer, custodian: string): KeyShare {
  const path = join(work, `${custodian}-share.p7m`);
  writeFileSync(path, sealed);
  const signed = cmsDecrypt(path, custodian);
  writeFileSync(`${path}.signed`, signed);
  return JSON.parse(cmsVerify(`${path}.signed`, 'ca-a').toString());
}

async function sealedShares(tenderId: string) {
  return rowsOf<{ custodian: string; share_index: number; sealed: string }>(
    await server.app.db.execute(sql`
      SELECT a.identity AS custodian, c.share_index, encode(c.sealed_share, 'base64') AS sealed
      FROM tender_custodians c JOIN actors a ON a.id = c.custodian_id WHERE c.tender_id = ${tenderId} ORDER BY c.share_index`),
  );
}

const custodianNames: Record<string, string> = {
  'CUS-0001': 'custodian1',
  'CUS-0002': 'custodian2',
  'CUS-0003': 'custodian3',
};

describe('tender creation and the opening key', () => {
  for (const algorithm of ['rsa-2048', 'ec-p256'] as const) {
    it(`issues a ${algorithm} opening certificate and splits its key 2-of-3 among the custodians`, async () => {
      const tender = await server.createTender(host, { openingKeyAlgorithm: algorithm });
      expect(tender).toMatchObject({ status: 'scheduled', quorum: 2, minBidders: 3 });
      expect(tender.custodians.map((c) => c.shareIndex)).toEqual([1, 2, 3]);
      const opening = new X509Certificate(tender.openingCertificate);
      expect(
        opening.verify(new X509Certificate(readFileSync(platformPath('opening-ca.pem'))).publicKey),
      ).toBe(true);
      expect(opening.publicKey.asymmetricKeyType).toBe(algorithm === 'ec-p256' ? 'ec' : 'rsa');

      const shares = (await sealedShares(tender.id)).map((row) =>
        unsealShare(Buffer.from(row.sealed, 'base64'), custodianNames[row.custodian]!),
      );
      expect(shares.map((s) => s.index)).toEqual([1, 2, 3]);
      expect(shares[0]!.openingCertificateSha256).toBe(
        createHash('sha256').update(opening.raw).digest('hex'),
      );

      // Any two shares rebuild the key; it opens a bid sealed (by openssl) to the opening certificate.
      const bid = opensslSealedBid(work, tender, { bidder: 'bidder1', stream: true });
      const key = await recoverOpeningKey(
        [shares[2]!, shares[0]!].map((s) => Buffer.from(s.share, 'base64')),
      );
      const envelope = await EnvelopeReader.open(readFileSync(bid.summary));
      const recipient = envelope.header.recipients.find((r) =>
        recipientMatches(r, parseCertificate(tender.openingCertificate)),
      );
      expect(unwrapContentKey(recipient!, key)).toHaveLength(32);
      // One share alone rebuilds nothing useful.
      await expect(recoverOpeningKey([Buffer.from(shares[1]!.share, 'base64')])).rejects.toThrow();
    });
  }

  it('stores no private key anywhere in the database', async () => {
    const dump = rowsOf<{ text: string }>(
      await server.app.db.execute(
        sql`SELECT row_to_json(t)::text AS text FROM tenders t UNION ALL SELECT row_to_json(c)::text FROM tender_custodians c`,
      ),
    );
    expect(dump.length).toBeGreaterThan(0);
    for (const row of dump) expect(row.text).not.toMatch(/PRIVATE KEY|MII[A-Za-z0-9+/]{20,}.*BEGIN/);
  });

  it('refuses invalid definitions with TENDER_INVALID and unknown custodians with CUSTODIAN_UNKNOWN', async () => {
    const create = (payload: object) =>
      server.app.inject({
        method: 'POST',
        url: '/api/tenders',
        headers: { authorization: `Bearer ${host}` },
        payload,
      });
    const valid = {
      code: 'T-VALIDATION',
      title: 'x',
      deadline: new Date(Date.now() + 3_600_000).toISOString(),
      summaryFields: [{ key: 'price', label: { zh: '报价', en: 'Price' }, type: 'money', required: true }],
      custodianIds: ['custodian1', 'custodian2'].map((n) => server.actors.get(n)!),
      quorum: 2,
    };
    // Each refusal says what, at which field, in both languages.
    expect(
      (await create({ ...valid, deadline: new Date(Date.now() - 1000).toISOString() })).json(),
    ).toMatchObject({
      code: 'TENDER_INVALID',
      detail: { key: 'deadlineTooSoon', params: { field: '/deadline' } },
    });
    expect((await create({ ...valid, quorum: 3 })).json()).toMatchObject({
      code: 'TENDER_INVALID',
      detail: { key: 'quorumAboveCustodians', params: { field: '/quorum' } },
    });
    expect((await create({ ...valid, quorum: 1 })).json()).toMatchObject({
      code: 'TENDER_INVALID',
      detail: { key: 'quorumAtLeastTwo', params: { field: '/quorum' } },
    });
    expect(
      (
        await create({
          ...valid,
          custodianIds: [server.actors.get('host')!, server.actors.get('custodian1')!],
        })
      ).json(),
    ).toMatchObject({
      code: 'CUSTODIAN_UNKNOWN',
    });
    expect((await create({ ...valid, summaryFields: [] })).json()).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const response = await create(valid);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      minBidders: 3,
      decryptionWindowMinutes: 30,
      remedyPolicy: 'custodian-quorum',
    });
    const taken = (await create(valid)).json<WireError>();
    expect(taken).toMatchObject({ code: 'TENDER_INVALID', detail: { key: 'tenderCodeTaken' } });
    expect(detailText(taken.detail!, 'zh')).toBe('项目编号“T-VALIDATION”已被使用');
    expect(detailText(taken.detail!, 'en')).toBe('tender code T-VALIDATION is taken');
  });
});
