/**
 * A tender's opening key: the key pair every bid is also encrypted to, so that bids can be opened when a
 * bidder cannot decrypt (the custodian remedy, 电子招标投标办法 Art 31).
 *
 * The private key exists in one place only, briefly, in this process's memory at creation: it is split
 * k-of-n with Shamir's scheme (shamir-secret-sharing, GF(256), audited) and each share is signed by the
 * platform and sealed (CMS AuthEnvelopedData) to one custodian's encryption certificate. Neither the key
 * nor any share is ever stored in the clear, so the platform alone cannot open a bid.
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { OpeningKeyAlgorithm } from '@bidhall/shared';
import { combine, split } from 'shamir-secret-sharing';
import { sealStream } from '../cms/enveloped.ts';
import { type Signer, signStream } from '../cms/signed-data.ts';
import type { ParsedCertificate } from '../pki/certificate.ts';
import { type IssuerKeys, issueCertificate } from '../pki/issuer.ts';

export const keyShareFormat = 'bidhall-key-share/1';

/** The plaintext inside a sealed share (JSON, signed by the platform). */
export interface KeyShare {
  readonly format: typeof keyShareFormat;
  readonly tenderId: string;
  readonly tenderCode: string;
  readonly index: number;
  readonly quorum: number;
  readonly custodians: number;
  /** SHA-256 of the opening certificate (DER): which key this share rebuilds. */
  readonly openingCertificateSha256: string;
  /** The Shamir share, base64. */
  readonly share: string;
}

export interface OpeningKeyMaterial {
  readonly certificatePem: string;
  readonly sealedShares: readonly {
    readonly custodianId: string;
    readonly index: number;
    readonly sealed: Buffer;
  }[];
}

export interface CreateOpeningKeyInput {
  readonly tenderId: string;
  readonly tenderCode: string;
  readonly algorithm: OpeningKeyAlgorithm;
  readonly custodians: readonly { readonly id: string; readonly encryptionCertificate: ParsedCertificate }[];
  readonly quorum: number;
  readonly openingCa: IssuerKeys;
  readonly platformSigner: Signer;
  readonly platformName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

function generate(algorithm: OpeningKeyAlgorithm) {
  switch (algorithm) {
    case 'rsa-2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'rsa-3072':
      return generateKeyPairSync('rsa', { modulusLength: 3072 });
    case 'ec-p256':
      return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  }
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

async function* once(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
}

export async function createOpeningKey(input: CreateOpeningKeyInput): Promise<OpeningKeyMaterial> {
  const pair = generate(input.algorithm);
  const certificatePem = issueCertificate({
    subject: {
      cn: `开标证书 ${input.tenderCode}`,
      o: input.platformName,
      serialNumber: `TENDER-${input.tenderId}`,
    },
    usage: 'enc',
    publicKey: pair.publicKey,
    issuer: input.openingCa,
    notBefore: input.notBefore,
    notAfter: input.notAfter,
  });
  const certificateDer = Buffer.from(certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const exported = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
  // shamir-secret-sharing accepts a plain Uint8Array only (not a Buffer).
  const secret = new Uint8Array(exported);
  exported.fill(0);
  const shares = await split(secret, input.custodians.length, input.quorum);
  secret.fill(0);
  try {
    const sealedShares = [];
    for (const [i, custodian] of input.custodians.entries()) {
      const share: KeyShare = {
        format: keyShareFormat,
        tenderId: input.tenderId,
        tenderCode: input.tenderCode,
        index: i + 1,
        quorum: input.quorum,
        custodians: input.custodians.length,
        openingCertificateSha256: createHash('sha256').update(certificateDer).digest('hex'),
        share: Buffer.from(shares[i]!).toString('base64'),
      };
      const plaintext = Buffer.from(JSON.stringify(share), 'utf8');
      const sealed = await collect(
        sealStream(signStream(once(plaintext), input.platformSigner), {
          recipients: [custodian.encryptionCertificate],
          cipher: 'aes-256-gcm',
        }),
      );
      plaintext.fill(0);
      sealedShares.push({ custodianId: custodian.id, index: i + 1, sealed });
    }
    return { certificatePem, sealedShares };
  } finally {
    for (const share of shares) share.fill(0);
  }
}

/** Rebuilds the opening private key from k shares (in memory only: the remedy when a bidder's key fails). */
export async function recoverOpeningKey(shares: readonly Uint8Array[]): Promise<KeyObject> {
  const secret = Buffer.from(await combine(shares.map((share) => new Uint8Array(share))));
  try {
    return createPrivateKey({ key: secret, format: 'der', type: 'pkcs8' });
  } finally {
    secret.fill(0);
  }
}
