/**
 * What the consoles read besides the hall: the custodians a host may appoint, a tender's audit trail
 * (for the supervisor's live feed), and the two checks a supervisor runs on demand: the whole audit
 * chain and a tender's opening-record bundle.
 */
import { type AuditEntry, appointedRoles } from '@bidhall/shared';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { and, asc, eq, gt } from 'drizzle-orm';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { readableEntries } from '../../audit/sealed.ts';
import { verifyAuditChain } from '../../audit/verify.ts';
import { actors, auditLog } from '../../db/schema/index.ts';
import { buildRecordBundle, type PrintSettings, verifyRecordBundle } from '../../opening/record-bundle.ts';
import { requireTenderAccess } from '../../tenders/tender-service.ts';
import { TenderParams } from './tenders.ts';

// Appointed people only: bidders register themselves, and listing them would tell who bid.
const ActorsQuery = Type.Object({ role: Type.Enum(appointedRoles) }, { additionalProperties: false });
const AuditQuery = Type.Object(
  {
    after: Type.Integer({ minimum: 0, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 200 }),
  },
  { additionalProperties: false },
);

/** An audit entry with the hashes that chain it, so a reader can re-check each one itself. */
export interface AuditFeedEntry {
  readonly entry: AuditEntry;
  /** The exact stored text the hash covers. */
  readonly text: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** A page of a tender's audit trail; `sealed`: entries withheld until the bids are opened (supervisors). */
export interface AuditFeed {
  readonly entries: readonly AuditFeedEntry[];
  readonly sealed: number | null;
}

export interface SupervisionOptions {
  /** The printed record's heading and font (the verified bundle is built as an export would be). */
  readonly print: PrintSettings;
}

export default fp<SupervisionOptions>(
  async (app, options) => {
    const api = app.withTypeProvider<TypeBoxTypeProvider>();
    api.get(
      '/api/actors',
      { onRequest: app.requireGrant('tender:create'), schema: { querystring: ActorsQuery } },
      async (request) => {
        const { role } = request.query;
        const rows = await app.db
          .select()
          .from(actors)
          .where(eq(actors.role, role))
          .orderBy(asc(actors.name));
        return rows.map((a) => ({
          id: a.id,
          name: a.name,
          organization: a.organization,
          identity: a.identity,
          hasEncryptionCertificate: a.encryptionCertificate !== null,
        }));
      },
    );

    api.get(
      '/api/tenders/:tenderId/audit',
      {
        onRequest: app.requireGrant('audit:read'),
        schema: { params: TenderParams, querystring: AuditQuery },
      },
      async (request): Promise<AuditFeed> => {
        const { tenderId } = request.params;
        const tender = await app.tenders.view(tenderId);
        requireTenderAccess(request.actor!, tender);
        const { after, limit } = request.query;
        const rows = await app.db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.tenderId, tenderId), gt(auditLog.seq, after)))
          .orderBy(asc(auditLog.seq))
          .limit(limit);
        const parsed = rows.map((row) => ({
          entry: JSON.parse(row.entry) as AuditEntry,
          text: row.entry,
          prevHash: Buffer.from(row.prevHash).toString('hex'),
          hash: Buffer.from(row.hash).toString('hex'),
        }));
        const { readable, sealed } = readableEntries(tender.status, parsed);
        // Supervisors learn that entries are sealed (and how many), so a gap is never mistaken for loss.
        return { entries: readable, sealed: request.actor!.role === 'supervisor' ? sealed : null };
      },
    );

    api.post(
      '/api/audit/verify',
      { onRequest: app.requireGrant('audit:verify'), config: { auditAction: 'audit.verify' } },
      async (request) => {
        const report = await verifyAuditChain(app.database);
        await app.audit.append({
          ...request.auditActor(),
          action: 'audit.verify',
          outcome: 'ok',
          detail: { intact: report.ok, entries: report.entries },
        });
        return report;
      },
    );

    api.post(
      '/api/tenders/:tenderId/record-bundle/verify',
      {
        onRequest: app.requireGrant('audit:verify'),
        config: { auditAction: 'record.verify' },
        schema: { params: TenderParams },
      },
      async (request) => {
        const { tenderId } = request.params;
        await app.tenders.view(tenderId);
        const bundle = await buildRecordBundle(
          app.db,
          tenderId,
          app.platformSigner,
          new Date(),
          options.print,
        );
        const report = await verifyRecordBundle(bundle, app.trust, app.platformSigner.certificate);
        await app.audit.append({
          ...request.auditActor(),
          action: 'record.verify',
          tenderId,
          outcome: 'ok',
          detail: { intact: report.ok, problems: report.problems.length },
        });
        return report;
      },
    );
  },
  { name: 'supervision', dependencies: ['auth', 'pki', 'audit', 'tenders'] },
);
