/**
 * Opening one sealed bid part with its content key: decrypt as a stream, read the inner SignedData as a
 * stream, hand the content to a sink, verify the signature. Used for the small summary in the main
 * thread and for the documents in worker threads (decrypt-worker.ts).
 *
 * Who is at fault decides what happens to a bid (电子招标投标办法 Art 31), so every failure is sorted:
 * - `wrong-key`: the key does not open the part (a bidder may try again within the window);
 * - `content`: the key opens it, but what the bidder sealed is malformed or badly signed (the bid is
 *   invalid — the bidder's fault);
 * - a thrown PlatformFault: the platform could not do its part (the stored file is unreadable or no
 *   longer the one received, a disk error, anything unexpected). Never the bidder's fault.
 * The stored ciphertext is hashed as it is read: a part that no longer hashes to what was received is
 * the platform's fault whatever else went wrong.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { oid } from '../asn1/oids.ts';
import { BerReader, readOid } from '../cms/ber-reader.ts';
import { decryptStream, EnvelopeReader } from '../cms/enveloped.ts';
import { readSignedData, type VerifiedSignature } from '../cms/signed-data.ts';
import { AppError } from '../errors.ts';

/** Ciphertext is read from disk in large chunks: fewer, bigger decipher calls. */
const readChunk = 256 * 1024;

/** The platform could not open a part for reasons of its own: the bid is not to blame. */
export class PlatformFault extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PlatformFault';
  }
}

export type OpenOutcome =
  | { readonly kind: 'opened'; readonly verified: VerifiedSignature }
  | { readonly kind: 'wrong-key' }
  | { readonly kind: 'content'; readonly message: string };

/** The message decryptStream gives when the cipher refuses the key (GCM tag, CBC padding). */
const decryptFailed = (error: unknown) =>
  error instanceof AppError && error.code === 'CMS_MALFORMED' && /^decryption failed/.test(error.message);

const signedDataHead = (bytes: Buffer) => {
  // ContentInfo (SEQUENCE, any length form) whose first element is the id-signedData OID.
  const at = bytes[1] === 0x80 ? 2 : bytes[1]! < 0x80 ? 2 : 2 + (bytes[1]! & 0x7f);
  const signedDataOid = Buffer.from('06092a864886f70d010702', 'hex');
  return bytes[0] === 0x30 && bytes.subarray(at, at + signedDataOid.length).equals(signedDataOid);
};

