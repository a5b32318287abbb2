/**
 * The bidder's side of sealing (`bidhall bid seal`): packs a documents folder into a tar archive, signs
 * and encrypts it as a stream (bounded memory whatever its size), seals the opening summary bound to
 * the documents' hash, and writes a signed manifest. Both parts are encrypted to the bidder's own
 * encryption certificate and to the tender's opening certificate (docs/bid-format.md).
 *
 * Output appears all at once: files are written in a temporary folder beside the target and renamed
 * into place at the end, so an interrupted run leaves no half-sealed bid.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type BidManifest,
  bidFormat,
  type OpeningSummary,
  type SummaryField,
  type SummaryValue,
  sealedFileNames,
  summaryFormat,
  summaryProblems,
} from '@bidhall/shared';
import tar from 'tar-stream';
import { type ContentCipher, EnvelopeReader, sealStream } from '../cms/enveloped.ts';
import type { RsaPadding } from '../cms/recipients.ts';
import { type Signer, signSmall, signStream } from '../cms/signed-data.ts';
import { AppError } from '../errors.ts';
import type { ParsedCertificate } from '../pki/certificate.ts';

/** Lets the disk write one buffer while the next is being encrypted (the default 16 KiB serialises them). */
const writeBuffer = 4 * 1024 * 1024;

export interface SealBidInput {
  readonly tender: { readonly id: string; readonly summaryFields: readonly SummaryField[] };
  readonly openingCertificate: ParsedCertificate;
  /** The CA that issues opening certificates: the bid is sealed only to a certificate it issued for this tender. */
  readonly openingCa: ParsedCertificate;
  readonly summary: Readonly<Record<string, SummaryValue>>;
  readonly documentsDir: string;
  readonly signer: Signer;
  readonly encryptionCertificate: ParsedCertificate;
  readonly outDir: string;
  readonly cipher?: ContentCipher;
  readonly rsaPadding?: RsaPadding;
  /** Called with the plaintext bytes of documents read so far. */
  readonly onProgress?: (bytes: number, total: number) => void;
}

export interface SealedBid {
  readonly manifest: BidManifest;
  readonly files: Readonly<Record<keyof typeof sealedFileNames, string>>;
}

