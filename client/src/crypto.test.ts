import { createHash, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnvelopeReader, sealStream } from '../../server/src/cms/enveloped.ts';
import { recipientMatches, unwrapContentKey as serverUnwrap } from '../../server/src/cms/recipients.ts';
import { signSmall, signStream, verifySmall } from '../../server/src/cms/signed-data.ts';
import { certPath, loadCert, loadKey, pkiDir } from '../../tests/support/pki.ts';
import {
  isSignedData,
  KeyError,
  loadPkcs12,
  openEnvelope,
  selfTestAnswer,
  signDetached,
  signText,
  unwrapContentKey,
  verifyOwnSignature,
} from './crypto.ts';

const p12 = (actor: string, kind: 'sign' | 'enc') =>
  new Uint8Array(readFileSync(`${pkiDir}/actors/${actor}/${kind}.p12`));

async function seal(
  content: Buffer,
  actor: string,
  cipher: 'aes-256-gcm' | 'aes-256-cbc',
  rsaPadding: 'oaep' | 'pkcs1',
) {
  const parts: Buffer[] = [];
  async function* once() {
    yield content;
  }
  const signer = { certificate: loadCert(actor, 'sign'), privateKey: loadKey(actor, 'sign') };
  for await (const part of sealStream(signStream(once(), signer), {
    recipients: [loadCert(actor, 'enc')],
    cipher,
    rsaPadding,
  })) {
    parts.push(part);
  }
  return Buffer.concat(parts);
}

describe('the page’s own cryptography (node-forge + WebCrypto)', () => {
  it('opens a PKCS#12 with its PIN and keeps the certificate byte-exact (Chinese names included)', () => {
    const identity = loadPkcs12(p12('bidder2', 'sign'), '123456');
    expect(identity).toMatchObject({
      commonName: '北方路桥集团有限公司',
      identity: '91110000MA0BX0002Y',
      usages: { signing: true },
    });
    const pem = readFileSync(certPath('bidder2', 'sign'), 'utf8');
    expect(identity.chainPem.startsWith(pem.trim().split('-----END CERTIFICATE-----')[0]!)).toBe(true);
    expect(() => loadPkcs12(p12('bidder2', 'sign'), '654321')).toThrow(
      expect.objectContaining({ reason: 'wrong-pin' }),
    );
    expect(() => loadPkcs12(new Uint8Array([1, 2, 3]), '123456')).toThrow(KeyError);
    expect(loadPkcs12(p12('bidder2', 'enc'), '123456').usages.signing).toBe(false);
  });

  it('signs the login challenge and a detached CMS signature the server verifies', async () => {
    const identity = loadPkcs12(p12('bidder1', 'sign'), '123456');
    const text = 'bidhall login\nnonce: 测试\n';
    expect(
      verify(
        'sha256',
        Buffer.from(text),
        loadCert('bidder1', 'sign').publicKey,
        Buffer.from(signText(identity, text), 'base64'),
      ),
    ).toBe(true);
    const record = Buffer.from('{"format":"bidhall-opening-record/1","备注":"签名"}');
    const verified = await verifySmall(Buffer.from(signDetached(identity, record)), {
      detachedContent: record,
    });
    expect(verified.signer.identity).toBe('91310000MA1FL0001X');
  });

  for (const [cipher, padding] of [
    ['aes-256-gcm', 'oaep'],
    ['aes-256-cbc', 'pkcs1'],
  ] as const) {
    it(`unwraps content keys and opens envelopes in the page (${cipher}, RSA ${padding})`, async () => {
      const content = Buffer.from('{"price":"1234567.89"}');
      const sealed = await seal(content, 'bidder4', cipher, padding);
      const identity = loadPkcs12(p12('bidder4', 'enc'), '123456');
      const envelope = await EnvelopeReader.open(sealed);
      const expected = serverUnwrap(
        envelope.header.recipients.find((r) => recipientMatches(r, loadCert('bidder4', 'enc')))!,
        loadKey('bidder4', 'enc'),
      );
      expect(
        Buffer.from(unwrapContentKey(new Uint8Array(envelope.header.recipientInfos), identity)).equals(
          expected,
        ),
      ).toBe(true);
      const plaintext = await openEnvelope(new Uint8Array(sealed), identity);
      expect(isSignedData(plaintext)).toBe(true);
      expect((await verifySmall(Buffer.from(plaintext))).content?.equals(content)).toBe(true);
      await expect(
        openEnvelope(new Uint8Array(sealed), loadPkcs12(p12('bidder1', 'enc'), '123456')),
      ).rejects.toMatchObject({
        reason: 'not-recipient',
      });
    });
  }

  it('seal-19: accepts only the bidder’s own detached signature over the exact manifest, and hashes a self-test', async () => {
    const signing = loadPkcs12(p12('bidder1', 'sign'), '123456');
    const manifest = Buffer.from('{"format":"bidhall-bid/1","tenderId":"t"}');
    const own = { certificate: loadCert('bidder1', 'sign'), privateKey: loadKey('bidder1', 'sign') };
    await expect(
      verifyOwnSignature(manifest, signSmall(manifest, own, { detached: true }), signing),
    ).resolves.toBeUndefined();
    const refusals = [
      signSmall(Buffer.from('other'), own, { detached: true }),
      signSmall(manifest, own, { detached: false }),
      signSmall(
        manifest,
        { certificate: loadCert('bidder2', 'sign'), privateKey: loadKey('bidder2', 'sign') },
        { detached: true },
      ),
    ];
    for (const signature of refusals)
      await expect(verifyOwnSignature(manifest, signature, signing)).rejects.toMatchObject({
        reason: 'not-own-bid',
      });
    expect((await selfTestAnswer(new Uint8Array(40))).length).toBe(0);
    const secret = new Uint8Array(32).fill(7);
    expect(Buffer.from(await selfTestAnswer(secret)).toString('hex')).toBe(
      createHash('sha256').update(secret).digest('hex'),
    );
  });
});
