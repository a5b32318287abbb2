/**
 * The audited step, for any aggregate (a tender's opening, an evaluation…): one transaction that locks
 * the aggregate's row, runs the step (which re-checks the state it needs), appends the events it produces
 * (sequenced per aggregate in the aggregate's own event table) and its audit entry, recomputes the
 * chronograph's next check, and commits. The events are published only after the commit, so a client
 * never sees a step that did not happen, and a step that throws leaves no trace but its error.
 *
 * A module binds its aggregate once (`Aggregate`: table, columns, how the next check follows from a
 * row) and runs every state change through `runStep`; the scheduler (scheduler.ts) wakes what is due.
 */
import type { AuditAction, AuditDetailValue, ErrorCode, Role } from '@bidhall/shared';
import { and, asc, eq, getTableName, gt, sql } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { appendInTx } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import { type Database, type Executor, rowsOf, type Transaction } from '../db/client.ts';
import { AppError } from '../errors.ts';

/** Who performs a step, as the audit log records it. */
export interface Actor {
  readonly actorId: string | null;
  readonly role: Role | 'system' | null;
  readonly ip: string | null;
  readonly name?: string;
  readonly identity?: string;
  /** The actor's organisation (a host's agency). */
  readonly org?: string | null;
}

/** The system itself (the scheduler), as an actor in the audit log. */
export const systemActor: Actor = { actorId: null, role: 'system', ip: null, name: 'system' };

/** A sequenced event as stored and published: the aggregate's id, its sequence number, type and data. */
export interface StoredEvent {
  readonly aggregateId: string;
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly data: unknown;
}

/** What the kernel needs to know of an aggregate; `Row` is its table's row type. */
export interface Aggregate<Row extends { readonly nextCheckAt: Date | null }, Event> {
  /** For messages and logs ("tender", "evaluation"). */
  readonly name: string;
  readonly table: PgTable;
  readonly id: AnyPgColumn;
  /** The row's `nextCheckAt` column: the earliest moment a time-driven step may be due. */
  readonly nextCheckAt: AnyPgColumn;
  /** The row's column holding the sequence number of its last event. */
  readonly lastSeq: AnyPgColumn;
  /** The event table: one row per event, keyed by (aggregate id, seq). */
  readonly events: {
    readonly table: PgTable;
    readonly aggregateId: AnyPgColumn;
    readonly seq: AnyPgColumn;
    readonly at: AnyPgColumn;
    readonly type: AnyPgColumn;
    readonly data: AnyPgColumn;
  };
  /** The error for an unknown id. */
  readonly notFound: ErrorCode;
  /** When the next time-driven step of this row is due, or null when none is. */
  nextCheck(row: Row): Date | null;
  /** Where the audit entry of a step on this row files it. */
  auditScope(row: Row): { readonly tenderId: string | null; readonly target?: string | null };
  /** The published form of a stored event (the module's own wire type). */
  toEvent(stored: StoredEvent): Event;
}

/** What a step needs from the process that runs it. */
export interface StepContext<Event> {
  readonly db: Database;
  readonly clock: Clock;
  /** Broadcasts committed events (to all server processes). */
  publish(events: readonly Event[]): void;
  /**
   * Wakes the scheduler: `timing` when a next check moved earlier, `jobs` when background work waits.
   * Steps that change neither do not wake it (a broadcast should not cost a scheduler round).
   */
  poke(reason: 'timing' | 'jobs'): void;
}

export interface StepScope<Row, Data> {
  readonly tx: Transaction;
  /** The aggregate's row, locked for the transaction, as it was when the step began. */
  readonly row: Row;
  readonly now: Date;
  /** Appends an event; it is published once the step commits. */
  emit<T extends keyof Data & string>(type: T, data: Data[T]): Promise<void>;
  /** Adds facts to this step's audit entry. */
  readonly detail: Record<string, AuditDetailValue>;
  /** Set when the step found nothing to do (a scheduler re-check): no audit entry is written. */
  nothingDone: boolean;
  /**
   * Changes the row, and with it the next check, in one statement: every step changes its aggregate
   * through here, so the next check can never be stale.
   */
  update(changes: Partial<Row>): Promise<void>;
}

const ident = (column: AnyPgColumn) => sql.identifier(column.name);
const tableName = (table: PgTable) => sql.identifier(getTableName(table));

