/**
 * CMS SignedData (RFC 5652 §5): written as a stream (content of any size, BER indefinite length, as
 * `openssl cms -sign -stream` does) or as compact DER for small documents (receipts, manifests,
 * record signatures); read as a stream with every digest computed on the fly, then verified.
 */
import { createHash, type Hash, type KeyObject } from 'node:crypto';
import { SignerInfo } from '@peculiar/asn1-cms';
import { AsnParser } from '@peculiar/asn1-schema';
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
  nullValue,
  objectIdentifier,
  octetString,
  readDer,
  sequence,
  setOf,
  tag,
  time,
  tlv,
} from '../asn1/der.ts';
import { digestNames, oid } from '../asn1/oids.ts';
import { AppError } from '../errors.ts';
import { matchesIssuerAndSerial, type ParsedCertificate, parseCertificate } from '../pki/certificate.ts';
import { signSha256, verifySignature } from '../pki/signature.ts';
import { BerReader, expectTag, parseSmall, readOid } from './ber-reader.ts';

export interface Signer {
  readonly certificate: ParsedCertificate;
  readonly privateKey: KeyObject;
  /** Intermediate certificates to include after the signer's own. */
  readonly chain?: readonly ParsedCertificate[];
}

/** Size of the OCTET STRING segments of streamed content (BER); large segments mean fewer writes. */
const contentChunk = 256 * 1024;

function attribute(type: string, value: Buffer): Buffer {
  return sequence(objectIdentifier(type), setOf(value));
}

/** SignerInfo (DER) over a content digest, with contentType, signingTime and messageDigest attributes. */
function signerInfo(signer: Signer, contentType: string, digest: Buffer, signingTime: Date): Buffer {
  const attributes = [
    attribute(oid.contentType, objectIdentifier(contentType)),
    attribute(oid.signingTime, time(signingTime)),
    attribute(oid.messageDigest, octetString(digest)),
  ];
  const signedAttributes = setOf(...attributes);
  const { signature, algorithm } = signSha256(signedAttributes, signer.privateKey);
  const cert = signer.certificate;
  return sequence(
    integer(1),
    sequence(cert.issuerDer, tlv(tag.integer, cert.serial)),
    algorithmIdentifier(oid.sha256, nullValue()),
    // [0] IMPLICIT SET OF Attribute: same content, context tag (RFC 5652 §5.4).
    Buffer.concat([Buffer.from([contextTag(0, true)]), signedAttributes.subarray(1)]),
    algorithm === oid.sha256WithRSAEncryption
      ? algorithmIdentifier(algorithm, nullValue())
      : algorithmIdentifier(algorithm),
    octetString(signature),
  );
}

function certificateSet(signer: Signer): Buffer {
  return tlv(contextTag(0, true), signer.certificate.der, ...(signer.chain ?? []).map((c) => c.der));
}

/** Compact DER SignedData for small content; `detached` leaves the content out (as `openssl cms -sign`). */
export function signSmall(
  content: Buffer,
  signer: Signer,
  options: { detached: boolean; signingTime?: Date },
): Buffer {
  const digest = createHash('sha256').update(content).digest();
  const encapsulated = options.detached
    ? sequence(objectIdentifier(oid.data))
    : sequence(objectIdentifier(oid.data), tlv(contextTag(0, true), octetString(content)));
  const signedData = sequence(
    integer(1),
    setOf(algorithmIdentifier(oid.sha256, nullValue())),
    encapsulated,
    certificateSet(signer),
    setOf(signerInfo(signer, oid.data, digest, options.signingTime ?? new Date())),
  );
  return sequence(objectIdentifier(oid.signedData), tlv(contextTag(0, true), signedData));
}

/**
 * Streams a ContentInfo(SignedData) with the content attached, in BER indefinite-length form: the
 * signature depends on the digest of everything, so it comes last, after the content has flowed through.
 */
