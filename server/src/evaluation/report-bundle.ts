/**
 * The evaluation report bundle: the signed report as a platform-signed bundle (bundles/signed-bundle.ts)
 * anyone verifies offline, with `bidhall report verify` or with OpenSSL alone:
 *
 *   report.json               the report, exactly as the members signed it (RFC 8785 JSON)
 *   signatures/<member>.p7s   each signing member's CMS detached signature over report.json
 *   dissents/<member>.txt     a dissent's exact text (the report's hash, the member, its reasons)
 *   dissents/<member>.p7s     the dissenting member's signature over that text
 *   manifest.json             every file's SHA-256, each member's stance, identity and time (server's)
 *   manifest.p7s              the platform's signature over manifest.json
 *   README.txt                how to check it
 *
 * A member who neither signed nor dissented by the end of the window is listed as agreeing (Art 53),
 * with no file. Every member of the report must have a stance; every signature must be the member's.
 */
import {
  type DetailKey,
  detailText,
  dissentText,
  type ErrorDetail,
  type EvaluationReport,
} from '@bidhall/shared';
import canonicalize from 'canonicalize';
import { eq } from 'drizzle-orm';
import { openBundle, sealBundle } from '../bundles/signed-bundle.ts';
import { type Signer, verifySmall } from '../cms/signed-data.ts';
import type { Executor } from '../db/client.ts';
import { committeeMembers, reportStances } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { sha256Hex } from '../opening/record.ts';
import type { ParsedCertificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { findTender } from '../tenders/tender-service.ts';
import { findCommittee } from './committee-members.ts';
import { notNowDetail } from './state-machine.ts';

export const reportBundleFormat = 'bidhall-report-bundle/1';

interface ReportManifest {
  readonly format: typeof reportBundleFormat;
  readonly committeeId: string;
  readonly tenderCode: string;
  readonly exportedAt: string;
  readonly reportSha256: string;
  readonly files: Readonly<Record<string, string>>;
  readonly stances: readonly {
    readonly memberId: string;
    readonly name: string;
    readonly identity: string;
    readonly stance: 'signed' | 'dissented' | 'deemed-agreed';
    /** When the server recorded it: the time the member's certificate is judged at. */
    readonly at: string;
    readonly signature?: string;
    readonly dissent?: string;
  }[];
}

const readme = `bidhall evaluation report bundle / 评标报告包

1. manifest.p7s is the platform's signature over manifest.json (CMS, DER, detached):
     openssl cms -verify -binary -inform DER -in manifest.p7s -content manifest.json -CAfile <CA> -out /dev/null
   manifest.json lists the SHA-256 of every other file and each member's stance.
2. report.json is the evaluation report; its SHA-256 is reportSha256 in manifest.json.
3. signatures/<member>.p7s: a member's signature over report.json:
     openssl cms -verify -binary -inform DER -in signatures/<member>.p7s -content report.json -CAfile <CA> -out /dev/null
4. dissents/<member>.txt is a dissent (it names the report by its SHA-256); dissents/<member>.p7s its signature.
5. A member listed as deemed-agreed neither signed nor dissented by the end of the signing window (Art 53).
Or all at once: bidhall report verify <this file> --platform <receipt certificate> [--ca <CA>...]
`;

export async function buildReportBundle(
  db: Executor,
  committeeId: string,
  platform: Signer,
  now: Date,
): Promise<Buffer> {
  const row = await findCommittee(db, committeeId);
  if (!row.reportText || (row.status !== 'closed' && row.status !== 'published'))
    throw new AppError('COMMITTEE_WRONG_STATE', notNowDetail(row.status));
  const tender = await findTender(db, row.tenderId);
  const stances = await db
    .select({ stance: reportStances, name: committeeMembers.name, identity: committeeMembers.identity })
    .from(reportStances)
    .innerJoin(committeeMembers, eq(committeeMembers.id, reportStances.memberId))
    .where(eq(reportStances.committeeId, row.id));
  const files: Record<string, Buffer> = {
    'report.json': Buffer.from(row.reportText, 'utf8'),
    'README.txt': Buffer.from(readme, 'utf8'),
  };
  const listed: ReportManifest['stances'][number][] = [];
  for (const { stance, name, identity } of stances.sort((a, b) =>
    a.stance.memberId < b.stance.memberId ? -1 : 1,
  )) {
    const entry = {
      memberId: stance.memberId,
      name,
      identity,
      stance: stance.stance,
      at: stance.at.toISOString(),
    };
    if (stance.stance === 'signed') {
      const file = `signatures/${stance.memberId}.p7s`;
      files[file] = Buffer.from(stance.signature!);
      listed.push({ ...entry, signature: file });
    } else if (stance.stance === 'dissented') {
      const text = `dissents/${stance.memberId}.txt`;
      const file = `dissents/${stance.memberId}.p7s`;
      files[text] = Buffer.from(
        dissentText({
          reportSha256: row.reportSha256!,
          memberId: stance.memberId,
          statement: stance.statement ?? '',
        }),
        'utf8',
      );
      files[file] = Buffer.from(stance.signature!);
      listed.push({ ...entry, signature: file, dissent: text });
    } else listed.push(entry);
  }
  return sealBundle(
    files,
    {
      format: reportBundleFormat,
      committeeId: row.id,
      tenderCode: tender.code,
      exportedAt: now.toISOString(),
      reportSha256: row.reportSha256!,
      stances: listed,
    },
    platform,
    now,
  );
}

export interface ReportBundleReport {
  readonly ok: boolean;
  readonly tenderCode: string;
  readonly reportSha256: string;
  readonly signed: readonly string[];
  readonly dissented: readonly string[];
  readonly deemedAgreed: readonly string[];
  readonly candidates: readonly string[];
  /** What is wrong, in English (the command line's report), and as catalogue details (both languages). */
  readonly problems: readonly string[];
  readonly findings: readonly ErrorDetail[];
}

/**
 * Checks a report bundle offline: the bundle (platform signature, every file), the report against its
 * hash and canonical form, every member of the report with a stance, every signature the member's
 * (trusted at the time the server recorded it), every dissent naming this report.
 */
export async function verifyReportBundle(
  archive: Buffer,
  trust: TrustStore,
  platform: ParsedCertificate,
): Promise<ReportBundleReport> {
  const { files, manifest, findings } = await openBundle<ReportManifest>(
    archive,
    trust,
    platform,
    reportBundleFormat,
  );
  const found = (key: DetailKey, params?: Record<string, string | number>) =>
    findings.push(params ? { key, params } : { key });
  const reportFile = files.get('report.json');
  let report: EvaluationReport | null = null;
  if (!reportFile) found('bundleFileRemoved', { file: 'report.json' });
  else {
    if (sha256Hex(reportFile) !== manifest.reportSha256) found('reportBundleHash');
    try {
      report = JSON.parse(reportFile.toString('utf8')) as EvaluationReport;
      if (canonicalize(report) !== reportFile.toString('utf8')) found('bundleRecordNotCanonical');
    } catch {
      found('bundleFileNotJson', { file: 'report.json' });
    }
  }
  const signed: string[] = [];
  const dissented: string[] = [];
  const deemedAgreed: string[] = [];
  const stances = manifest.stances ?? [];
  for (const member of report?.members ?? [])
    if (!stances.some((s) => s.memberId === member.memberId))
      found('reportBundleNoStance', { name: member.name });
  for (const entry of stances) {
    if (entry.stance === 'deemed-agreed') {
      deemedAgreed.push(entry.name);
      continue;
    }
    const signature = entry.signature ? files.get(entry.signature) : undefined;
    const content = entry.stance === 'dissented' && entry.dissent ? files.get(entry.dissent) : reportFile;
    if (!signature || !content) continue;
    // A dissent names the report it dissents from, and the member, on its second and third lines.
    const lines = content.toString('utf8').split('\n');
    if (
      entry.stance === 'dissented' &&
      (lines[1] !== `report: ${manifest.reportSha256}` || lines[2] !== `member: ${entry.memberId}`)
    )
      found('reportBundleDissentOther', { file: entry.dissent ?? '' });
    try {
      const verified = await verifySmall(signature, { detachedContent: content });
      const { identity } = trust.verifySigned(verified, {
        at: new Date(entry.at),
        crlAt: new Date(),
        anyUsage: ['digitalSignature', 'nonRepudiation'],
      });
      if (identity !== entry.identity)
        found('bundleStaffSigner', {
          file: entry.signature!,
          signer: verified.signer.commonName,
          name: entry.name,
        });
      else (entry.stance === 'signed' ? signed : dissented).push(entry.name);
    } catch (error) {
      found('bundleSignatureInvalid', { file: entry.signature!, reason: (error as Error).message });
    }
  }
  return {
    ok: findings.length === 0,
    tenderCode: manifest.tenderCode ?? '',
    reportSha256: manifest.reportSha256,
    signed,
    dissented,
    deemedAgreed,
    candidates: (report?.candidates ?? []).map((c) => `${c.rank}. ${c.bidder}`),
    problems: findings.map((finding) => detailText(finding, 'en')),
    findings,
  };
}
