/**
 * The expert pool and the seat catalogue: experts imported from a CSV file (every line in, or none: a
 * refusal names the line and the field in both languages), seats added one by one. Each change is
 * audited. Committees are drawn from the active experts and sit at the seats (docs/evaluation.md).
 */
import {
  detailText,
  type ErrorDetail,
  type ExpertEntry,
  ExpertEntry as ExpertEntrySchema,
  type ExpertImportResult,
  expertCsvColumns,
  type PoolExpert,
  type SeatRequest,
  type SeatView,
  violationDetail,
} from '@bidhall/shared';
import { parse } from 'csv-parse/sync';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { Compile } from 'typebox/compile';
import { type AuditInput, appendInTx } from '../audit/audit-log.ts';
import type { Database } from '../db/client.ts';
import { actors, type Expert, experts, seats } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { parseCidr } from '../networks.ts';

const entryCheck = Compile(ExpertEntrySchema);

/** A pool row as the contract carries it (and as exclusions read it). */
export function entryOf(r: Expert): ExpertEntry {
  return {
    code: r.code,
    name: r.name,
    identity: r.identity,
    specialties: r.specialties,
    region: r.region,
    employerName: r.employerName,
    employerCreditCode: r.employerCreditCode,
    relations: r.relations,
    status: r.status,
    suspendedUntil: r.suspendedUntil ? r.suspendedUntil.toISOString().slice(0, 10) : null,
  };
}
/** A pool is a province's: tens of thousands of experts at most. */
const maxCsvBytes = 8 * 1024 * 1024;

type Audit = Omit<AuditInput, 'action' | 'outcome'>;

