/**
 * Worker-thread task (piscina): decrypts a documents part to a quarantine file and verifies its inner
 * signature, reporting progress. The main thread moves the file into the blob store only when this
 * resolves, so unauthenticated GCM plaintext is never visible.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
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

export default async function decrypt(task: DecryptTask): Promise<DecryptResult | DecryptFailure> {
  const total = statSync(task.sealedPath).size;
  const out = createWriteStream(task.outputPath, { flags: 'wx', highWaterMark: 4 * 1024 * 1024 });
  const hash = createHash('sha256');
  let plainSize = 0;
  let processed = 0;
  let reported = 0;
  try {
    const verified = await openSealedPart(
      task.sealedPath,
      Buffer.from(task.contentKey),
      async (chunk) => {
        hash.update(chunk);
        plainSize += chunk.length;
        if (!out.write(chunk)) await once(out, 'drain');
      },
      (bytes) => {
        processed += bytes;
        // A report per 2% is plenty for a progress bar and cheap to forward.
        if (processed - reported >= total / 50) {
          reported = processed;
          task.progress.postMessage(Math.min(0.99, processed / total));
        }
      },
    );
    out.end();
    await once(out, 'close');
    return {
      ok: true,
      plainSha256: hash.digest('hex'),
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
