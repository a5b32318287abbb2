/**
 * A streaming pull reader for BER/DER (X.690).
 *
 * Why hand-written: bids are up to gigabytes of CMS, often BER with indefinite lengths (`openssl cms
 * -stream`). ASN.1 libraries (asn1js, @peculiar/asn1-schema, node-forge) parse a whole buffer into a tree,
 * which would hold the entire bid in memory. This reader walks headers and hands out content in chunks
 * as they arrive from a stream, so the caller decides what to buffer (small structures such as
 * RecipientInfos, which are then parsed with @peculiar/asn1-schema) and what to stream (ciphertext).
 * It enforces limits (nesting depth, element size) so hostile input cannot exhaust memory.
 */

import { type DerNode, decodeObjectIdentifier, readBer, stringOctets } from '../asn1/der.ts';
import { AppError } from '../errors.ts';

export interface BerHeader {
  /** Offset of the identifier octet from the start of the input. */
  readonly offset: number;
  /** The first identifier octet (class, constructed bit and low tag number). */
  readonly tagByte: number;
  readonly tagClass: number;
  readonly constructed: boolean;
  readonly tagNumber: number;
  /** Content length, or null for the indefinite form. */
  readonly length: number | null;
  readonly headerLength: number;
}

const maxNesting = 32;

/** An element ran past the byte budget of `readRest` (reported there, naming the outer element). */
class OverLimit extends Error {}