/** A refusal of line `line` of the CSV (1 is the header), saying in both languages what is wrong there. */
function lineProblem(line: number, detail: ErrorDetail): AppError {
  // A field is named by its column, as the CSV's header names it.
  const named: ErrorDetail =
    typeof detail.params?.field === 'string'
      ? {
          ...detail,
          params: { ...detail.params, field: detail.params.field.replace(/^\//, '').split('/')[0] ?? '' },
        }
      : detail;
  return new AppError('EXPERTS_INVALID', {
    key: 'csvLine',
    params: { line, what: detailText(named, 'zh'), whatEn: detailText(named, 'en') },
  });
}

/**
 * The entries of an experts CSV: a header naming `expertCsvColumns`, then one expert per line (lists
 * separated by `;`, an empty suspendedUntil for none). Throws EXPERTS_INVALID naming the first bad line.
 */
export function parseExpertsCsv(text: string): ExpertEntry[] {
  if (Buffer.byteLength(text) > maxCsvBytes) throw new AppError('PAYLOAD_TOO_LARGE');
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    throw lineProblem(line, { key: 'csvUnreadable' });
  }
  const [header, ...rows] = records;
  if (!header || header.map((h) => h.trim()).join(',') !== expertCsvColumns.join(','))
    throw lineProblem(1, { key: 'csvHeader', params: { columns: expertCsvColumns.join(',') } });
  const list = (cell: string) =>
    cell
      .split(';')
      .map((item) => item.trim())
      .filter(Boolean);
  const seen = new Map<string, number>();
  return rows.map((cells, index) => {
    const line = index + 2;
    if (cells.length !== expertCsvColumns.length)
      throw lineProblem(line, { key: 'csvColumns', params: { count: expertCsvColumns.length } });
    const cell = (column: (typeof expertCsvColumns)[number]) =>
      (cells[expertCsvColumns.indexOf(column)] ?? '').trim();
    const entry = {
      code: cell('code'),
      name: cell('name'),
      identity: cell('identity'),
      specialties: list(cell('specialties')),
      region: cell('region'),
      employerName: cell('employerName'),
      employerCreditCode: cell('employerCreditCode'),
      relations: list(cell('relations')),
      status: cell('status'),
      suspendedUntil: cell('suspendedUntil') || null,
    };
    if (!entryCheck.Check(entry)) {
      const [first] = [...entryCheck.Errors(entry)];
      throw lineProblem(line, violationDetail(first));
    }
    for (const key of [`code:${entry.code}`, `identity:${entry.identity}`]) {
      const earlier = seen.get(key);
      if (earlier !== undefined) throw lineProblem(line, { key: 'csvDuplicate', params: { earlier } });
      seen.set(key, line);
    }
    return entry;
  });
}

export class ExpertPool {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Adds the new experts and updates the known ones (by pool number), all in one transaction. */
  async importCsv(text: string, audit: Audit, now: Date): Promise<ExpertImportResult> {
    const entries = parseExpertsCsv(text);
    return this.#db.transaction(async (tx) => {
      const known = entries.length
        ? await tx
            .select({ code: experts.code })
            .from(experts)
            .where(
              inArray(
                experts.code,
                entries.map((e) => e.code),
              ),
            )
        : [];
      const knownCodes = new Set(known.map((k) => k.code));
      // An ID number is one expert's: a line giving another pool number's ID number is refused.
      const holders = entries.length
        ? await tx
            .select({ code: experts.code, identity: experts.identity })
            .from(experts)
            .where(
              inArray(
                experts.identity,
                entries.map((e) => e.identity),
              ),
            )
        : [];
      for (const [index, entry] of entries.entries()) {
        const holder = holders.find((h) => h.identity === entry.identity && h.code !== entry.code);
        if (holder) throw lineProblem(index + 2, { key: 'identityInPool', params: { code: holder.code } });
      }
      // A province's pool is tens of thousands of lines: written a few hundred rows per statement.
      const rows = entries.map((entry) => ({
        ...entry,
        suspendedUntil: entry.suspendedUntil ? new Date(`${entry.suspendedUntil}T23:59:59+08:00`) : null,
        updatedAt: now,
      }));
      const updatable = [
        'name',
        'identity',
        'specialties',
        'region',
        'employerName',
        'employerCreditCode',
        'relations',
        'status',
        'suspendedUntil',
        'updatedAt',
      ] as const;
      for (let at = 0; at < rows.length; at += 500)
        await tx
          .insert(experts)
          .values(rows.slice(at, at + 500))
          .onConflictDoUpdate({
            target: experts.code,
            set: Object.fromEntries(
              updatable.map((column) => [column, sql.raw(`excluded.${experts[column].name}`)]),
            ),
          });
      const updated = entries.filter((e) => knownCodes.has(e.code)).length;
      const result = { added: entries.length - updated, updated };
      await appendInTx(tx, [{ ...audit, action: 'expert.import', outcome: 'ok', detail: result }]);
      return result;
    });
  }

  /** The pool, each entry with whether its expert's account (certificate) is registered. */
  async list(): Promise<PoolExpert[]> {
    const rows = await this.#db.select().from(experts).orderBy(asc(experts.code));
    const accounts = new Set(
      (
        await this.#db.select({ identity: actors.identity }).from(actors).where(eq(actors.role, 'expert'))
      ).map((a) => a.identity),
    );
    return rows.map((r) => ({ account: accounts.has(r.identity), ...entryOf(r) }));
  }

  async addSeat(
    request: SeatRequest,
    audit: Audit & { actorId?: string | null },
    now: Date,
  ): Promise<SeatView> {
    if (!parseCidr(request.cidr))
      throw new AppError('VALIDATION_FAILED', {
        key: 'notANetwork',
        params: { cidr: request.cidr, field: '/cidr' },
      });
    return this.#db.transaction(async (tx) => {
      const inserted = await tx
        .insert(seats)
        .values({ ...request, addedBy: audit.actorId ?? null, addedAt: now })
        .onConflictDoNothing()
        .returning({ id: seats.id });
      const row = inserted[0];
      if (!row)
        throw new AppError('SEAT_EXISTS', {
          key: 'seatTaken',
          params: { centre: request.centre, room: request.room, seat: request.seat },
        });
      await appendInTx(tx, [
        { ...audit, action: 'seat.add', outcome: 'ok', target: row.id, detail: { ...request } },
      ]);
      return { id: row.id, ...request };
    });
  }

  async seats(): Promise<SeatView[]> {
    const rows = await this.#db
      .select()
      .from(seats)
      .orderBy(asc(seats.centre), asc(seats.room), asc(seats.seat));
    return rows.map((r) => ({
      id: r.id,
      centre: r.centre,
      city: r.city,
      room: r.room,
      seat: r.seat,
      cidr: r.cidr,
    }));
  }
}
