/**
 * Worker-thread task (piscina): decrypts a documents part to a quarantine file and verifies its inner
 * signature, reporting progress. The main thread moves the file into the blob store only when this
 * resolves, so unauthenticated GCM plaintext is never visible.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { MessagePort } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import { openSealedPart } from './sealed-part.ts';

export interface DecryptTask {
  readonly sealedPath: string;
  readonly contentKey: Uint8Array;
  readonly outputPath: string;
  readonly progress: MessagePort;
}

export interface DecryptResult {
  readonly ok: true;
  readonly plainSha256: string;
  readonly plainSize: number;
  /** DER of the signer's certificate and of every certificate carried, for the trust check. */
  readonly signer: Uint8Array;
  readonly certificates: readonly Uint8Array[];
  readonly signingTime: string | null;
}

export interface DecryptFailure {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
}

async function hashFile(path: string): Promise<Buffer> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest();
}

export default async function decrypt(task: DecryptTask): Promise<DecryptResult | DecryptFailure> {
  const total = statSync(task.sealedPath).size;
  const out = createWriteStream(task.outputPath, { flags: 'wx', highWaterMark: 4 * 1024 * 1024 });
  let plainSize = 0;
  let processed = 0;
  let reportedAt = 0;
  try {
    const verified = await openSealedPart(
      task.sealedPath,
      Buffer.from(task.contentKey),
      async (chunk) => {
        plainSize += chunk.length;
        if (!out.write(chunk)) await once(out, 'drain');
      },
      (bytes) => {
        processed += bytes;
        // Four reports a second are plenty for a progress bar; each one costs a message between threads.
        const now = Date.now();
        if (now - reportedAt >= 250) {
          reportedAt = now;
          task.progress.postMessage(Math.min(0.99, processed / total));
        }
      },
    );
    out.end();
    await once(out, 'close');
    // The signature check hashed the content already when the signer used SHA-256 (nearly always);
    // otherwise the stored plaintext is hashed once more.
    const plainSha256 = verified.contentSha256 ?? (await hashFile(task.outputPath));
    return {
      ok: true,
      plainSha256: plainSha256.toString('hex'),
      plainSize,
      signer: verified.signer.der,
      certificates: verified.certificates.map((c) => c.der),
      signingTime: verified.signingTime?.toISOString() ?? null,
    };
  } catch (error) {
    out.destroy();
    await once(out, 'close').catch(() => undefined);
    if (error instanceof AppError) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
  } finally {
    task.progress.close();
  }
}