/** A stored part's bytes, hashed as they go, with read errors turned into platform faults. */
function hashedFile(path: string) {
  const hash = createHash('sha256');
  let complete = false;
  async function* chunks() {
    try {
      for await (const chunk of createReadStream(path, { highWaterMark: readChunk })) {
        hash.update(chunk as Buffer);
        yield chunk as Buffer;
      }
      complete = true;
    } catch (error) {
      throw new PlatformFault(
        `the stored sealed part cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        {
          cause: error,
        },
      );
    }
  }
  return {
    chunks,
    /** Whether the stored file is still the one received: its SHA-256 (reading the rest if need be). */
    async intact(expectedSha256: string): Promise<boolean> {
      if (!complete) {
        try {
          const whole = createHash('sha256');
          for await (const chunk of createReadStream(path, { highWaterMark: readChunk }))
            whole.update(chunk as Buffer);
          return whole.digest('hex') === expectedSha256;
        } catch {
          return false;
        }
      }
      return hash.copy().digest('hex') === expectedSha256;
    },
  };
}

/**
 * Decrypts the part at `path` (received with SHA-256 `expectedSha256`) with `contentKey` and verifies the
 * inner signature, passing the signed content to `onContent` as it streams. Plaintext handed out before
 * the promise resolves is unauthenticated (GCM): the caller must not publish it unless the outcome is
 * `opened`. Throws PlatformFault for the platform's own failures.
 */
export async function openSealedPart(
  path: string,
  expectedSha256: string,
  contentKey: Buffer,
  onContent: (chunk: Buffer) => void | Promise<void>,
  onPlaintext?: (bytes: number) => void,
): Promise<OpenOutcome> {
  const file = hashedFile(path);
  const damaged = async (error: unknown): Promise<never> => {
    if (error instanceof PlatformFault) throw error;
    throw new PlatformFault(
      (await file.intact(expectedSha256))
        ? `the stored sealed part, accepted at upload, cannot be read now: ${(error as Error).message}`
        : 'the stored sealed part is no longer the one received (its SHA-256 differs)',
      { cause: error },
    );
  };
  let envelope: EnvelopeReader;
  try {
    envelope = await EnvelopeReader.open(file.chunks());
  } catch (error) {
    return damaged(error);
  }
  const gcm = envelope.header.cipher.name === 'aes-256-gcm';
  const plaintext = decryptStream(envelope, contentKey)[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let cipherError: unknown = null;
  async function* feed() {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await plaintext.next();
      } catch (error) {
        cipherError = error;
        throw error;
      }
      if (next.done) return;
      if (head.length < 32) head = Buffer.concat([head, next.value.subarray(0, 32 - head.length)]);
      onPlaintext?.(next.value.length);
      yield next.value;
    }
  }
  const reader = new BerReader(feed());
  try {
    const verified = await readSignedData(reader, { onContent });
    await reader.expectEnd();
    return { kind: 'opened', verified };
  } catch (error) {
    if (error instanceof PlatformFault) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && (error as NodeJS.ErrnoException).syscall) {
      throw new PlatformFault(`a system error while opening the part (${code})`, { cause: error });
    }
    if (cipherError !== null) {
      if (decryptFailed(cipherError)) {
        if (!(await file.intact(expectedSha256))) return damaged(cipherError);
        return { kind: 'wrong-key' };
      }
      return damaged(cipherError);
    }
    // The signed content failed. Whether the key was right: GCM says so once its tag is checked (the rest
    // is decrypted to get there); CBC has no tag, but a wrong key yields random bytes, never the start of
    // a SignedData.
    let keyRight = !gcm || signedDataHead(head);
    if (gcm) {
      try {
        for (let next = await plaintext.next(); !next.done; next = await plaintext.next());
      } catch (drainError) {
        if (!decryptFailed(drainError)) return damaged(drainError);
        keyRight = false;
      }
    }
    if (!keyRight) {
      if (!(await file.intact(expectedSha256))) return damaged(error);
      return { kind: 'wrong-key' };
    }
    if (!(error instanceof AppError)) return damaged(error);
    return { kind: 'content', message: error.message };
  }
}

/**
 * Checks cheaply that `contentKey` opens `path`: the first plaintext bytes must be a SignedData
 * ContentInfo. A wrong key yields random bytes, which fail this with near certainty; the full decryption
 * (in the background) settles it. A part that cannot be read is a PlatformFault, not a wrong key.
 */
export async function keyOpensPart(path: string, contentKey: Buffer): Promise<boolean> {
  const file = hashedFile(path);
  const source = file.chunks();
  let envelope: EnvelopeReader;
  try {
    envelope = await EnvelopeReader.open(source);
  } catch (error) {
    if (error instanceof PlatformFault) throw error;
    throw new PlatformFault(`the stored sealed part cannot be read now: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const head: Buffer[] = [];
    let size = 0;
    for await (const chunk of decryptStream(envelope, contentKey)) {
      head.push(chunk);
      size += chunk.length;
      if (size >= 32) break;
    }
    const reader = new BerReader(Buffer.concat(head));
    const header = await reader.readHeader();
    return header.tagByte === 0x30 && (await readOid(reader)) === oid.signedData;
  } catch (error) {
    if (error instanceof PlatformFault) throw error;
    return false;
  } finally {
    await source.return(undefined);
  }
}
