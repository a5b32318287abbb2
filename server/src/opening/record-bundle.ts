/**
 * The opening record bundle: a tar archive anyone can verify offline, with `bidhall record verify` or
 * with OpenSSL alone (README.txt inside says how):
 *
 *   record.json              the opening record, exactly as signed (RFC 8785 JSON)
 *   signatures/<id>.p7s      each bidder's CMS detached signature over record.json (DER)
 *   objections.json          objections raised at the opening and the host's answers
 *   manifest.json            what the bundle holds: SHA-256 of every file, who signed and when (server time)
 *   manifest.p7s             the platform's detached CMS signature over manifest.json (its receipt key)
 *   README.txt               how to check it
 *
 * The platform's signature over the manifest is what makes the bundle a document: every file is bound to
 * it by hash, so a file changed, added or removed — a signature dropped, an answer edited — fails, and
 * the report names the file. Each bidder's certificate is judged at the moment the server recorded the
 * signature (in the signed manifest), not at the `signingTime` the signer chose to write.
 */
import { createHash } from 'node:crypto';
import {
  type DetailKey,
  detailText,
  drawIndexOf,
  drawInput,
  type ErrorDetail,
  isRecordFormat,
  type OpeningRecord,
  type TenderStatus,
} from '@bidhall/shared';
import canonicalize from 'canonicalize';
import { asc, eq } from 'drizzle-orm';
import { canonical, openBundle, sealBundle } from '../bundles/signed-bundle.ts';
import { type Signer, verifySmall } from '../cms/signed-data.ts';
import type { Executor } from '../db/client.ts';
import { actors, objections, recordSignatures } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { ParsedCertificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { findTender } from '../tenders/tender-service.ts';
import { sha256Hex } from './record.ts';
import { type RecordFont, recordPdf } from './record-pdf.ts';

export const bundleFormat = 'bidhall-record-bundle/2';

interface BundleManifest {
  readonly format: typeof bundleFormat;
  readonly tenderId: string;
  readonly tenderCode: string;
  /** The opening's status when the bundle was exported (objections must all be answered once closed). */
  readonly status: TenderStatus;
  readonly exportedAt: string;
  readonly recordSha256: string;
  readonly files: Readonly<Record<string, string>>;
  readonly signatures: readonly {
    readonly identity: string;
    readonly name: string;
    readonly file: string;
    /** When the server received and checked the signature: the time its certificate is judged at. */
    readonly signedAt: string;
    /** Who signed as what: a bidder (absent in bundles made before staff signed), the host, a supervisor. */
    readonly role?: 'bidder' | 'host' | 'supervisor';
    /** A bidder that signed while objections were unanswered: those objections' texts. */
    readonly openObjections?: readonly string[];
  }[];
}

interface ObjectionEntry {
  readonly bidder: string;
  readonly text: string;
  readonly at: string;
  readonly answer: string | null;
  readonly answeredAt: string | null;
}

const readme = `bidhall opening record bundle / 开标记录包

1. manifest.p7s is the platform's signature over manifest.json (CMS, DER, detached). Check it first,
   with the platform's receipt certificate, which the trading centre publishes:
     openssl cms -verify -binary -inform DER -in manifest.p7s -content manifest.json -CAfile <CA> -out /dev/null
   and check that the signer is that certificate. manifest.json lists the SHA-256 of every other file.
2. record.json is the opening record; its SHA-256 is recordSha256 in manifest.json:
     sha256sum record.json
3. Each file in signatures/ is a bidder's signature over record.json (CMS, DER, detached):
     openssl cms -verify -binary -inform DER -in signatures/<id>.p7s -content record.json -CAfile <CA> -out /dev/null
   manifest.json says when the server received each one (signedAt): the certificate must be valid then.
4. objections.json lists the objections raised at the opening and the host's answers.
5. record.pdf is the record printed for the archive (开标记录表), made from record.json at export; the
   manifest binds it like every other file, but the signatures cover record.json.
Or all at once: bidhall record verify <this file> --platform <receipt certificate> [--ca <CA>...]
`;

export { readTar, writeTar } from '../bundles/signed-bundle.ts';

/** What the printed record needs beside the database: the centre's heading and a CJK font. */
export interface PrintSettings {
  readonly heading: string;
  readonly font: RecordFont | undefined;
}

export async function buildRecordBundle(
  db: Executor,
  tenderId: string,
  platform: Signer,
  now: Date,
  print: PrintSettings,
): Promise<Buffer> {
  const tender = await findTender(db, tenderId);
  if (!tender.recordText || !tender.recordSha256)
    throw new AppError('HALL_WRONG_STATE', { key: 'noRecordYet' });
  const signatures = await db
    .select({
      identity: actors.identity,
      name: actors.name,
      role: actors.role,
      signature: recordSignatures.signature,
      at: recordSignatures.at,
      openObjections: recordSignatures.openObjections,
    })
    .from(recordSignatures)
    .innerJoin(actors, eq(actors.id, recordSignatures.signerId))
    .where(eq(recordSignatures.tenderId, tenderId))
    .orderBy(asc(actors.identity));
  const objectionRows = await db
    .select({ objection: objections, name: actors.name })
    .from(objections)
    .innerJoin(actors, eq(actors.id, objections.bidderId))
    .where(eq(objections.tenderId, tenderId))
    .orderBy(asc(objections.at));
  const objectionList: ObjectionEntry[] = objectionRows.map(({ objection, name }) => ({
    bidder: name,
    text: objection.text,
    at: objection.at.toISOString(),
    answer: objection.answer,
    answeredAt: objection.answeredAt?.toISOString() ?? null,
  }));
  if (!print.font) throw new AppError('RECORD_FONT_MISSING');
  const files: Record<string, Buffer> = {
    'record.json': Buffer.from(tender.recordText, 'utf8'),
    'record.pdf': await recordPdf({
      heading: print.heading,
      record: JSON.parse(tender.recordText) as OpeningRecord,
      recordSha256: tender.recordSha256,
      fields: tender.summaryFields,
      objections: objectionList,
      signatures: signatures.map((s) => ({ name: s.name, role: signerRole(s.role), at: s.at.toISOString() })),
      font: print.font,
    }),
    'objections.json': canonical(objectionList),
    'README.txt': Buffer.from(readme, 'utf8'),
  };
  for (const s of signatures) files[signatureFile(s.identity, signerRole(s.role))] = s.signature;
  const objectionText = new Map(objectionRows.map(({ objection }) => [objection.id, objection.text]));
  const manifest: Omit<BundleManifest, 'files'> = {
    format: bundleFormat,
    tenderId,
    tenderCode: tender.code,
    status: tender.status,
    exportedAt: now.toISOString(),
    recordSha256: tender.recordSha256,
    signatures: signatures.map((s) => ({
      identity: s.identity,
      name: s.name,
      file: signatureFile(s.identity, signerRole(s.role)),
      signedAt: s.at.toISOString(),
      role: signerRole(s.role),
      ...(s.openObjections?.length
        ? { openObjections: s.openObjections.map((id) => objectionText.get(id) ?? id) }
        : {}),
    })),
  };
  return sealBundle(files, manifest, platform, now);
}

type SignerRole = 'bidder' | 'host' | 'supervisor';

/** Only bidders, hosts and supervisors hold the sign-record grant (shared/src/roles.ts). */
function signerRole(role: string): SignerRole {
  if (role === 'bidder' || role === 'host' || role === 'supervisor') return role;
  // A bug, never a person's doing: the grants keep other roles from signing.
  throw new AppError('INTERNAL', `a ${role} cannot have signed the record`);
}

/** A bidder's signature keeps the file name it always had; staff's are prefixed with their role. */
const signatureFile = (identity: string, role: SignerRole) =>
  `signatures/${role === 'bidder' ? '' : `${role}-`}${identity.replace(/[^A-Za-z0-9_-]/g, '_')}.p7s`;

export interface BundleReport {
  readonly ok: boolean;
  readonly tender: { readonly code: string; readonly title: string };
  readonly recordSha256: string;
  readonly status: string | null;
  readonly exportedAt: string | null;
  /** The bidders whose signatures verify. */
  readonly signed: readonly string[];
  readonly unsigned: readonly string[];
  /** The host and supervisors whose signatures verify. */
  readonly staffSigned: readonly { readonly name: string; readonly role: 'host' | 'supervisor' }[];
  /** What is wrong, in English (the command line's report). */
  readonly problems: readonly string[];
  /** The same, as catalogue details: pages show them in the reader's language. */
  readonly findings: readonly ErrorDetail[];
  readonly objections: number;
  readonly unanswered: number;
}

/**
 * Checks a bundle offline: the platform's signature over the manifest (signer = `platform`, trusted),
 * every file against the manifest (none changed, added or removed), the record, the draw recomputed from
 * its inputs, the objections, and every bidder signature (signer, content, trust at the recorded time).
 */
export async function verifyRecordBundle(
  archive: Buffer,
  trust: TrustStore,
  platform: ParsedCertificate,
): Promise<BundleReport> {
  const { files, manifest, findings } = await openBundle<BundleManifest>(
    archive,
    trust,
    platform,
    bundleFormat,
  );
  const found = (key: DetailKey, params?: Record<string, string | number>) =>
    findings.push(params ? { key, params } : { key });
  const recordFile = files.get('record.json');
  let record: OpeningRecord | null = null;

  if (recordFile) {
    if (sha256Hex(recordFile) !== manifest.recordSha256) found('bundleRecordHash');
    try {
      record = JSON.parse(recordFile.toString('utf8')) as OpeningRecord;
      if (!isRecordFormat(record.format)) found('bundleRecordFormat', { format: String(record.format) });
      if (canonicalize(record) !== recordFile.toString('utf8')) found('bundleRecordNotCanonical');
      findings.push(...drawProblems(record));
    } catch {
      found('bundleFileNotJson', { file: 'record.json' });
    }
  }

  let objectionList: ObjectionEntry[] = [];
  try {
    objectionList = JSON.parse(files.get('objections.json')?.toString('utf8') ?? '[]') as ObjectionEntry[];
  } catch {
    found('bundleFileNotJson', { file: 'objections.json' });
  }
  const unanswered = objectionList.filter((o) => o.answer === null).length;
  if (manifest.status === 'closed' && unanswered) found('bundleUnanswered', { count: unanswered });

  const signed: string[] = [];
  const staffSigned: { name: string; role: 'host' | 'supervisor' }[] = [];
  for (const entry of manifest.signatures ?? []) {
    const signature = files.get(entry.file);
    if (!signature || !recordFile) continue;
    try {
      const verified = await verifySmall(signature, { detachedContent: recordFile });
      const { identity } = trust.verifySigned(verified, {
        at: new Date(entry.signedAt),
        crlAt: new Date(),
        anyUsage: ['digitalSignature', 'nonRepudiation'],
      });
      const role = entry.role ?? 'bidder';
      if (role !== 'bidder') {
        // Staff are not in the record's bid list: the platform's signed manifest names who they are.
        if (identity !== entry.identity)
          found('bundleStaffSigner', {
            file: entry.file,
            signer: verified.signer.commonName,
            name: entry.name,
          });
        else staffSigned.push({ name: entry.name, role });
        continue;
      }
      const bidder = record?.bids.find((b) => b.bidder.identity === identity);
      if (!bidder || identity !== entry.identity)
        found('bundleBidderSigner', { file: entry.file, signer: verified.signer.commonName });
      else signed.push(bidder.bidder.name);
    } catch (error) {
      found('bundleSignatureInvalid', { file: entry.file, reason: (error as Error).message });
    }
  }
  return {
    ok: findings.length === 0,
    tender: { code: record?.tender.code ?? manifest.tenderCode ?? '', title: record?.tender.title ?? '' },
    recordSha256: manifest.recordSha256,
    status: manifest.status ?? null,
    exportedAt: manifest.exportedAt ?? null,
    signed,
    staffSigned,
    unsigned: (record?.bids ?? []).map((b) => b.bidder.name).filter((name) => !signed.includes(name)),
    problems: findings.map((finding) => detailText(finding, 'en')),
    findings,
    objections: objectionList.length,
    unanswered,
  };
}

/** The draw recomputed from the record's own inputs (shared/src/draw.ts); problems name what differs. */
function drawProblems(record: OpeningRecord): ErrorDetail[] {
  const draw = record.draw;
  if (!draw) return [];
  const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  const problems: ErrorDetail[] = [];
  if (sha(draw.serverSeed) !== draw.serverSeedCommitment) problems.push({ key: 'bundleServerSeed' });
  for (const seed of draw.seeds)
    if (seed.seed !== null && sha(seed.seed) !== seed.commitment)
      problems.push({ key: 'bundleBidderSeed', params: { bidder: seed.bidder } });
  const revealed = draw.seeds.filter((s) => s.seed !== null).map((s) => s.seed!);
  const index = drawIndexOf(sha(drawInput(draw.serverSeed, revealed)), draw.options.length);
  if (index !== draw.index || draw.options[index] !== draw.value)
    problems.push({
      key: 'bundleDrawRecomputes',
      params: { recomputed: draw.options[index] ?? '', index, value: draw.value },
    });
  return problems;
}
