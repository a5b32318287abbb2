/**
 * Uploads whose parts are generated as they are sent (hundreds of megabytes of hostile CMS never held in
 * the test's memory), over a plain HTTP request, with a manifest signed by the bidder. The test can stop
 * sending part-way and keep the connection open, as a stalled client would.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { bidFormat, type TenderView } from '@bidhall/shared';
import { EnvelopeReader } from '../../server/src/cms/enveloped.ts';
import { signSmall } from '../../server/src/cms/signed-data.ts';
import { loadCert, loadKey } from './pki.ts';

/** A part's bytes, produced again each time they are needed (once to hash them, once to send them). */
export interface PartSource {
  chunks(): AsyncIterable<Buffer> | Iterable<Buffer>;
}

export const bufferPart = (bytes: Buffer): PartSource => ({
  *chunks() {
    yield bytes;
  },
});

export async function digestOf(source: PartSource): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source.chunks()) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** The recipientInfosSha256 `bid seal` writes for a part, when the part has readable recipients. */
async function recipientsOf(source: PartSource): Promise<{ recipientInfosSha256?: string }> {
  async function* chunks() {
    yield* source.chunks();
  }
  try {
    const infos = (await EnvelopeReader.open(chunks())).header.recipientInfos;
    return { recipientInfosSha256: createHash('sha256').update(infos).digest('hex') };
  } catch {
    return {};
  }
}

/** The manifest for two parts, signed (detached CMS) by `bidder`'s signing key, as `bid seal` does. */
export async function signedManifest(
  tender: Pick<TenderView, 'id'>,
  bidder: string,
  parts: { summary: PartSource; documents: PartSource },
): Promise<{ manifest: Buffer; signature: Buffer }> {
  const manifest = Buffer.from(
    JSON.stringify({
      format: bidFormat,
      tenderId: tender.id,
      parts: {
        summary: { ...(await digestOf(parts.summary)), ...(await recipientsOf(parts.summary)) },
        documents: { ...(await digestOf(parts.documents)), ...(await recipientsOf(parts.documents)) },
      },
      encryptionCertificate: loadCert(bidder, 'enc').pem,
      sealedAt: new Date().toISOString(),
    }),
  );
  const signer = { certificate: loadCert(bidder, 'sign'), privateKey: loadKey(bidder, 'sign') };
  return { manifest, signature: signSmall(manifest, signer, { detached: true }) };
}

export interface StreamUploadResult {
  readonly status: number;
  readonly body: { code?: string; message?: string; receipt?: { receivedAt?: string } };
  /** performance.now() when the answer arrived, and when the last byte of the body was written. */
  readonly answeredAt: number;
  readonly lastByteAt: number | null;
}

/**
 * POSTs the four parts as multipart/form-data. `stallAfterBytes`: stop sending once that many body bytes
 * are out and keep the connection open (no more data, no end) until the server answers.
 */
export function streamUpload(
  baseUrl: string,
  token: string,
  tenderId: string,
  parts: { manifest: Buffer; signature: Buffer; summary: PartSource; documents: PartSource },
  options: { stallAfterBytes?: number; beforeLastByte?: () => Promise<void> } = {},
): Promise<StreamUploadResult> {
  const boundary = `----bidhall-${randomBytes(8).toString('hex')}`;
  const head = (name: string) =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
  const sections: [string, PartSource][] = [
    ['manifest', bufferPart(parts.manifest)],
    ['manifestSignature', bufferPart(parts.signature)],
    ['summary', parts.summary],
    ['documents', parts.documents],
  ];
  return new Promise((resolve, reject) => {
    let lastByteAt: number | null = null;
    const request = httpRequest(`${baseUrl}/api/tenders/${tenderId}/bids`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
    });
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => {
        const answeredAt = performance.now();
        request.destroy();
        let body: StreamUploadResult['body'] = {};
        try {
          body = JSON.parse(text);
        } catch {
          body = { message: text };
        }
        resolve({ status: response.statusCode ?? 0, body, answeredAt, lastByteAt });
      });
    });
    request.on('error', (error) => {
      // The server may cut a refused upload's connection after answering: the answer is what counts.
      if (!request.destroyed || lastByteAt === null) reject(error);
    });
    const write = (chunk: Buffer) =>
      new Promise<void>((done, fail) => {
        if (request.destroyed) return fail(new Error('the server closed the connection'));
        request.write(chunk, (error) => (error ? fail(error) : done()));
      });
    void (async () => {
      let sent = 0;
      const stall = options.stallAfterBytes ?? Number.POSITIVE_INFINITY;
      const send = async (chunk: Buffer) => {
        if (sent >= stall) return false;
        const room = stall - sent;
        await write(room < chunk.length ? chunk.subarray(0, room) : chunk);
        sent += Math.min(room, chunk.length);
        return sent < stall;
      };
      for (const [name, source] of sections) {
        if (!(await send(head(name)))) return;
        for await (const chunk of source.chunks()) if (!(await send(chunk))) return;
        if (!(await send(Buffer.from('\r\n')))) return;
      }
      await options.beforeLastByte?.();
      await write(Buffer.from(`--${boundary}--\r\n`));
      lastByteAt = performance.now();
      request.end();
    })().catch(() => {
      // The server answered and closed before the whole body was out: the answer is the result.
    });
  });
}

/** Samples this process's resident memory while `work` runs; resolves with the growth at its peak. */
export async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growthBytes: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growthBytes: peak - before };
  } finally {
    clearInterval(sampler);
  }
}