/** Appends one event with the aggregate's next sequence number, in one round trip. */
export async function appendEvent<Row extends { readonly nextCheckAt: Date | null }, Event>(
  tx: Executor,
  aggregate: Aggregate<Row, Event>,
  aggregateId: string,
  type: string,
  data: unknown,
  at: Date,
): Promise<Event> {
  const { events, lastSeq } = aggregate;
  const [row] = rowsOf<{ seq: string | number }>(
    await tx.execute(sql`
      WITH next AS (
        UPDATE ${tableName(aggregate.table)} SET ${ident(lastSeq)} = ${ident(lastSeq)} + 1
        WHERE ${ident(aggregate.id)} = ${aggregateId} RETURNING ${ident(lastSeq)} AS seq)
      INSERT INTO ${tableName(events.table)}
        (${ident(events.aggregateId)}, ${ident(events.seq)}, ${ident(events.at)}, ${ident(events.type)}, ${ident(events.data)})
      SELECT ${aggregateId}, seq, ${at.toISOString()}::timestamptz, ${type}, ${JSON.stringify(data)}::jsonb FROM next
      RETURNING ${ident(events.seq)} AS seq`),
  );
  if (!row) throw new AppError(aggregate.notFound);
  return aggregate.toEvent({ aggregateId, seq: Number(row.seq), at: at.toISOString(), type, data });
}

/** The events of an aggregate after `afterSeq`, in order: what a reconnecting client missed. */
export async function eventsAfter<Row extends { readonly nextCheckAt: Date | null }, Event>(
  db: Executor,
  aggregate: Aggregate<Row, Event>,
  aggregateId: string,
  afterSeq: number,
): Promise<Event[]> {
  const { events } = aggregate;
  const rows = (await db
    .select({ seq: events.seq, at: events.at, type: events.type, data: events.data })
    .from(events.table)
    .where(and(eq(events.aggregateId, aggregateId), gt(events.seq, afterSeq)))
    .orderBy(asc(events.seq))) as { seq: number; at: Date; type: string; data: unknown }[];
  return rows.map((r) =>
    aggregate.toEvent({
      aggregateId,
      seq: Number(r.seq),
      at: r.at.toISOString(),
      type: r.type,
      data: r.data,
    }),
  );
}

/**
 * Runs one step on the aggregate `id` as `actor`, audited as `action`. Throws the aggregate's
 * `notFound` error for an unknown id; whatever `step` throws rolls everything back.
 */
export async function runStep<Row extends { readonly nextCheckAt: Date | null }, Data, Event, T>(
  aggregate: Aggregate<Row, Event>,
  context: StepContext<Event>,
  id: string,
  actor: Actor,
  action: AuditAction,
  step: (scope: StepScope<Row, Data>) => Promise<T>,
  /** skipIfLocked: resolve undefined at once when another process holds the row (the scheduler). */
  options: { skipIfLocked?: boolean } = {},
): Promise<T> {
  const published: Event[] = [];
  let rescheduled = false;
  const result = await context.db.transaction(async (tx) => {
    const query = tx.select().from(aggregate.table).where(eq(aggregate.id, id));
    const [locked] = (await (options.skipIfLocked
      ? query.for('update', { skipLocked: true })
      : query.for('update'))) as Row[];
    if (!locked) {
      if (options.skipIfLocked) return undefined as T;
      throw new AppError(aggregate.notFound);
    }
    const now = context.clock.now();
    let current: Row = locked;
    const scope: StepScope<Row, Data> = {
      tx,
      row: locked,
      now,
      detail: {},
      nothingDone: false,
      emit: async (type, data) => {
        published.push(await appendEvent(tx, aggregate, id, type, data, now));
      },
      update: async (changes) => {
        const merged = { ...current, ...changes };
        const nextCheckAt = aggregate.nextCheck(merged);
        const before = current.nextCheckAt?.getTime() ?? null;
        const after = nextCheckAt?.getTime() ?? null;
        // Only an earlier check needs the scheduler now; a later one is found when the old time comes.
        if (after !== null && (before === null || after < before)) rescheduled = true;
        current = { ...merged, nextCheckAt };
        if (Object.keys(changes).length === 0 && before === after) return;
        await tx
          .update(aggregate.table)
          .set({ ...changes, nextCheckAt } as never)
          .where(eq(aggregate.id, id));
      },
    };
    const value = await step(scope);
    if (!scope.nothingDone) {
      const { tenderId, target } = aggregate.auditScope(locked);
      await appendInTx(tx, [
        {
          actorId: actor.actorId,
          role: actor.role,
          ip: actor.ip,
          action,
          tenderId,
          target: target ?? null,
          outcome: 'ok',
          detail: scope.detail,
          at: now,
        },
      ]);
    }
    return value;
  });
  context.publish(published);
  if (rescheduled) context.poke('timing');
  return result;
}