export async function* signStream(
  content: AsyncIterable<Uint8Array>,
  signer: Signer,
  signingTime = new Date(),
): AsyncGenerator<Buffer> {
  yield Buffer.concat([
    indefinite(tag.sequence),
    objectIdentifier(oid.signedData),
    indefinite(contextTag(0, true)),
    indefinite(tag.sequence),
    integer(1),
    setOf(algorithmIdentifier(oid.sha256, nullValue())),
    indefinite(tag.sequence),
    objectIdentifier(oid.data),
    indefinite(contextTag(0, true)),
    indefinite(tag.constructedOctetString),
  ]);
  const hash = createHash('sha256');
  for await (const chunk of rechunk(content, contentChunk)) {
    hash.update(chunk);
    yield octetHeader(chunk.length);
    yield chunk;
  }
  yield Buffer.concat([
    endOfContents, // constructed OCTET STRING
    endOfContents, // [0] eContent
    endOfContents, // EncapsulatedContentInfo
    certificateSet(signer),
    setOf(signerInfo(signer, oid.data, hash.digest(), signingTime)),
    endOfContents, // SignedData
    endOfContents, // [0] content
    endOfContents, // ContentInfo
  ]);
}

function octetHeader(length: number): Buffer {
  return Buffer.concat([Buffer.from([tag.octetString]), encodeLength(length)]);
}

