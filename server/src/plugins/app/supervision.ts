/**
 * What the consoles read besides the hall: the custodians a host may appoint, a tender's audit trail
 * (for the supervisor's live feed), and the two checks a supervisor runs on demand: the whole audit
 * chain and a tender's opening-record bundle.
 */
import {
  type AuditEntry,
  appointedRoles,
  auditActionWords,
  isAuditAction,
  isRole,
  type Role,
  roleWords,
  systemWords,
  type TenderStatus,
} from '@bidhall/shared';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { readableEntries } from '../../audit/sealed.ts';
import { verifyAuditChain } from '../../audit/verify.ts';
import { actors, auditLog } from '../../db/schema/index.ts';
import { buildRecordBundle, type PrintSettings, verifyRecordBundle } from '../../opening/record-bundle.ts';
import { chinaTime } from '../../opening/record-pdf.ts';
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

const ExportQuery = Type.Object({ format: Type.Enum(['csv', 'json']) }, { additionalProperties: false });

/** An audit entry with the hashes that chain it, so a reader can re-check each one itself. */
export interface AuditFeedEntry {
  readonly entry: AuditEntry;
  /** Who acted, by name (bidders' entries are withheld before the opening, so names never leak). */
  readonly actorName: string | null;
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
        const { readable, sealed } = await feedPage(
          tenderId,
          tender.status,
          after,
          limit,
          request.actor!.role,
        );
        // Supervisors learn that entries are sealed (and how many), so a gap is never mistaken for loss.
        return { entries: readable, sealed: request.actor!.role === 'supervisor' ? sealed : null };
      },
    );

    /** A tender's whole readable trail as a spreadsheet (CSV, in words) or as the verifiable JSON. */
    api.get(
      '/api/tenders/:tenderId/audit/export',
      {
        onRequest: app.requireGrant('audit:read'),
        config: { auditAction: 'audit.export' },
        schema: { params: TenderParams, querystring: ExportQuery },
      },
      async (request, reply) => {
        const { tenderId } = request.params;
        const tender = await app.tenders.view(tenderId);
        requireTenderAccess(request.actor!, tender);
        const entries: AuditFeedEntry[] = [];
        let sealed = 0;
        for (let after = 0; ; ) {
          const page = await feedPage(tenderId, tender.status, after, 1000, request.actor!.role);
          entries.push(...page.readable);
          sealed += page.sealed;
          if (page.last === null) break;
          after = page.last;
        }
        const { format } = request.query;
        await app.audit.append({
          ...request.auditActor(),
          action: 'audit.export',
          tenderId,
          outcome: 'ok',
          detail: { format, entries: entries.length, sealed },
        });
        const name = `audit-${tender.code}.${format}`;
        reply.header('content-disposition', `attachment; filename="${name}"`);
        if (format === 'json')
          return reply.type('application/json').send(JSON.stringify({ tenderId, sealed, entries }, null, 1));
        return reply.type('text/csv; charset=utf-8').send(auditCsv(entries));
      },
    );

    /**
     * One page of a tender's trail after `after`, with bidders' entries withheld before the opening and
     * every actor named — but the committee's members, whom only supervisors may name (招标投标法 Art 37:
     * the names stay secret until the result); `last` is the page's last sequence number, or null at the end.
     */
    async function feedPage(
      tenderId: string,
      status: TenderStatus,
      after: number,
      limit: number,
      reader: Role,
    ) {
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
      const { readable, sealed } = readableEntries(status, parsed);
      const ids = [
        ...new Set(readable.map((r) => r.entry.actorId).filter((id): id is string => id !== null)),
      ];
      const names = new Map(
        ids.length
          ? (
              await app.db
                .select({ id: actors.id, name: actors.name })
                .from(actors)
                .where(inArray(actors.id, ids))
            ).map((a) => [a.id, a.name])
          : [],
      );
      return {
        readable: readable.map((r) => ({
          ...r,
          actorName:
            r.entry.actorId && (r.entry.role !== 'expert' || reader === 'supervisor')
              ? (names.get(r.entry.actorId) ?? null)
              : null,
        })),
        sealed,
        last: rows.length === limit ? rows[rows.length - 1]!.seq : null,
      };
    }

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

/** A CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180). */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The trail as a trading centre's staff read it in a spreadsheet: time in China Standard Time, who, what
 * in words, the outcome, the details, and the hash that chains the entry. A UTF-8 BOM lets Excel read
 * the Chinese.
 */
export function auditCsv(entries: readonly AuditFeedEntry[]): string {
  const header = ['序号', '时间', '操作人', '角色', '操作', '结果', '对象', '详情', '哈希'];
  const lines = entries.map(({ entry, actorName, hash }) =>
    [
      String(entry.seq),
      chinaTime(entry.at),
      actorName ?? (entry.role === 'system' ? systemWords.zh : '—'),
      entry.role === 'system'
        ? systemWords.zh
        : isRole(entry.role)
          ? roleWords[entry.role].zh
          : (entry.role ?? ''),
      isAuditAction(entry.action) ? auditActionWords[entry.action].zh : entry.action,
      entry.outcome === 'ok' ? '成功' : entry.outcome,
      entry.target ?? '',
      JSON.stringify(entry.detail),
      hash,
    ]
      .map(csvField)
      .join(','),
  );
  return `\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