export class BerReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #chunks: Buffer[] = [];
  #available = 0;
  #position = 0;
  #sourceDone = false;

  constructor(source: AsyncIterable<Uint8Array> | Uint8Array) {
    const iterable: AsyncIterable<Uint8Array> =
      source instanceof Uint8Array
        ? (async function* () {
            yield source;
          })()
        : source;
    this.#source = iterable[Symbol.asyncIterator]();
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.#position;
  }

  async #pull(): Promise<boolean> {
    if (this.#sourceDone) return false;
    const next = await this.#source.next();
    if (next.done) {
      this.#sourceDone = true;
      return false;
    }
    if (next.value.length > 0) {
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      this.#chunks.push(chunk);
      this.#available += chunk.length;
    }
    return true;
  }

  async #fill(n: number): Promise<void> {
    while (this.#available < n) {
      if (!(await this.#pull())) {
        throw new AppError('CMS_TRUNCATED', `input ends at byte ${this.#position + this.#available}`);
      }
    }
  }

  /** Takes up to `max` available bytes (at least one), without copying when possible. */
  async #take(max: number): Promise<Buffer> {
    await this.#fill(1);
    const first = this.#chunks[0]!;
    if (first.length <= max) {
      this.#chunks.shift();
      this.#consume(first.length);
      return first;
    }
    this.#chunks[0] = first.subarray(max);
    this.#consume(max);
    return first.subarray(0, max);
  }

  #consume(n: number): void {
    this.#available -= n;
    this.#position += n;
  }

  async readBytes(n: number): Promise<Buffer> {
    await this.#fill(n);
    const parts: Buffer[] = [];
    let remaining = n;
    while (remaining > 0) {
      const part = await this.#take(remaining);
      parts.push(part);
      remaining -= part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  /** Yields exactly `n` bytes in the chunks they arrived in. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let remaining = n;
    while (remaining > 0) {
      const part = await this.#take(remaining);
      remaining -= part.length;
      yield part;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.stream(n));
  }

  async #peek(n: number): Promise<Buffer | null> {
    while (this.#available < n) if (!(await this.#pull())) return null;
    if (this.#chunks[0]!.length >= n) return this.#chunks[0]!.subarray(0, n);
    // Join only as many leading chunks as the peek needs (n is tiny; the chunks may be megabytes).
    let count = 0;
    for (let size = 0; size < n; count++) size += this.#chunks[count]!.length;
    const joined = Buffer.concat(this.#chunks.slice(0, count));
    this.#chunks.splice(0, count, joined);
    return joined.subarray(0, n);
  }

  async readHeader(): Promise<BerHeader> {
    const offset = this.#position;
    const [tagByte] = await this.readBytes(1);
    let tagNumber = tagByte! & 0x1f;
    let headerLength = 1;
    if (tagNumber === 0x1f) {
      tagNumber = 0;
      for (;;) {
        const [b] = await this.readBytes(1);
        headerLength++;
        if (headerLength > 5) throw new AppError('CMS_MALFORMED', `tag number too long at byte ${offset}`);
        tagNumber = tagNumber * 128 + (b! & 0x7f);
        if (!(b! & 0x80)) break;
      }
    }
    const [first] = await this.readBytes(1);
    headerLength++;
    const constructed = (tagByte! & 0x20) !== 0;
    let length: number | null;
    if (first! < 0x80) {
      length = first!;
    } else if (first === 0x80) {
      if (!constructed) {
        throw new AppError('CMS_MALFORMED', `indefinite length on a primitive element at byte ${offset}`);
      }
      length = null;
    } else {
      const count = first! & 0x7f;
      if (count > 6) throw new AppError('CMS_MALFORMED', `length too large at byte ${offset}`);
      const bytes = await this.readBytes(count);
      headerLength += count;
      length = bytes.readUIntBE(0, count);
    }
    return {
      offset,
      tagByte: tagByte!,
      tagClass: tagByte! >> 6,
      constructed,
      tagNumber,
      length,
      headerLength,
    };
  }

  /**
   * Inside a constructed element: true while children remain. `end` is the absolute end offset of a
   * definite-length parent, or null for an indefinite one (whose end-of-contents octets this consumes).
   */
  async hasMore(end: number | null): Promise<boolean> {
    if (end !== null) {
      if (this.#position > end) throw new AppError('CMS_MALFORMED', `element overruns its parent at ${end}`);
      return this.#position < end;
    }
    const next = await this.#peek(2);
    if (next === null)
      throw new AppError('CMS_TRUNCATED', `input ends at byte ${this.#position + this.#available}`);
    if (next[0] === 0 && next[1] === 0) {
      await this.readBytes(2);
      return false;
    }
    return true;
  }

  /** End offset of an element whose header was just read (null when indefinite). */
  endOf(header: BerHeader): number | null {
    return header.length === null ? null : header.offset + header.headerLength + header.length;
  }

  /**
   * Reads the rest of an element whose header was just read, returning its whole encoding (TLV). Every
   * octet counts against `limit`, headers and end-of-contents included: a SET of millions of empty
   * indefinite children (`30 80 00 00` …) is as big as its bytes, not zero.
   */
  async readRest(header: BerHeader, limit: number): Promise<Buffer> {
    try {
      return await this.#readWithin(header, limit, 0);
    } catch (error) {
      if (!(error instanceof OverLimit)) throw error;
      throw new AppError('CMS_MALFORMED', `element at byte ${header.offset} exceeds ${limit} bytes`);
    }
  }

  async #readWithin(header: BerHeader, budget: number, depth: number): Promise<Buffer> {
    if (depth > maxNesting) throw new AppError('CMS_MALFORMED', `nesting deeper than ${maxNesting}`);
    const headerBytes = encodeHeader(header);
    if (header.length !== null) {
      if (header.headerLength + header.length > budget) throw new OverLimit();
      return Buffer.concat([headerBytes, await this.readBytes(header.length)]);
    }
    const parts: Buffer[] = [headerBytes];
    // Room is kept for this element's own end-of-contents octets.
    let size = headerBytes.length + 2;
    if (size > budget) throw new OverLimit();
    while (await this.hasMore(null)) {
      const child = await this.#readWithin(await this.readHeader(), budget - size, depth + 1);
      parts.push(child);
      size += child.length;
    }
    parts.push(Buffer.from([0, 0]));
    return Buffer.concat(parts);
  }

  /**
   * Closes a constructed frame whose children have all been read: an indefinite one must end with its
   * end-of-contents octets here, a definite one exactly here (its length must fit its content).
   */
  async closeFrame(header: BerHeader, what: string): Promise<void> {
    if (header.length === null) {
      if (await this.hasMore(null)) throw new AppError('CMS_MALFORMED', `unexpected data in ${what}`);
      return;
    }
    const end = this.endOf(header)!;
    if (this.#position !== end) {
      throw new AppError(
        'CMS_MALFORMED',
        `the length of ${what} (ending at byte ${end}) does not fit its content (ending at byte ${this.#position})`,
      );
    }
  }

  /** The octets of a small OCTET STRING (primitive or constructed), at most `limit` bytes encoded. */
  async readSmallOctets(header: BerHeader, limit: number, what: string): Promise<Buffer> {
    if (header.tagByte !== 0x04 && header.tagByte !== 0x24) {
      throw new AppError('CMS_MALFORMED', `expected ${what} (an OCTET STRING) at byte ${header.offset}`);
    }
    if (header.length !== null && header.length > limit) {
      throw new AppError('CMS_MALFORMED', `${what} at byte ${header.offset} is longer than ${limit} bytes`);
    }
    const encoded = await this.readRest(header, limit + 16);
    return parseSmall(encoded, what, (node) => stringOctets(node));
  }

  /** Reads one whole element (at most `limit` bytes encoded). */
  async readElement(limit: number): Promise<Buffer> {
    return this.readRest(await this.readHeader(), limit);
  }

  /** Skips the rest of an element whose header was just read, without buffering it. */
  async skipRest(header: BerHeader, depth = 0): Promise<void> {
    if (depth > maxNesting) throw new AppError('CMS_MALFORMED', `nesting deeper than ${maxNesting}`);
    if (header.length !== null) return this.skip(header.length);
    while (await this.hasMore(null)) await this.skipRest(await this.readHeader(), depth + 1);
  }

  /**
   * Streams the content octets of an OCTET STRING (or an IMPLICIT-tagged one) in either encoding:
   * primitive, or constructed from nested OCTET STRING segments (BER, as `openssl cms -stream` writes).
   */
  async *octetStringContent(header: BerHeader, depth = 0): AsyncGenerator<Buffer> {
    if (depth > maxNesting) throw new AppError('CMS_MALFORMED', `nesting deeper than ${maxNesting}`);
    if (!header.constructed) {
      yield* this.stream(header.length!);
      return;
    }
    const end = this.endOf(header);
    while (await this.hasMore(end)) {
      const segment = await this.readHeader();
      if (segment.tagByte !== 0x04 && segment.tagByte !== 0x24) {
        throw new AppError('CMS_MALFORMED', `unexpected segment tag 0x${segment.tagByte.toString(16)}`);
      }
      yield* this.octetStringContent(segment, depth + 1);
    }
  }

  /** Throws unless the input has no bytes left. */
  async expectEnd(): Promise<void> {
    while (this.#available === 0) if (!(await this.#pull())) return;
    throw new AppError('CMS_MALFORMED', `unexpected data after the CMS object at byte ${this.#position}`);
  }
}

function encodeHeader(header: BerHeader): Buffer {
  // Re-encode exactly what was read: identifier octets, then the length in the same form.
  const identifier =
    header.tagNumber < 0x1f ? [header.tagByte] : [header.tagByte, ...base128(header.tagNumber)];
  if (header.length === null) return Buffer.from([...identifier, 0x80]);
  const lengthOctets = header.headerLength - identifier.length;
  if (lengthOctets === 1) return Buffer.from([...identifier, header.length]);
  const bytes = Buffer.alloc(lengthOctets - 1);
  bytes.writeUIntBE(header.length, 0, lengthOctets - 1);
  return Buffer.from([...identifier, 0x80 | (lengthOctets - 1), ...bytes]);
}

function base128(n: number): number[] {
  const out = [n & 0x7f];
  for (let rest = Math.floor(n / 128); rest > 0; rest = Math.floor(rest / 128))
    out.unshift((rest & 0x7f) | 0x80);
  return out;
}

/** Reads an OBJECT IDENTIFIER element and returns its dotted form. */
export async function readOid(reader: BerReader): Promise<string> {
  const header = await reader.readHeader();
  if (header.tagByte !== 0x06 || header.length === null || header.length > 64) {
    throw new AppError('CMS_MALFORMED', `expected an OBJECT IDENTIFIER at byte ${header.offset}`);
  }
  return decodeObjectIdentifier(await reader.readBytes(header.length));
}

export function expectTag(header: BerHeader, tagByte: number, what: string): void {
  if (header.tagByte !== tagByte) {
    throw new AppError(
      'CMS_MALFORMED',
      `expected ${what} at byte ${header.offset}, found tag 0x${header.tagByte.toString(16)}`,
    );
  }
}

/**
 * Parses a small structure read with `readRest`/`readElement` (DER or BER) and hands it to `use`; any
 * structural fault becomes CMS_MALFORMED naming `what`, never an internal error.
 */
export function parseSmall<T>(encoded: Buffer, what: string, use: (node: DerNode) => T): T {
  try {
    return use(readBer(encoded));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('CMS_MALFORMED', `${what} is malformed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