/** Regroups a byte stream into chunks of exactly `size` bytes (the last may be shorter). */
export async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let data = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    // Whole chunks straight from the input need no copy.
    while (pendingBytes === 0 && data.length >= size) {
      yield data.subarray(0, size);
      data = data.subarray(size);
    }
    while (pendingBytes + data.length >= size) {
      const take = size - pendingBytes;
      pending.push(data.subarray(0, take));
      yield Buffer.concat(pending, size);
      pending = [];
      pendingBytes = 0;
      data = data.subarray(take);
    }
    if (data.length > 0) {
      pending.push(Buffer.from(data));
      pendingBytes += data.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/** What a verified SignedData tells. */
export interface VerifiedSignature {
  readonly signer: ParsedCertificate;
  /** Every certificate the SignedData carried (the signer's chain, usually). */
  readonly certificates: readonly ParsedCertificate[];
  readonly contentType: string;
  readonly signingTime: Date | null;
  /** Attached content (only when collected; see `readSignedData`). */
  readonly content: Buffer | null;
  /** The SHA-256 of the content, when the signer used SHA-256 (computed anyway to check the signature). */
  readonly contentSha256: Buffer | null;
}

export interface ReadSignedDataOptions {
  /** Content for a detached signature. */
  readonly detachedContent?: Buffer;
  /** Receives attached content as it streams; without it, attached content is collected up to `maxContent`. */
  readonly onContent?: (chunk: Buffer) => void | Promise<void>;
  readonly maxContent?: number;
}

/**
 * Reads a ContentInfo(SignedData) from `reader` and verifies its one signature: message digest, content
 * type and the signature itself, with the signer certificate found among those carried. Whether that
 * certificate is trusted is the caller's question (TrustStore).
 *
 * DER or BER throughout, except the signed attributes, which RFC 5652 §5.4 requires in DER (the
 * signature covers their DER encoding). The content must be id-data, as `openssl cms -sign` writes it.
 * With `detachedContent`, the signature must be detached: a SignedData that carries content of its own
 * signs that content, not the document offered beside it (unless the two are byte-identical).
 */
export async function readSignedData(
  reader: BerReader,
  options: ReadSignedDataOptions = {},
): Promise<VerifiedSignature> {
  const contentInfo = await reader.readHeader();
  expectTag(contentInfo, tag.sequence, 'ContentInfo');
  if ((await readOid(reader)) !== oid.signedData) throw new AppError('CMS_MALFORMED', 'not a SignedData');
  const explicit = await reader.readHeader();
  expectTag(explicit, contextTag(0, true), '[0] content');
  const signedData = await reader.readHeader();
  expectTag(signedData, tag.sequence, 'SignedData');
  const signedDataEnd = reader.endOf(signedData);

  parseSmall(await reader.readElement(16), 'the SignedData version', (node) => {
    if (node.tagByte !== tag.integer) throw new RangeError('not an INTEGER');
  });
  const digestAlgorithms = parseSmall(await reader.readElement(4096), 'the digest algorithms', (set) => {
    if (set.tagByte !== tag.set) throw new RangeError('not a SET');
    return derChildren(set).map((algorithm) => {
      const [algorithmOid] = derChildren(algorithm);
      if (algorithm.tagByte !== tag.sequence || algorithmOid?.tagByte !== tag.oid)
        throw new RangeError('not an AlgorithmIdentifier');
      return decodeObjectIdentifier(algorithmOid.content);
    });
  });
  const hashes = new Map<string, Hash>();
  for (const algorithm of digestAlgorithms) {
    const name = digestNames[algorithm];
    if (name && name !== 'sha1') hashes.set(algorithm, createHash(name));
  }

  const encapsulated = await reader.readHeader();
  expectTag(encapsulated, tag.sequence, 'EncapsulatedContentInfo');
  const encapsulatedEnd = reader.endOf(encapsulated);
  const contentType = await readOid(reader);
  if (contentType !== oid.data) {
    throw new AppError('CMS_UNSUPPORTED', `signed content of type ${contentType}; only id-data is accepted`);
  }
  const collected: Buffer[] = [];
  let collectedBytes = 0;
  const maxContent = options.maxContent ?? 1024 * 1024;
  // Attached content offered with a detached document is collected so that the two can be compared.
  const collect = !options.onContent;
  let attached = false;
  if (await reader.hasMore(encapsulatedEnd)) {
    attached = true;
    const eContent = await reader.readHeader();
    expectTag(eContent, contextTag(0, true), '[0] eContent');
    const octets = await reader.readHeader();
    if (octets.tagByte !== tag.octetString && octets.tagByte !== tag.constructedOctetString) {
      throw new AppError('CMS_MALFORMED', `expected the content OCTET STRING at byte ${octets.offset}`);
    }
    for await (const chunk of reader.octetStringContent(octets)) {
      for (const hash of hashes.values()) hash.update(chunk);
      if (!collect) await options.onContent!(chunk);
      else {
        collectedBytes += chunk.length;
        if (collectedBytes > maxContent)
          throw new AppError('CMS_MALFORMED', `signed content exceeds ${maxContent} bytes`);
        collected.push(Buffer.from(chunk));
      }
    }
    await reader.closeFrame(eContent, 'eContent');
    await reader.closeFrame(encapsulated, 'EncapsulatedContentInfo');
  }
  if (options.detachedContent) {
    if (attached && !Buffer.concat(collected).equals(options.detachedContent)) {
      throw new AppError(
        'BID_SIGNATURE_INVALID',
        'the signature carries content of its own, not the document it is offered for (sign detached)',
      );
    }
    if (!attached) for (const hash of hashes.values()) hash.update(options.detachedContent);
  } else if (!attached) {
    throw new AppError('CMS_MALFORMED', 'detached signature without its content');
  }

  const certificates: ParsedCertificate[] = [];
  let signerInfos: Buffer | null = null;
  while (await reader.hasMore(signedDataEnd)) {
    const header = await reader.readHeader();
    if (header.tagByte === contextTag(0, true)) {
      const choices = parseSmall(await reader.readRest(header, 256 * 1024), 'the certificates', derChildren);
      for (const choice of choices)
        if (choice.tagByte === tag.sequence) certificates.push(parseCertificate(choice.raw));
    } else if (header.tagByte === contextTag(1, true)) {
      await reader.skipRest(header);
    } else if (header.tagByte === tag.set && !signerInfos) {
      signerInfos = await reader.readRest(header, 64 * 1024);
    } else {
      throw new AppError(
        'CMS_MALFORMED',
        `unexpected element 0x${header.tagByte.toString(16)} in SignedData`,
      );
    }
  }
  await reader.closeFrame(explicit, 'the [0] content');
  await reader.closeFrame(contentInfo, 'the ContentInfo');
  if (!signerInfos) throw new AppError('CMS_MALFORMED', 'SignedData has no SignerInfos');
  const infos = parseSmall(signerInfos, 'the SignerInfos', derChildren);
  if (infos.length !== 1) throw new AppError('CMS_MALFORMED', `expected one signer, found ${infos.length}`);
  const infoNode = infos[0]!;

  let info: SignerInfo;
  try {
    info = AsnParser.parse(infoNode.raw, SignerInfo);
  } catch (error) {
    throw new AppError('CMS_MALFORMED', 'the SignerInfo cannot be parsed', { cause: error });
  }
  const sid = info.sid.issuerAndSerialNumber;
  const skid = info.sid.subjectKeyIdentifier;
  const issuer = sid ? parseSmall(infoNode.raw, 'the signer identifier', signerIssuer) : null;
  const signer = certificates.find((cert) =>
    sid && issuer
      ? matchesIssuerAndSerial(cert, issuer, Buffer.from(sid.serialNumber))
      : skid !== undefined && cert.subjectKeyIdentifier?.equals(Buffer.from(skid.buffer)),
  );
  if (!signer) throw new AppError('BID_SIGNATURE_INVALID', 'the signer certificate is not included');
  const digestAlgorithm = info.digestAlgorithm.algorithm;
  const digests = new Map([...hashes].map(([algorithm, hash]) => [algorithm, hash.digest()]));
  const digest = digests.get(digestAlgorithm);
  if (!digest) throw new AppError('CMS_UNSUPPORTED', `digest algorithm ${digestAlgorithm} is not accepted`);
  // The signature covers the signed attributes as encoded, re-tagged as SET OF (RFC 5652 §5.4).
  const signedAttributesNode = derChildren(infoNode).find((child) => child.tagByte === contextTag(0, true));
  if (!info.signedAttrs || !signedAttributesNode) {
    throw new AppError('CMS_UNSUPPORTED', 'signatures without signed attributes are not accepted');
  }
  if (!isDer(signedAttributesNode.raw)) {
    throw new AppError('CMS_MALFORMED', 'the signed attributes must be DER-encoded (RFC 5652 §5.4)');
  }
  const attributeValue = (type: string) => info.signedAttrs?.find((a) => a.attrType === type)?.attrValues[0];
  const messageDigest = attributeValue(oid.messageDigest);
  if (!messageDigest || !readDer(Buffer.from(messageDigest)).content.equals(digest)) {
    throw new AppError('BID_SIGNATURE_INVALID', 'the content does not match the signed digest');
  }
  const signedType = attributeValue(oid.contentType);
  if (!signedType || decodeObjectIdentifier(readDer(Buffer.from(signedType)).content) !== contentType) {
    throw new AppError('BID_SIGNATURE_INVALID', 'the signed content type does not match');
  }
  const signedAttributes = Buffer.from(signedAttributesNode.raw);
  signedAttributes[0] = tag.set;
  const valid = verifySignature(
    info.signatureAlgorithm.algorithm,
    digestAlgorithm,
    signedAttributes,
    signer.publicKey,
    Buffer.from(info.signature.buffer),
  );
  if (!valid) throw new AppError('BID_SIGNATURE_INVALID', 'the signature does not verify');
  const signingTimeValue = attributeValue(oid.signingTime);
  return {
    signer,
    certificates,
    contentType,
    signingTime: signingTimeValue ? parseTime(readDer(Buffer.from(signingTimeValue))) : null,
    content: attached && collect ? Buffer.concat(collected) : null,
    contentSha256: digests.get(oid.sha256) ?? null,
  };
}

/** Whether an encoding is DER-shaped: definite lengths all the way down. */
function isDer(encoded: Buffer): boolean {
  try {
    const check = (node: DerNode): boolean =>
      !node.indefinite && (!(node.tagByte & 0x20) || derChildren(node).every(check));
    return check(readDer(encoded));
  } catch {
    return false;
  }
}

/** The issuer Name bytes of a SignerInfo's issuerAndSerialNumber, byte-exact. */
function signerIssuer(signerInfo: DerNode): Buffer {
  const [, sid] = derChildren(signerInfo);
  const [issuer] = sid ? derChildren(sid) : [];
  if (!issuer) throw new RangeError('no issuer');
  return issuer.raw;
}

function parseTime(node: { tagByte: number; content: Buffer }): Date | null {
  const text = node.content.toString('ascii');
  const m =
    node.tagByte === tag.utcTime
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return null;
  const year =
    node.tagByte === tag.utcTime ? 2000 + Number(m[1]) - (Number(m[1]) >= 50 ? 100 : 0) : Number(m[1]);
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** Convenience: verifies a small SignedData held in memory. */
export async function verifySmall(
  encoded: Buffer,
  options: ReadSignedDataOptions = {},
): Promise<VerifiedSignature> {
  const reader = new BerReader(encoded);
  const result = await readSignedData(reader, options);
  await reader.expectEnd();
  return result;
}
