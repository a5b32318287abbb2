/** Sealing for the benchmarks: sign and encrypt a stream to a file, returning the file's SHA-256 and size. */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { sealStream } from '../../server/src/cms/enveloped.ts';
import { type Signer, signStream } from '../../server/src/cms/signed-data.ts';
import type { ParsedCertificate } from '../../server/src/pki/certificate.ts';

export async function sealToFile(
  plaintext: AsyncIterable<Buffer>,
  output: string,
  signer: Signer,
  recipients: readonly ParsedCertificate[],
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  async function* counted(source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  }
  await pipeline(
    counted(sealStream(signStream(plaintext, signer), { recipients, cipher: 'aes-256-gcm' })),
    createWriteStream(output, { highWaterMark: 4 * 1024 * 1024 }),
  );
  return { sha256: hash.digest('hex'), size };
}
