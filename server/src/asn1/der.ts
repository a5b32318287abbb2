/**
 * Minimal DER and BER building blocks, for CMS (cms/) and certificates (pki/) alike. bidhall writes CMS
 * as a stream (headers, then content chunks, then trailers), which no ASN.1 library offers; the small
 * structured pieces in between are serialised with @peculiar/asn1-schema, and these helpers frame them.
 */

export const tag = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
  constructedOctetString: 0x24,
} as const;

/** Context-specific tag byte: [n] IMPLICIT (primitive) or [n] constructed / EXPLICIT. */
export function contextTag(n: number, constructed: boolean): number {
  if (n > 30) throw new RangeError('high tag numbers are not used by bidhall');
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

export function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tagByte: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tagByte]), encodeLength(body.length), body]);
}

export const sequence = (...content: Uint8Array[]): Buffer => tlv(tag.sequence, ...content);
export const octetString = (content: Uint8Array): Buffer => tlv(tag.octetString, content);
export const nullValue = (): Buffer => Buffer.from([tag.null, 0]);

/** SET OF in DER: elements sorted by their encodings (X.690 §11.6), as signed attributes require. */
export function setOf(...elements: Uint8Array[]): Buffer {
  const sorted = elements.map((e) => Buffer.from(e)).sort(Buffer.compare);
  return tlv(tag.set, ...sorted);
}

export function integer(value: number | bigint): Buffer {
  let hex = BigInt(value).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(tag.integer, bytes);
}

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const groups: number[] = [];
    let v = arc;
    do {
      groups.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < groups.length - 1; i++) groups[i] = (groups[i] ?? 0) | 0x80;
    out.push(...groups);
  }
  return tlv(tag.oid, Buffer.from(out));
}

export function decodeObjectIdentifier(content: Uint8Array): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0n;
    }
  }
  const [head, ...rest] = arcs;
  if (head === undefined) throw new RangeError('empty OID');
  const first = head < 80n ? head / 40n : 2n;
  return [first, head - first * 40n, ...rest].join('.');
}

export function algorithmIdentifier(dotted: string, parameters?: Uint8Array): Buffer {
  return parameters ? sequence(objectIdentifier(dotted), parameters) : sequence(objectIdentifier(dotted));
}

/** UTCTime for dates before 2050, GeneralizedTime after (RFC 5280 §4.1.2.5). */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  return date.getUTCFullYear() < 2050
    ? tlv(tag.utcTime, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(tag.generalizedTime, Buffer.from(`${digits}Z`, 'ascii'));
}

/** Opening of a constructed element of indefinite length (BER); close it with `endOfContents`. */
export function indefinite(tagByte: number): Buffer {
  return Buffer.from([tagByte | 0x20, 0x80]);
}

export const endOfContents = Buffer.from([0, 0]);

/** One element of a DER or BER buffer, as located by `readDer` / `readBer`. */
export interface DerNode {
  readonly tagByte: number;
  /** The whole encoding (identifier, length, content and, when indefinite, the end-of-contents octets). */
  readonly raw: Buffer;
  /** The content octets (for an indefinite length: between the header and the end-of-contents). */
  readonly content: Buffer;
  /** True for the indefinite-length form (BER only). */
  readonly indefinite: boolean;
}

/** Reads the element at `offset` of a definite-length encoding; throws RangeError on bad input. */
export function readDer(buffer: Buffer, offset = 0): DerNode {
  return readTlv(buffer, offset, false, 0);
}

/**
 * Reads the element at `offset` of a BER encoding: as `readDer`, and indefinite lengths too (constructed
 * elements closed by end-of-contents octets), as `openssl cms -stream` and other writers produce them in
 * small structures. Throws RangeError on bad input; `derChildren` reads the children of either form.
 */
export function readBer(buffer: Buffer, offset = 0): DerNode {
  return readTlv(buffer, offset, true, 0);
}

const maxDepth = 32;

function readTlv(buffer: Buffer, offset: number, ber: boolean, depth: number): DerNode {
  if (depth > maxDepth) throw new RangeError(`nesting deeper than ${maxDepth}`);
  const tagByte = buffer[offset];
  const first = buffer[offset + 1];
  if (tagByte === undefined || first === undefined) throw new RangeError('DER: truncated header');
  if ((tagByte & 0x1f) === 0x1f) throw new RangeError('DER: high tag numbers are not supported here');
  if (first === 0x80) {
    if (!ber) throw new RangeError('DER: indefinite length');
    if (!(tagByte & 0x20)) throw new RangeError('BER: indefinite length on a primitive element');
    // Children until the end-of-contents octets.
    let at = offset + 2;
    for (;;) {
      if (buffer[at] === 0 && buffer[at + 1] === 0) break;
      if (at >= buffer.length) throw new RangeError('BER: missing end-of-contents');
      at += readTlv(buffer, at, ber, depth + 1).raw.length;
    }
    return {
      tagByte,
      raw: buffer.subarray(offset, at + 2),
      content: buffer.subarray(offset + 2, at),
      indefinite: true,
    };
  }
  let length = first;
  let header = 2;
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 6 || offset + 2 + count > buffer.length) throw new RangeError('DER: bad length');
    length = buffer.readUIntBE(offset + 2, count);
    header += count;
  }
  const end = offset + header + length;
  if (end > buffer.length) throw new RangeError('DER: element overruns its buffer');
  if (ber && tagByte & 0x20) {
    // Definite-length constructed BER may still hold indefinite children: check they fit exactly.
    for (let at = offset + header; at < end; ) {
      at += readTlv(buffer.subarray(0, end), at, ber, depth + 1).raw.length;
      if (at > end) throw new RangeError('BER: a child overruns its parent');
    }
  }
  return {
    tagByte,
    raw: buffer.subarray(offset, end),
    content: buffer.subarray(offset + header, end),
    indefinite: false,
  };
}

/** The children of a constructed element (DER or BER). */
export function derChildren(node: DerNode): DerNode[] {
  const children: DerNode[] = [];
  for (let offset = 0; offset < node.content.length; ) {
    const child = readTlv(node.content, offset, true, 0);
    children.push(child);
    offset += child.raw.length;
  }
  return children;
}

/**
 * The octets of an OCTET STRING (or another string type) in either BER form: primitive, or constructed
 * from nested segments.
 */
export function stringOctets(node: DerNode, depth = 0): Buffer {
  if (!(node.tagByte & 0x20)) return node.content;
  if (depth > maxDepth) throw new RangeError(`nesting deeper than ${maxDepth}`);
  return Buffer.concat(derChildren(node).map((child) => stringOctets(child, depth + 1)));
}