async function listFiles(root: string): Promise<{ path: string; name: string; size: number }[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.push({ path, name: relative(root, path).split(sep).join('/'), size: (await stat(path)).size });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The documents folder as a tar stream (entries in name order). */
function tarFolder(
  files: { path: string; name: string; size: number }[],
  onBytes: (n: number) => void,
): PassThrough {
  const pack = tar.pack();
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  void (async () => {
    for (const file of files) {
      const entry = pack.entry({ name: file.name, size: file.size, mode: 0o644 });
      const source = createReadStream(file.path, { highWaterMark: 1024 * 1024 });
      source.on('data', (chunk) => onBytes(chunk.length));
      await pipeline(source, entry);
    }
    pack.finalize();
  })().catch((error: unknown) => pack.destroy(error as Error));
  pack.pipe(out);
  pack.on('error', (error) => out.destroy(error));
  return out;
}

/** Writes a sealed stream to `path`, returning the ciphertext's SHA-256 and size. */
async function writeSealed(
  stream: AsyncIterable<Buffer>,
  path: string,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  async function* counted() {
    for await (const chunk of stream) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  }
  await pipeline(counted, createWriteStream(path, { flags: 'wx', highWaterMark: writeBuffer }));
  return { sha256: hash.digest('hex'), size };
}

/**
 * Refuses to seal to a certificate that is not this tender's opening certificate: issued by the opening CA
 * (whose key the platform holds) and naming this tender. Otherwise a tampered tender file could make a
 * bidder encrypt its bid to someone else's key.
 */
export function checkOpeningCertificate(
  certificate: ParsedCertificate,
  openingCa: ParsedCertificate,
  tenderId: string,
): void {
  const issuedByCa =
    certificate.issuerDer.equals(openingCa.subjectDer) && certificate.x509.verify(openingCa.publicKey);
  if (!issuedByCa)
    throw new AppError(
      'CERT_UNTRUSTED',
      'the opening certificate was not issued by the opening CA: do not seal to it',
    );
  if (certificate.identity !== `TENDER-${tenderId}`)
    throw new AppError(
      'BID_TENDER_MISMATCH',
      `the opening certificate is for ${certificate.identity}, not this tender`,
    );
}

export async function sealBid(input: SealBidInput): Promise<SealedBid> {
  checkOpeningCertificate(input.openingCertificate, input.openingCa, input.tender.id);
  const problems = summaryProblems(input.tender.summaryFields, input.summary);
  if (problems.length) throw new AppError('VALIDATION_FAILED', `opening summary: ${problems.join('; ')}`);
  const files = await listFiles(input.documentsDir);
  if (files.length === 0) throw new AppError('VALIDATION_FAILED', `no files in ${input.documentsDir}`);
  const total = files.reduce((sum, f) => sum + f.size, 0);

  await mkdir(input.outDir, { recursive: true });
  const work = join(input.outDir, `.sealing-${randomBytes(6).toString('hex')}`);
  await mkdir(work);
  try {
    const seal = {
      recipients: [input.encryptionCertificate, input.openingCertificate],
      cipher: input.cipher ?? 'aes-256-gcm',
      rsaPadding: input.rsaPadding ?? 'oaep',
    } as const;
    let read = 0;
    const documentsHash = createHash('sha256');
    const tarStream = tarFolder(files, (n) => {
      read += n;
      input.onProgress?.(read, total);
    });
    async function* hashedTar() {
      for await (const chunk of tarStream) {
        documentsHash.update(chunk);
        yield chunk as Buffer;
      }
    }
    const documents = await writeSealed(
      sealStream(signStream(hashedTar(), input.signer), seal),
      join(work, sealedFileNames.documents),
    );
    const summary: OpeningSummary = {
      format: summaryFormat,
      tenderId: input.tender.id,
      fields: { ...input.summary },
      documentsSha256: documentsHash.digest('hex'),
    };
    async function* summaryBytes() {
      yield Buffer.from(JSON.stringify(summary, null, 2), 'utf8');
    }
    const summaryPart = await writeSealed(
      sealStream(signStream(summaryBytes(), input.signer), seal),
      join(work, sealedFileNames.summary),
    );
    const drawSeed = randomBytes(32).toString('hex');
    // Each part's recipients, signed in the manifest: the bidder's client will unwrap keys only from them.
    const recipientsOf = async (name: string) => {
      const stream = createReadStream(join(work, name), { highWaterMark: 64 * 1024 });
      try {
        const infos = (await EnvelopeReader.open(stream)).header.recipientInfos;
        return createHash('sha256').update(infos).digest('hex');
      } finally {
        stream.destroy();
      }
    };
    const manifest: BidManifest = {
      format: bidFormat,
      tenderId: input.tender.id,
      parts: {
        summary: { ...summaryPart, recipientInfosSha256: await recipientsOf(sealedFileNames.summary) },
        documents: { ...documents, recipientInfosSha256: await recipientsOf(sealedFileNames.documents) },
      },
      encryptionCertificate: input.encryptionCertificate.pem,
      drawCommitment: createHash('sha256').update(drawSeed, 'utf8').digest('hex'),
      sealedAt: new Date().toISOString(),
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    await writeFile(join(work, sealedFileNames.manifest), manifestBytes, { flag: 'wx' });
    await writeFile(
      join(work, sealedFileNames.manifestSignature),
      signSmall(manifestBytes, input.signer, { detached: true }),
      {
        flag: 'wx',
      },
    );
    // The seed stays with the bidder until the draw; only its hash is in the manifest.
    await writeFile(join(work, sealedFileNames.drawSeed), `${drawSeed}\n`, { flag: 'wx', mode: 0o600 });
    const out = {} as Record<keyof typeof sealedFileNames, string>;
    for (const [key, name] of Object.entries(sealedFileNames) as [keyof typeof sealedFileNames, string][]) {
      out[key] = join(input.outDir, name);
      await rename(join(work, name), out[key]);
    }
    return { manifest, files: out };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
