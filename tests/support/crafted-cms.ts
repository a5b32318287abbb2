/**
 * Hand-made CMS for hostile-input tests: envelopes with chosen RecipientInfos, versions and lengths, and
 * SignedData encoded in BER where a DER-only reader would stumble. Built from the same DER helpers the
 * server writes with, so each test says exactly which bytes differ from a well-formed bid.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { OpeningSummary } from '@bidhall/shared';
import { summaryFormat } from '@bidhall/shared';
import {
  algorithmIdentifier,
  contextTag,
  encodeLength,
  endOfContents,
  indefinite,
  integer,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  setOf,
  tag,
  time,
  tlv,
} from '../../server/src/asn1/der.ts';
import { oid } from '../../server/src/asn1/oids.ts';
import { EnvelopeReader, sealStream } from '../../server/src/cms/enveloped.ts';
import { recipientInfoFor } from '../../server/src/cms/recipients.ts';
import type { Signer } from '../../server/src/cms/signed-data.ts';
import type { ParsedCertificate } from '../../server/src/pki/certificate.ts';
import { signSha256 } from '../../server/src/pki/signature.ts';

export async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

async function* once(data: Buffer) {
  yield data;
}

/** A well-formed sealed part (AuthEnvelopedData, BER indefinite outer frames) of `plaintext`. */
export function seal(plaintext: Buffer, recipients: readonly ParsedCertificate[]): Promise<Buffer> {
  return collect(sealStream(once(plaintext), { recipients, cipher: 'aes-256-gcm' }));
}

/** `sealed` with its RecipientInfos SET replaced by `recipientInfos` (the outer frames are indefinite). */
export async function withRecipientInfos(sealed: Buffer, recipientInfos: Buffer): Promise<Buffer> {
  const original = (await EnvelopeReader.open(sealed)).header.recipientInfos;
  const at = sealed.indexOf(original);
  if (at < 0) throw new Error('RecipientInfos not found in the sealed part');
  return Buffer.concat([sealed.subarray(0, at), recipientInfos, sealed.subarray(at + original.length)]);
}

/** The DER RecipientInfo bidhall itself writes for `cert` (a ktri for RSA, a kari for EC). */
export const recipientFor = (cert: ParsedCertificate, cek = randomBytes(32)) => recipientInfoFor(cert, cek);

/** A KeyTransRecipientInfo for `cert` with whatever algorithm and encrypted key the test chooses. */
export function ktri(cert: ParsedCertificate, algorithm: Buffer, encryptedKey: Buffer): Buffer {
  return sequence(
    integer(0),
    sequence(cert.issuerDer, tlv(tag.integer, cert.serial)),
    algorithm,
    octetString(encryptedKey),
  );
}

export const rsaOaepSha256 = () => {
  const sha256 = algorithmIdentifier(oid.sha256, nullValue());
  return algorithmIdentifier(
    oid.rsaesOaep,
    sequence(
      tlv(contextTag(0, true), sha256),
      tlv(contextTag(1, true), algorithmIdentifier(oid.mgf1, sha256)),
    ),
  );
};

/** The head of an AuthEnvelopedData (GCM) up to its first ciphertext segment, all frames indefinite. */
export function gcmHead(recipientInfos: Buffer, options: { version?: number; contentType?: string } = {}) {
  return Buffer.concat([
    indefinite(tag.sequence),
    objectIdentifier(oid.authEnvelopedData),
    indefinite(contextTag(0, true)),
    indefinite(tag.sequence),
    integer(options.version ?? 0),
    recipientInfos,
    indefinite(tag.sequence),
    objectIdentifier(options.contentType ?? oid.data),
    algorithmIdentifier(oid.aes256Gcm, sequence(octetString(randomBytes(12)), integer(16))),
    indefinite(contextTag(0, true)),
  ]);
}

/** Closes a GCM envelope opened by `gcmHead`: the ciphertext frames, the tag, the outer frames. */
export function gcmTail(tagBytes: Buffer = randomBytes(16)) {
  return Buffer.concat([
    endOfContents,
    endOfContents,
    octetString(tagBytes),
    endOfContents,
    endOfContents,
    endOfContents,
  ]);
}

/** `count` bytes of `pattern` repeated, in chunks of about a mebibyte. */
export function* repeated(pattern: Buffer, count: number): Generator<Buffer> {
  const chunk = Buffer.alloc(Math.floor((1 << 20) / pattern.length) * pattern.length);
  for (let i = 0; i < chunk.length; i += pattern.length) pattern.copy(chunk, i);
  let left = count;
  while (left > 0) {
    const take = Math.min(left, chunk.length);
    yield chunk.subarray(0, take);
    left -= take;
  }
}

export const octetHeader = (length: number) =>
  Buffer.concat([Buffer.from([tag.octetString]), encodeLength(length)]);

/**
 * A ContentInfo(SignedData) over `content` that is valid BER but not DER: indefinite lengths in the
 * digest algorithms, the encapsulated content, the certificates, the SignerInfos and the SignerInfo
 * itself, the content as a constructed OCTET STRING. The signed attributes stay DER, as RFC 5652 §5.4
 * requires of what a signature covers.
 */
export function berSignedData(content: Buffer, signer: Signer): Buffer {
  const digest = createHash('sha256').update(content).digest();
  const attribute = (type: string, value: Buffer) => sequence(objectIdentifier(type), setOf(value));
  const signedAttributes = setOf(
    attribute(oid.contentType, objectIdentifier(oid.data)),
    attribute(oid.signingTime, time(new Date())),
    attribute(oid.messageDigest, octetString(digest)),
  );
  const { signature, algorithm } = signSha256(signedAttributes, signer.privateKey);
  const half = content.length >> 1;
  return Buffer.concat([
    indefinite(tag.sequence),
    objectIdentifier(oid.signedData),
    indefinite(contextTag(0, true)),
    indefinite(tag.sequence),
    integer(1),
    indefinite(tag.set),
    algorithmIdentifier(oid.sha256, nullValue()),
    endOfContents,
    indefinite(tag.sequence),
    objectIdentifier(oid.data),
    indefinite(contextTag(0, true)),
    indefinite(tag.constructedOctetString),
    octetString(content.subarray(0, half)),
    octetString(content.subarray(half)),
    endOfContents,
    endOfContents,
    endOfContents,
    indefinite(contextTag(0, true)),
    signer.certificate.der,
    endOfContents,
    indefinite(tag.set),
    indefinite(tag.sequence),
    integer(1),
    sequence(signer.certificate.issuerDer, tlv(tag.integer, signer.certificate.serial)),
    algorithmIdentifier(oid.sha256, nullValue()),
    Buffer.concat([Buffer.from([contextTag(0, true)]), signedAttributes.subarray(1)]),
    algorithmIdentifier(algorithm, nullValue()),
    octetString(signature),
    endOfContents,
    endOfContents,
    endOfContents,
    endOfContents,
    endOfContents,
  ]);
}

/** An opening summary (bidhall-summary/1) for `tenderId`, bound to documents of `documentsSha256`. */
export function summaryJson(tenderId: string, documentsSha256: string, fields: OpeningSummary['fields']) {
  const summary: OpeningSummary = { format: summaryFormat, tenderId, fields, documentsSha256 };
  return Buffer.from(JSON.stringify(summary));
}
