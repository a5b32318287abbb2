/**
 * CMS EnvelopedData (RFC 5652 §6, AES-256-CBC) and AuthEnvelopedData (RFC 5083/5084, AES-256-GCM):
 * sealing as a stream, and reading the envelope's structure (recipients, algorithm parameters, the
 * ciphertext as a stream, the GCM tag) without holding the content in memory.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  algorithmIdentifier,
  contextTag,
  type DerNode,
  decodeObjectIdentifier,
  derChildren,
  encodeLength,
  endOfContents,
  indefinite,
  integer,
  objectIdentifier,
  octetString,
  setOf,
  stringOctets,
  tag,
  tlv,
} from '../asn1/der.ts';
import { oid } from '../asn1/oids.ts';
import { AppError } from '../errors.ts';
import type { ParsedCertificate } from '../pki/certificate.ts';
import { type BerHeader, BerReader, expectTag, parseSmall, readOid } from './ber-reader.ts';
import {
  type ParsedRecipient,
  parseRecipientInfos,
  type RsaPadding,
  recipientInfoFor,
} from './recipients.ts';
import { rechunk } from './signed-data.ts';

export const contentCiphers = ['aes-256-gcm', 'aes-256-cbc'] as const;
export type ContentCipher = (typeof contentCiphers)[number];

const gcmTagLength = 16;
const ciphertextChunk = 256 * 1024;

export interface SealOptions {
  readonly recipients: readonly ParsedCertificate[];
  readonly cipher: ContentCipher;
  readonly rsaPadding?: RsaPadding;
}

/**
 * Encrypts a stream into a ContentInfo(AuthEnvelopedData | EnvelopedData), BER indefinite length. The
 * encapsulated content type is id-data, as `openssl cms -encrypt` writes it: the plaintext is itself a
 * complete ContentInfo (the SignedData), so `openssl cms -decrypt | openssl cms -verify` works.
 */
export async function* sealStream(
  plaintext: AsyncIterable<Uint8Array>,
  options: SealOptions,
): AsyncGenerator<Buffer> {
  const cek = randomBytes(32);
  const recipientInfos = setOf(
    ...options.recipients.map((cert) => recipientInfoFor(cert, cek, options.rsaPadding)),
  );
  const gcm = options.cipher === 'aes-256-gcm';
  const iv = randomBytes(gcm ? 12 : 16);
  const gcmCipher = gcm ? createCipheriv('aes-256-gcm', cek, iv, { authTagLength: gcmTagLength }) : null;
  const cipher = gcmCipher ?? createCipheriv('aes-256-cbc', cek, iv);
  cek.fill(0);
  const parameters = gcm ? tlv(tag.sequence, octetString(iv), integer(gcmTagLength)) : octetString(iv);
  const hasKeyAgreement = options.recipients.some((c) => c.publicKey.asymmetricKeyType === 'ec');
  // RFC 5652 §6.1: version 2 once any RecipientInfo is not version 0 (kari is version 3).
  const version = gcm ? 0 : hasKeyAgreement ? 2 : 0;
  yield Buffer.concat([
    indefinite(tag.sequence),
    objectIdentifier(gcm ? oid.authEnvelopedData : oid.envelopedData),
    indefinite(contextTag(0, true)),
    indefinite(tag.sequence),
    integer(version),
    recipientInfos,
    indefinite(tag.sequence),
    objectIdentifier(oid.data),
    algorithmIdentifier(gcm ? oid.aes256Gcm : oid.aes256Cbc, parameters),
    indefinite(contextTag(0, true)),
  ]);
  for await (const chunk of rechunk(plaintext, ciphertextChunk)) {
    const encrypted = cipher.update(chunk);
    if (encrypted.length > 0) {
      yield segmentHeader(encrypted.length);
      yield encrypted;
    }
  }
  const last = cipher.final();
  const trailer: Buffer[] = [];
  if (last.length > 0) trailer.push(segmentHeader(last.length), last);
  trailer.push(endOfContents, endOfContents); // [0] encryptedContent, EncryptedContentInfo
  if (gcmCipher) trailer.push(octetString(gcmCipher.getAuthTag()));
  trailer.push(endOfContents, endOfContents, endOfContents); // (Auth)EnvelopedData, [0], ContentInfo
  yield Buffer.concat(trailer);
}

