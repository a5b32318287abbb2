/**
 * The opening record bundle: a tar archive anyone can verify offline, with `bidhall record verify` or
 * with OpenSSL alone (README.txt inside says how):
 *
 *   record.json              the opening record, exactly as signed (RFC 8785 JSON)
 *   signatures/<id>.p7s      each bidder's CMS detached signature over record.json (DER)
 *   objections.json          objections raised at the opening and the host's answers
 *   manifest.json            what the bundle holds, with SHA-256 of every file
 *   README.txt               how to check it
 */
import canonicalize from 'canonicalize';
import { asc, eq } from 'drizzle-orm';
import tar from 'tar-stream';
import { verifySmall } from '../cms/signed-data.ts';
import type { Executor } from '../db/client.ts';
import { actors, objections, recordSignatures } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { findTender } from '../tenders/tender-service.ts';
import { type OpeningRecord, recordFormat, sha256Hex } from './record.ts';

export const bundleFormat = 'bidhall-record-bundle/1';

interface BundleManifest {
  readonly format: typeof bundleFormat;
  readonly tenderId: string;
  readonly recordSha256: string;
  readonly files: Readonly<Record<string, string>>;
  readonly signatures: readonly { readonly identity: string; readonly name: string; readonly file: string }[];
}

const readme = `bidhall opening record bundle / 开标记录包

1. record.json is the opening record. Its SHA-256 is in manifest.json (recordSha256):
     sha256sum record.json
2. Each file in signatures/ is a bidder's signature over record.json (CMS, DER, detached):
     openssl cms -verify -binary -inform DER -in signatures/<id>.p7s -content record.json -CAfile <CA certificates> -out /dev/null
3. objections.json lists the objections raised at the opening and the host's answers.
Or all at once: bidhall record verify <this file> [--ca <CA certificate>...]
`;

function toTar(files: Record<string, Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files))
    pack.entry({ name, size: content.length, mode: 0o644 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
}

function fromTar(archive: Buffer): Promise<Map<string, Buffer>> {
  const extract = tar.extract();
  const files = new Map<string, Buffer>();
  return new Promise((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        files.set(header.name.replace(/^\.\//, ''), Buffer.concat(chunks));
        next();
      });
      stream.resume();
    });
    extract.on('finish', () => resolve(files));
    extract.on('error', reject);
    extract.end(archive);
  });
}

export async function buildRecordBundle(db: Executor, tenderId: string): Promise<Buffer> {
  const tender = await findTender(db, tenderId);
  if (!tender.recordText || !tender.recordSha256)
    throw new AppError('HALL_WRONG_STATE', 'there is no opening record yet');
  const signatures = await db
    .select({ identity: actors.identity, name: actors.name, signature: recordSignatures.signature })
    .from(recordSignatures)
    .innerJoin(actors, eq(actors.id, recordSignatures.bidderId))
    .where(eq(recordSignatures.tenderId, tenderId))
    .orderBy(asc(actors.identity));
  const objectionRows = await db
    .select({ objection: objections, name: actors.name })
    .from(objections)
    .innerJoin(actors, eq(actors.id, objections.bidderId))
    .where(eq(objections.tenderId, tenderId))
    .orderBy(asc(objections.at));
  const files: Record<string, Buffer> = {
    'record.json': Buffer.from(tender.recordText, 'utf8'),
    'objections.json': Buffer.from(
      canonicalize(
        objectionRows.map(({ objection, name }) => ({
          bidder: name,
          text: objection.text,
          at: objection.at.toISOString(),
          answer: objection.answer,
          answeredAt: objection.answeredAt?.toISOString() ?? null,
        })),
      )!,
      'utf8',
    ),
    'README.txt': Buffer.from(readme, 'utf8'),
  };
  for (const s of signatures) files[`signatures/${s.identity}.p7s`] = s.signature;
  const manifest: BundleManifest = {
    format: bundleFormat,
    tenderId,
    recordSha256: tender.recordSha256,
    files: Object.fromEntries(Object.entries(files).map(([name, content]) => [name, sha256Hex(content)])),
    signatures: signatures.map((s) => ({
      identity: s.identity,
      name: s.name,
      file: `signatures/${s.identity}.p7s`,
    })),
  };
  return toTar({ 'manifest.json': Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), ...files });
}

export interface BundleReport {
  readonly ok: boolean;
  readonly tender: { readonly code: string; readonly title: string };
  readonly recordSha256: string;
  readonly signed: readonly string[];
  readonly unsigned: readonly string[];
  readonly problems: readonly string[];
  readonly objections: number;
  readonly unanswered: number;
}

/** Checks a bundle offline: file hashes, the record, and every signature (signer, content, trust). */
export async function verifyRecordBundle(archive: Buffer, trust: TrustStore): Promise<BundleReport> {
  const files = await fromTar(archive);
  const problems: string[] = [];
  const manifestFile = files.get('manifest.json');
  const recordFile = files.get('record.json');
  if (!manifestFile || !recordFile) throw new AppError('VALIDATION_FAILED', 'not a bidhall record bundle');
  const manifest = JSON.parse(manifestFile.toString('utf8')) as BundleManifest;
  const record = JSON.parse(recordFile.toString('utf8')) as OpeningRecord;
  if (manifest.format !== bundleFormat || record.format !== recordFormat)
    problems.push('unknown bundle or record format');
  for (const [name, expected] of Object.entries(manifest.files)) {
    const content = files.get(name);
    if (!content) problems.push(`${name} is missing`);
    else if (sha256Hex(content) !== expected) problems.push(`${name} was altered`);
  }
  if (sha256Hex(recordFile) !== manifest.recordSha256)
    problems.push('record.json does not match recordSha256');
  if (canonicalize(record) !== recordFile.toString('utf8'))
    problems.push('record.json is not in canonical form');
  const signed: string[] = [];
  for (const entry of manifest.signatures) {
    const signature = files.get(entry.file);
    if (!signature) continue;
    try {
      const verified = await verifySmall(signature, { detachedContent: recordFile });
      trust.verify([verified.signer, ...verified.certificates.filter((c) => c !== verified.signer)], {
        at: verified.signingTime ?? new Date(),
        crlAt: new Date(),
        anyUsage: ['digitalSignature', 'nonRepudiation'],
      });
      const bidder = record.bids.find((b) => b.bidder.identity === verified.signer.identity);
      if (!bidder)
        problems.push(`${entry.file}: signed by "${verified.signer.commonName}", who is not a bidder`);
      else signed.push(bidder.bidder.name);
    } catch (error) {
      problems.push(`${entry.file}: ${(error as Error).message}`);
    }
  }
  const objectionList = JSON.parse(files.get('objections.json')?.toString('utf8') ?? '[]') as {
    answer: string | null;
  }[];
  return {
    ok: problems.length === 0,
    tender: { code: record.tender.code, title: record.tender.title },
    recordSha256: manifest.recordSha256,
    signed,
    unsigned: record.bids.map((b) => b.bidder.name).filter((name) => !signed.includes(name)),
    problems,
    objections: objectionList.length,
    unanswered: objectionList.filter((o) => o.answer === null).length,
  };
}
