/**
 * Opening one sealed bid part with its content key: decrypt as a stream, read the inner SignedData as a
 * stream, hand the content to a sink, verify the signature. Used for the small summary in the main
 * thread and for the documents in worker threads (decrypt-worker.ts).
 */
import { createReadStream } from 'node:fs';
import { BerReader, readOid } from '../cms/ber-reader.ts';
import { decryptStream, EnvelopeReader } from '../cms/enveloped.ts';
import { oid } from '../cms/oids.ts';
import { readSignedData, type VerifiedSignature } from '../cms/signed-data.ts';
import { AppError } from '../errors.ts';

/** Ciphertext is read from disk in large chunks: fewer, bigger decipher calls. */
const readChunk = 256 * 1024;

function wrongKey(error: unknown): never {
  if (error instanceof AppError && ['CMS_MALFORMED', 'CMS_TRUNCATED'].includes(error.code)) {
    throw new AppError('DECRYPT_WRONG_KEY', undefined, { cause: error });
  }
  throw error;
}

/**
 * Decrypts `path` with `contentKey` and verifies the inner signature, passing the signed content to
 * `onContent` as it streams. Plaintext handed out before the promise resolves is unauthenticated (GCM):
 * the caller must not publish it unless this resolves.
 */
export async function openSealedPart(
  path: string,
  contentKey: Buffer,
  onContent: (chunk: Buffer) => void | Promise<void>,
  onCiphertext?: (bytes: number) => void,
): Promise<VerifiedSignature> {
  const envelope = await EnvelopeReader.open(createReadStream(path, { highWaterMark: readChunk }));
  const plaintext = decryptStream(envelope, contentKey);
  async function* counted() {
    for await (const chunk of plaintext) {
      onCiphertext?.(chunk.length);
      yield chunk;
    }
  }
  const reader = new BerReader(counted());
  try {
    const verified = await readSignedData(reader, { onContent });
    await reader.expectEnd();
    return verified;
  } catch (error) {
    // Garbage from a wrong key fails the structure; a signature problem is the content's fault.
    return wrongKey(error);
  }
}

/**
 * Checks cheaply that `contentKey` opens `path`: the first plaintext bytes must be a SignedData
 * ContentInfo. A wrong key yields random bytes, which fail this with near certainty; the full decryption
 * (in the background) settles it.
 */
export async function keyOpensPart(path: string, contentKey: Buffer): Promise<boolean> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    const envelope = await EnvelopeReader.open(stream);
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
  } catch {
    return false;
  } finally {
    stream.destroy();
  }
}
