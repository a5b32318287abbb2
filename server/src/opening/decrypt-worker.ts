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
import { openSealedPart } from './sealed-part.ts';

export interface DecryptTask {
  readonly sealedPath: string;
  /** SHA-256 of the part as received: a stored file that no longer matches is the platform's fault. */
  readonly sealedSha256: string;
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

/**
 * Why the documents did not open: `content` and `wrong-key` are what the bidder sealed or submitted (the
 * bid is invalid); `platform` is the platform's own failure (the job is held and retried; never `invalid`).
 */
export interface DecryptFailure {
  readonly ok: false;
  readonly kind: 'content' | 'wrong-key' | 'platform';
  readonly message: string;
}

async function hashFile(path: string): Promise<Buffer> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest();
}

export default async function decrypt(task: DecryptTask): Promise<DecryptResult | DecryptFailure> {
  let out: ReturnType<typeof createWriteStream> | null = null;
  let processed = 0;
  let reportedAt = 0;
  try {
    const total = statSync(task.sealedPath).size;
    const output = createWriteStream(task.outputPath, { flags: 'wx', highWaterMark: 4 * 1024 * 1024 });
    out = output;
    let plainSize = 0;
    const outcome = await openSealedPart(
      task.sealedPath,
      task.sealedSha256,
      Buffer.from(task.contentKey),
      async (chunk) => {
        plainSize += chunk.length;
        if (!output.write(chunk)) await once(output, 'drain');
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
    if (outcome.kind === 'wrong-key')
      return { ok: false, kind: 'wrong-key', message: 'the submitted key does not open the documents' };
    if (outcome.kind === 'content') return { ok: false, kind: 'content', message: outcome.message };
    output.end();
    await once(output, 'close');
    const verified = outcome.verified;
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
    // Whatever else went wrong — the stored part, the disk, this process — is the platform's to fix.
    return { ok: false, kind: 'platform', message: error instanceof Error ? error.message : String(error) };
  } finally {
    if (out && !out.closed) {
      out.destroy();
      await once(out, 'close').catch(() => undefined);
    }
    task.progress.close();
  }
}
