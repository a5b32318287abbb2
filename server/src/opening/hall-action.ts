/**
 * How every hall step changes state: one transaction that locks the tender row, runs the step, appends
 * the hall events it produces (sequenced per tender) and its audit entry, recomputes the chronograph's
 * next check, and commits; the events are broadcast only after the commit, so a client never sees a step
 * that did not happen.
 */
import type { AuditDetailValue, HallEvent, HallEventData, HallEventOf, HallEventType } from '@bidhall/shared';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { appendInTx } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import { type Database, type Executor, rowsOf, type Transaction } from '../db/client.ts';
import { hallEvents, type Tender, tenders } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { nextTimedStep } from './state-machine.ts';

export interface Actor {
  readonly actorId: string | null;
  readonly role: string | null;
  readonly ip: string | null;
  readonly name?: string;
  readonly identity?: string;
  /** The actor's organisation (a host's agency). */
  readonly org?: string | null;
}

/** The system itself (the scheduler), as an actor in the audit log. */
export const systemActor: Actor = { actorId: null, role: 'system', ip: null, name: 'system' };

export interface HallContext {
  readonly db: Database;
  readonly clock: Clock;
  /** Broadcasts committed events to the tender's room (all server processes). */
  publish(events: readonly HallEvent[]): void;
  /**
   * Wakes the scheduler: `timing` when a tender's next check moved, `jobs` when documents wait to be
   * decrypted. Steps that change neither do not wake it (a broadcast should not cost a scheduler round).
   */
  poke(reason: 'timing' | 'jobs'): void;
}

export type Emit = <T extends HallEventType>(type: T, data: HallEventData[T]) => Promise<HallEventOf<T>>;

export interface StepScope {
  readonly tx: Transaction;
  /** The tender row, locked for the transaction. */
  readonly tender: Tender;
  readonly now: Date;
  readonly emit: Emit;
  /** Adds facts to this step's audit entry. */
  readonly detail: Record<string, AuditDetailValue>;
  /** Set when the step found nothing to do (a scheduler re-check): no audit entry is written. */
  nothingDone: boolean;
  /**
   * Changes the tender row, and with it the chronograph's next check, in one statement: every step
   * changes the tender through here, so the next check can never be stale.
   */
  updateTender(changes: Partial<Tender>): Promise<void>;
}

export async function appendHallEvent<T extends HallEventType>(
  tx: Executor,
  tenderId: string,
  type: T,
  data: HallEventData[T],
  at: Date,
): Promise<HallEventOf<T>> {
  // One round trip: take the next sequence number and store the event with it.
  const [row] = rowsOf<{ seq: string | number }>(
    await tx.execute(sql`
      WITH next AS (UPDATE tenders SET hall_seq = hall_seq + 1 WHERE id = ${tenderId} RETURNING hall_seq)
      INSERT INTO hall_events (tender_id, seq, at, type, data)
      SELECT ${tenderId}, hall_seq, ${at.toISOString()}::timestamptz, ${type}, ${JSON.stringify(data)}::jsonb FROM next
      RETURNING seq`),
  );
  const seq = Number(row!.seq);
  return { tenderId, seq, at: at.toISOString(), type, data };
}

export async function eventsAfter(db: Executor, tenderId: string, afterSeq: number): Promise<HallEvent[]> {
  const rows = await db
    .select()
    .from(hallEvents)
    .where(and(eq(hallEvents.tenderId, tenderId), gt(hallEvents.seq, afterSeq)))
    .orderBy(asc(hallEvents.seq));
  return rows.map((r) => ({
    tenderId,
    seq: r.seq,
    at: r.at.toISOString(),
    type: r.type,
    data: r.data as never,
  }));
}

/**
 * Runs one hall step for `tenderId` as `actor`, audited as `action`. Throws TENDER_NOT_FOUND for an
 * unknown tender; whatever `step` throws rolls everything back.
 */
export async function hallAction<T>(
  context: HallContext,
  tenderId: string,
  actor: Actor,
  action: string,
  step: (scope: StepScope) => Promise<T>,
  /** skipIfLocked: return at once (resolving undefined) when another process holds the tender. */
  options: { skipIfLocked?: boolean } = {},
): Promise<T> {
  const events: HallEvent[] = [];
  let rescheduled = false;
  const result = await context.db.transaction(async (tx) => {
    const query = tx.select().from(tenders).where(eq(tenders.id, tenderId));
    const [tender] = await (options.skipIfLocked
      ? query.for('update', { skipLocked: true })
      : query.for('update'));
    if (!tender) {
      if (options.skipIfLocked) return undefined as T;
      throw new AppError('TENDER_NOT_FOUND');
    }
    const now = context.clock.now();
    const detail: Record<string, AuditDetailValue> = {};
    const emit: Emit = async (type, data) => {
      const event = await appendHallEvent(tx, tenderId, type, data, now);
      events.push(event as HallEvent);
      return event;
    };
    let current: Tender = tender;
    const updateTender = async (changes: Partial<Tender>) => {
      const merged = { ...current, ...changes };
      const nextCheckAt = nextTimedStep(merged)?.at ?? null;
      const before = current.nextCheckAt?.getTime() ?? null;
      const after = nextCheckAt?.getTime() ?? null;
      // Only an earlier check needs the scheduler now; a later one is found when the old time comes.
      if (after !== null && (before === null || after < before)) rescheduled = true;
      current = { ...merged, nextCheckAt };
      if (Object.keys(changes).length === 0 && before === after) return;
      await tx
        .update(tenders)
        .set({ ...changes, nextCheckAt })
        .where(eq(tenders.id, tenderId));
    };
    const scope: StepScope = { tx, tender, now, emit, detail, nothingDone: false, updateTender };
    const value = await step(scope);
    if (!scope.nothingDone) {
      await appendInTx(tx, [
        {
          actorId: actor.actorId,
          role: actor.role,
          ip: actor.ip,
          action,
          tenderId,
          outcome: 'ok',
          detail,
          at: now,
        },
      ]);
    }
    return value;
  });
  context.publish(events);
  if (rescheduled) context.poke('timing');
  return result;
}