function segmentHeader(length: number): Buffer {
  return Buffer.concat([Buffer.from([tag.octetString]), encodeLength(length)]);
}

export type EnvelopeCipher =
  | { readonly name: 'aes-256-cbc'; readonly iv: Buffer }
  | { readonly name: 'aes-256-gcm'; readonly nonce: Buffer; readonly tagLength: number };

export interface EnvelopeHeader {
  readonly kind: 'enveloped' | 'auth-enveloped';
  readonly recipientInfos: Buffer;
  readonly recipients: readonly ParsedRecipient[];
  /** The encapsulated content type (id-data, or id-signedData from writers that label it so). */
  readonly contentType: string;
  readonly cipher: EnvelopeCipher;
}

/**
 * Reads an (Auth)EnvelopedData in three steps: `open` (header and recipients), `ciphertext()` (the
 * encrypted content as a stream), `close()` (GCM tag, trailing attributes, end of input).
 */
export class EnvelopeReader {
  readonly #reader: BerReader;
  readonly header: EnvelopeHeader;
  readonly #frames: {
    contentInfo: BerHeader;
    explicit: BerHeader;
    envelope: BerHeader;
    encrypted: BerHeader;
  };
  #ciphertextDone = false;
  /** GCM tag after `close()`. */
  mac: Buffer | null = null;

  private constructor(
    reader: BerReader,
    header: EnvelopeHeader,
    frames: { contentInfo: BerHeader; explicit: BerHeader; envelope: BerHeader; encrypted: BerHeader },
  ) {
    this.#reader = reader;
    this.header = header;
    this.#frames = frames;
  }

  static async open(source: AsyncIterable<Uint8Array> | Uint8Array | BerReader): Promise<EnvelopeReader> {
    const reader = source instanceof BerReader ? source : new BerReader(source);
    const contentInfo = await reader.readHeader();
    expectTag(contentInfo, tag.sequence, 'ContentInfo');
    const type = await readOid(reader);
    const kind =
      type === oid.envelopedData ? 'enveloped' : type === oid.authEnvelopedData ? 'auth-enveloped' : null;
    if (!kind)
      throw new AppError(
        'CMS_MALFORMED',
        `content type ${type} is not an EnvelopedData or AuthEnvelopedData`,
      );
    const explicit = await reader.readHeader();
    expectTag(explicit, contextTag(0, true), '[0] content');
    const envelope = await reader.readHeader();
    expectTag(envelope, tag.sequence, kind === 'enveloped' ? 'EnvelopedData' : 'AuthEnvelopedData');
    const version = parseSmall(await reader.readElement(16), 'the envelope version', (node) => {
      if (node.tagByte !== tag.integer || node.content.length !== 1)
        throw new RangeError('not a small INTEGER');
      return node.content[0]!;
    });

    let next = await reader.readHeader();
    const hasOriginatorInfo = next.tagByte === contextTag(0, true);
    if (hasOriginatorInfo) {
      await reader.skipRest(next); // originatorInfo: certificates for the recipients' benefit; not needed
      next = await reader.readHeader();
    }
    expectTag(next, tag.set, 'RecipientInfos');
    const recipientInfos = await reader.readRest(next, 256 * 1024);
    const recipients = parseRecipientInfos(recipientInfos);
    // RFC 5083 §2.1: AuthEnvelopedData is always version 0. RFC 5652 §6.1: EnvelopedData is 0 when
    // every recipient is a version-0 ktri and there is no originatorInfo, 2 for what bidhall accepts else.
    const allKtri0 = !hasOriginatorInfo && recipients.every((r) => r.kind === 'ktri' && r.info.version === 0);
    const expectedVersion = kind === 'auth-enveloped' ? 0 : allKtri0 ? 0 : 2;
    if (version !== expectedVersion && !(kind === 'enveloped' && version === 2)) {
      throw new AppError(
        'CMS_MALFORMED',
        `envelope version ${version}; this ${kind === 'auth-enveloped' ? 'AuthEnvelopedData' : 'EnvelopedData'} must be version ${expectedVersion}`,
      );
    }

    const encrypted = await reader.readHeader();
    expectTag(encrypted, tag.sequence, 'EncryptedContentInfo');
    const contentType = await readOid(reader);
    if (contentType !== oid.data && contentType !== oid.signedData) {
      throw new AppError(
        'CMS_MALFORMED',
        `encapsulated content type ${contentType}: a sealed part holds id-data (or id-signedData)`,
      );
    }
    const cipher = parseSmall(await reader.readElement(1024), 'the content-encryption algorithm', (node) =>
      parseCipher(node, kind),
    );
    return new EnvelopeReader(
      reader,
      { kind, recipientInfos, recipients, contentType, cipher },
      { contentInfo, explicit, envelope, encrypted },
    );
  }

  /** The encrypted content, streamed; empty when the content is absent (detached). */
  async *ciphertext(): AsyncGenerator<Buffer> {
    if (this.#ciphertextDone) throw new Error('ciphertext() was already consumed');
    this.#ciphertextDone = true;
    const end = this.#reader.endOf(this.#frames.encrypted);
    if (!(await this.#reader.hasMore(end))) return;
    const content = await this.#reader.readHeader();
    if (content.tagByte !== contextTag(0, false) && content.tagByte !== contextTag(0, true)) {
      throw new AppError('CMS_MALFORMED', `expected [0] encryptedContent at byte ${content.offset}`);
    }
    yield* this.#reader.octetStringContent(content);
    if (await this.#reader.hasMore(end))
      throw new AppError('CMS_MALFORMED', 'unexpected data in EncryptedContentInfo');
  }

  /** Reads what follows the ciphertext and checks that the input ends with the object. */
  async close(): Promise<void> {
    if (!this.#ciphertextDone) for await (const _ of this.ciphertext());
    const reader = this.#reader;
    const end = reader.endOf(this.#frames.envelope);
    while (await reader.hasMore(end)) {
      const header = await reader.readHeader();
      if (header.tagByte === contextTag(1, true)) {
        // unprotectedAttrs (EnvelopedData) are ignored. authAttrs (AuthEnvelopedData) would be GCM's
        // additional data, which must be known before the first ciphertext byte; they come after it, so a
        // streaming reader cannot use them. OpenSSL never writes them.
        if (this.header.kind === 'auth-enveloped') {
          throw new AppError(
            'CMS_UNSUPPORTED',
            'authenticated attributes in AuthEnvelopedData are not supported',
          );
        }
        await reader.skipRest(header);
      } else if (
        (header.tagByte === tag.octetString || header.tagByte === tag.constructedOctetString) &&
        this.header.kind === 'auth-enveloped' &&
        !this.mac
      ) {
        // The tag is at most 16 bytes (RFC 5084): its declared length is never trusted further.
        this.mac = await reader.readSmallOctets(header, gcmTagLength, 'the authentication tag');
      } else if (header.tagByte === contextTag(2, true) && this.header.kind === 'auth-enveloped') {
        await reader.skipRest(header);
      } else {
        throw new AppError(
          'CMS_MALFORMED',
          `unexpected element 0x${header.tagByte.toString(16)} in the envelope`,
        );
      }
    }
    if (this.header.kind === 'auth-enveloped') {
      const { tagLength } = this.header.cipher as { tagLength: number };
      if (!this.mac || this.mac.length !== tagLength)
        throw new AppError('CMS_MALFORMED', 'the authentication tag is missing');
    }
    await reader.closeFrame(this.#frames.explicit, 'the [0] content');
    await reader.closeFrame(this.#frames.contentInfo, 'the ContentInfo');
    await reader.expectEnd();
  }
}

function parseCipher(algorithm: DerNode, kind: 'enveloped' | 'auth-enveloped'): EnvelopeCipher {
  if (algorithm.tagByte !== tag.sequence) throw new RangeError('not an AlgorithmIdentifier');
  const [algorithmOid, parameters, extra] = derChildren(algorithm);
  if (!algorithmOid || algorithmOid.tagByte !== tag.oid || extra)
    throw new RangeError('not an AlgorithmIdentifier');
  const name = decodeObjectIdentifier(algorithmOid.content);
  const isOctets = (node: DerNode | undefined) =>
    node?.tagByte === tag.octetString || node?.tagByte === tag.constructedOctetString;
  if (kind === 'enveloped' && name === oid.aes256Cbc) {
    const iv = parameters && isOctets(parameters) ? stringOctets(parameters) : Buffer.alloc(0);
    if (iv.length !== 16) throw new AppError('CMS_MALFORMED', 'AES-CBC parameters must be a 16-byte IV');
    return { name: 'aes-256-cbc', iv: Buffer.from(iv) };
  }
  if (kind === 'auth-enveloped' && name === oid.aes256Gcm) {
    if (!parameters || parameters.tagByte !== tag.sequence)
      throw new AppError('CMS_MALFORMED', 'GCM parameters missing');
    const [nonce, icvLength, more] = derChildren(parameters);
    const tagLength =
      icvLength?.tagByte === tag.integer && icvLength.content.length === 1
        ? icvLength.content[0]!
        : icvLength
          ? 0
          : 12;
    const nonceBytes = isOctets(nonce) ? stringOctets(nonce!) : null;
    // RFC 5084 §3.2: 12 octets of nonce are recommended; OpenSSL writes 12. Longer nonces are legal.
    if (
      !nonceBytes ||
      nonceBytes.length < 12 ||
      nonceBytes.length > 64 ||
      more ||
      ![12, 13, 14, 15, 16].includes(tagLength)
    ) {
      throw new AppError('CMS_MALFORMED', 'GCM parameters are invalid');
    }
    return { name: 'aes-256-gcm', nonce: Buffer.from(nonceBytes), tagLength };
  }
  throw new AppError(
    'CMS_UNSUPPORTED',
    `content encryption ${name} is not accepted (AES-256-CBC in EnvelopedData or AES-256-GCM in AuthEnvelopedData)`,
  );
}

/**
 * Decrypts an envelope with a known content key, as a stream of plaintext. For GCM the plaintext is
 * unauthenticated until the stream has ended without error (the tag is checked last): whoever consumes it
 * must keep it in quarantine until then.
 */
export async function* decryptStream(envelope: EnvelopeReader, contentKey: Buffer): AsyncGenerator<Buffer> {
  if (contentKey.length !== 32) throw new AppError('CMS_MALFORMED', 'the content key must be 32 bytes');
  const cipher = envelope.header.cipher;
  const gcm =
    cipher.name === 'aes-256-gcm'
      ? createDecipheriv('aes-256-gcm', contentKey, cipher.nonce, { authTagLength: cipher.tagLength })
      : null;
  const decipher = gcm ?? createDecipheriv('aes-256-cbc', contentKey, (cipher as { iv: Buffer }).iv);
  for await (const chunk of envelope.ciphertext()) {
    const plain = decipher.update(chunk);
    if (plain.length) yield plain;
  }
  await envelope.close();
  gcm?.setAuthTag(envelope.mac!);
  let last: Buffer;
  try {
    last = decipher.final();
  } catch (error) {
    throw new AppError('CMS_MALFORMED', 'decryption failed: wrong key or altered ciphertext', {
      cause: error,
    });
  }
  if (last.length) yield last;
}

/** Decrypts a whole envelope into `sink` (see `decryptStream` on GCM quarantine). */
export async function decryptEnvelope(
  envelope: EnvelopeReader,
  contentKey: Buffer,
  sink: (chunk: Buffer) => void | Promise<void>,
): Promise<void> {
  for await (const chunk of decryptStream(envelope, contentKey)) await sink(chunk);
}
