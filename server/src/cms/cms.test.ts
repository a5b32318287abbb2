import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cmsDecrypt, cmsVerify, openssl } from '../../../tests/support/openssl.ts';
import { certPath, keyPath, loadCert, loadKey } from '../../../tests/support/pki.ts';
import { AppError } from '../errors.ts';
import { BerReader } from './ber-reader.ts';
import { decryptEnvelope, EnvelopeReader, sealStream } from './enveloped.ts';
import { recipientMatches, unwrapContentKey } from './recipients.ts';
import { readSignedData, signSmall, signStream, verifySmall } from './signed-data.ts';

const work = mkdtempSync(join(tmpdir(), 'bidhall-cms-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

async function* once(data: Buffer) {
  yield data;
}

/** What openssl makes of `content`: signed by bidder's signing key, then encrypted to the recipients. */
function opensslSeal(
  content: Buffer,
  options: {
    signer: string;
    recipients: string[];
    cipher: 'aes-256-cbc' | 'aes-256-gcm';
    stream: boolean;
    oaep?: boolean;
  },
): Buffer {
  const input = join(work, `in-${randomBytes(4).toString('hex')}`);
  writeFileSync(input, content);
  const signed = `${input}.signed`;
  const sealed = `${input}.sealed`;
  openssl(
    'cms',
    '-sign',
    '-binary',
    '-nodetach',
    '-in',
    input,
    '-signer',
    certPath(options.signer, 'sign'),
    '-inkey',
    keyPath(options.signer, 'sign'),
    '-outform',
    'DER',
    '-out',
    signed,
    ...(options.stream ? ['-stream'] : []),
  );
  const recipientArgs = options.recipients.flatMap((r) => [
    '-recip',
    certPath(r, 'enc'),
    ...(options.oaep && !r.includes('3') ? ['-keyopt', 'rsa_padding_mode:oaep'] : []),
  ]);
  openssl(
    'cms',
    '-encrypt',
    '-binary',
    `-${options.cipher}`,
    '-in',
    signed,
    '-inform',
    'DER',
    '-outform',
    'DER',
    '-out',
    sealed,
    ...(options.stream ? ['-stream'] : []),
    ...recipientArgs,
  );
  return readFileSync(sealed);
}

describe('reading what openssl cms writes', () => {
  const variants = [
    { cipher: 'aes-256-cbc', stream: false, oaep: false },
    { cipher: 'aes-256-cbc', stream: true, oaep: true },
    { cipher: 'aes-256-gcm', stream: false, oaep: true },
    { cipher: 'aes-256-gcm', stream: true, oaep: false },
  ] as const;

  for (const variant of variants) {
    it(`opens ${variant.cipher} ${variant.stream ? 'BER -stream' : 'DER'} ${variant.oaep ? 'RSA-OAEP' : 'RSA PKCS#1 v1.5'} + ECDH`, async () => {
      const content = randomBytes(200_000 + Math.floor(Math.random() * 1000));
      const sealed = opensslSeal(content, {
        signer: 'bidder1',
        recipients: ['bidder1', 'bidder3'],
        ...variant,
      });
      for (const [actor, chunkSize] of [
        ['bidder1', 7],
        ['bidder3', 4096],
      ] as const) {
        // Feed the reader in small chunks to exercise every boundary of the streaming parser.
        async function* chunks() {
          for (let i = 0; i < sealed.length; i += chunkSize) yield sealed.subarray(i, i + chunkSize);
        }
        const envelope = await EnvelopeReader.open(chunks());
        expect(envelope.header.kind).toBe(variant.cipher === 'aes-256-gcm' ? 'auth-enveloped' : 'enveloped');
        const cert = loadCert(actor, 'enc');
        const recipient = envelope.header.recipients.find((r) => recipientMatches(r, cert));
        expect(recipient?.kind).toBe(actor === 'bidder3' ? 'kari' : 'ktri');
        const key = unwrapContentKey(recipient!, loadKey(actor, 'enc'));
        const plaintext: Buffer[] = [];
        await decryptEnvelope(envelope, key, (chunk) => {
          plaintext.push(Buffer.from(chunk));
        });
        const verified = await verifySmall(Buffer.concat(plaintext), { maxContent: 1 << 20 });
        expect(verified.content?.equals(content)).toBe(true);
        expect(verified.signer.identity).toBe(loadCert('bidder1', 'sign').identity);
      }
    });
  }

  it('reports the first altered byte of the ciphertext as a failed decryption (GCM tag)', async () => {
    const content = randomBytes(10_000);
    const sealed = opensslSeal(content, {
      signer: 'bidder2',
      recipients: ['bidder2'],
      cipher: 'aes-256-gcm',
      stream: false,
    });
    const envelope0 = await EnvelopeReader.open(sealed);
    const key = unwrapContentKey(envelope0.header.recipients[0]!, loadKey('bidder2', 'enc'));
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 200]! ^= 1;
    const envelope = await EnvelopeReader.open(tampered);
    await expect(decryptEnvelope(envelope, key, () => {})).rejects.toMatchObject({ code: 'CMS_MALFORMED' });
  });
});

describe('what bidhall writes, read by openssl cms', () => {
  for (const cipher of ['aes-256-gcm', 'aes-256-cbc'] as const) {
    for (const rsaPadding of ['oaep', 'pkcs1'] as const) {
      it(`seals ${cipher} (${rsaPadding}) so that openssl decrypts it for an RSA and an EC recipient and verifies the signature`, async () => {
        const content = randomBytes(150_000);
        const signer = { certificate: loadCert('bidder4', 'sign'), privateKey: loadKey('bidder4', 'sign') };
        const sealed = await collect(
          sealStream(signStream(once(content), signer), {
            recipients: [loadCert('bidder4', 'enc'), loadCert('bidder3', 'enc')],
            cipher,
            rsaPadding,
          }),
        );
        const sealedPath = join(work, `ours-${cipher}-${rsaPadding}.p7m`);
        writeFileSync(sealedPath, sealed);
        for (const actor of ['bidder4', 'bidder3']) {
          const signed = cmsDecrypt(sealedPath, actor);
          const signedPath = `${sealedPath}.${actor}.signed`;
          writeFileSync(signedPath, signed);
          const verified = cmsVerify(signedPath, 'ca-b');
          expect(verified.equals(content)).toBe(true);
        }
      });
    }
  }

  it('writes detached and attached small signatures that openssl verifies, and reads openssl detached ones', async () => {
    const content = Buffer.from('{"hello":"世界"}');
    const signer = { certificate: loadCert('bidder1', 'sign'), privateKey: loadKey('bidder1', 'sign') };
    const contentPath = join(work, 'small.json');
    writeFileSync(contentPath, content);
    const detachedPath = join(work, 'small.p7s');
    writeFileSync(detachedPath, signSmall(content, signer, { detached: true }));
    cmsVerify(detachedPath, 'ca-a', '-content', contentPath);
    const attachedPath = join(work, 'small-attached.p7s');
    writeFileSync(attachedPath, signSmall(content, signer, { detached: false }));
    expect(cmsVerify(attachedPath, 'ca-a').equals(content)).toBe(true);

    const theirs = join(work, 'theirs.p7s');
    openssl(
      'cms',
      '-sign',
      '-binary',
      '-in',
      contentPath,
      '-signer',
      certPath('bidder3', 'sign'),
      '-inkey',
      keyPath('bidder3', 'sign'),
      '-outform',
      'DER',
      '-out',
      theirs,
    );
    const verified = await verifySmall(readFileSync(theirs), { detachedContent: content });
    expect(verified.signer.commonName).toBe('西南水利水电股份有限公司');
    await expect(
      verifySmall(readFileSync(theirs), { detachedContent: Buffer.from('{"hello":"World"}') }),
    ).rejects.toMatchObject({
      code: 'BID_SIGNATURE_INVALID',
    });
  });
});

describe('bad input', () => {
  const sealedSample = () =>
    opensslSeal(randomBytes(5000), {
      signer: 'bidder1',
      recipients: ['bidder1'],
      cipher: 'aes-256-cbc',
      stream: true,
    });

  async function readWhole(data: Buffer): Promise<void> {
    const envelope = await EnvelopeReader.open(data);
    await envelope.close();
  }

  it('accepts the intact sample (control)', async () => {
    await expect(readWhole(sealedSample())).resolves.toBeUndefined();
  });

  it('reports truncation at every cut point as CMS_TRUNCATED', async () => {
    const sealed = sealedSample();
    for (const cut of [1, 2, 10, 100, sealed.length >> 1, sealed.length - 3, sealed.length - 1]) {
      await expect(readWhole(sealed.subarray(0, cut)), `cut at ${cut}`).rejects.toMatchObject({
        code: 'CMS_TRUNCATED',
      });
    }
  });

  it('reports garbage, wrong content types and trailing data as CMS_MALFORMED', async () => {
    await expect(readWhole(Buffer.from('PK\x03\x04 this is a zip file'))).rejects.toMatchObject({
      code: 'CMS_MALFORMED',
    });
    const signedOnly = signSmall(
      Buffer.from('x'),
      { certificate: loadCert('bidder1', 'sign'), privateKey: loadKey('bidder1', 'sign') },
      { detached: false },
    );
    await expect(readWhole(signedOnly)).rejects.toMatchObject({ code: 'CMS_MALFORMED' });
    await expect(readWhole(Buffer.concat([sealedSample(), Buffer.from([1, 2, 3])]))).rejects.toMatchObject({
      code: 'CMS_MALFORMED',
    });
    // A length field claiming more than 2^48 bytes.
    await expect(readWhole(Buffer.from([0x30, 0x87, 1, 1, 1, 1, 1, 1, 1]))).rejects.toMatchObject({
      code: 'CMS_MALFORMED',
    });
  });

  it('rejects ciphers outside the profile as CMS_UNSUPPORTED', async () => {
    const input = join(work, 'des.txt');
    writeFileSync(input, 'x');
    const sealed = openssl(
      'cms',
      '-encrypt',
      '-binary',
      '-des3',
      '-in',
      input,
      '-outform',
      'DER',
      certPath('bidder1', 'enc'),
    );
    await expect(readWhole(sealed)).rejects.toMatchObject({ code: 'CMS_UNSUPPORTED' });
  });

  it('never buffers a huge declared element: a 1 GB OCTET STRING header fails fast as truncated', async () => {
    const reader = new BerReader(Buffer.from([0x04, 0x84, 0x40, 0, 0, 0, 1, 2, 3]));
    const header = await reader.readHeader();
    expect(header.length).toBe(0x40000000);
    const first = reader.stream(header.length!)[Symbol.asyncIterator]();
    expect((await first.next()).value?.length).toBe(3);
    await expect(first.next()).rejects.toBeInstanceOf(AppError);
  });

  it('streams attached SignedData content to a sink without collecting it', async () => {
    const signer = { certificate: loadCert('bidder2', 'sign'), privateKey: loadKey('bidder2', 'sign') };
    const content = randomBytes(300_000);
    const signed = await collect(signStream(once(content), signer));
    let seen = 0;
    const result = await readSignedData(new BerReader(signed), {
      onContent: (chunk) => {
        seen += chunk.length;
      },
    });
    expect(seen).toBe(content.length);
    expect(result.content).toBeNull();
  });

  it('seal-04: a SET of empty indefinite children counts every header and end-of-contents against the limit', async () => {
    const children = Buffer.alloc(4 * 100_000);
    for (let i = 0; i < children.length; i += 4) children.set([0x30, 0x80, 0, 0], i);
    const reader = new BerReader(Buffer.concat([Buffer.from([0x31, 0x80]), children, Buffer.from([0, 0])]));
    await expect(reader.readElement(64 * 1024)).rejects.toMatchObject({
      code: 'CMS_MALFORMED',
      message: expect.stringMatching(/exceeds 65536 bytes/),
    });
    // The same structure within its limit is read whole (control).
    const small = Buffer.concat([Buffer.from([0x31, 0x80]), children.subarray(0, 400), Buffer.from([0, 0])]);
    await expect(new BerReader(small).readElement(404)).resolves.toEqual(small);
    await expect(new BerReader(small).readElement(403)).rejects.toMatchObject({ code: 'CMS_MALFORMED' });
  });

  it('seal-07: a detached check refuses a SignedData that carries other content, and accepts identical content', async () => {
    const signer = { certificate: loadCert('bidder1', 'sign'), privateKey: loadKey('bidder1', 'sign') };
    const document = Buffer.from('开标记录 v1');
    const attachedOther = signSmall(Buffer.from('something else'), signer, { detached: false });
    await expect(verifySmall(attachedOther, { detachedContent: document })).rejects.toMatchObject({
      code: 'BID_SIGNATURE_INVALID',
      message: expect.stringMatching(/content of its own/),
    });
    const attachedSame = signSmall(document, signer, { detached: false });
    await expect(verifySmall(attachedSame, { detachedContent: document })).resolves.toMatchObject({
      signer: { identity: '91310000MA1FL0001X' },
    });
    const detached = signSmall(document, signer, { detached: true });
    await expect(
      verifySmall(detached, { detachedContent: Buffer.from('开标记录 v2') }),
    ).rejects.toMatchObject({
      code: 'BID_SIGNATURE_INVALID',
    });
  });
});
