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
import type { Database, Executor, Transaction } from '../db/client.ts';
import { hallEvents, type Tender, tenders } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { nextTimedStep } from './state-machine.ts';

export interface Actor {
  readonly actorId: string | null;
  readonly role: string | null;
  readonly ip: string | null;
  readonly name?: string;
  readonly identity?: string;
}

/** The system itself (the scheduler), as an actor in the audit log. */
export const systemActor: Actor = { actorId: null, role: 'system', ip: null, name: 'system' };

export interface HallContext {
  readonly db: Database;
  readonly clock: Clock;
  /** Broadcasts committed events to the tender's room (all server processes). */
  publish(events: readonly HallEvent[]): void;
  /** Tells the scheduler that a tender's next check may have moved. */
  poke(): void;
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
}

export async function appendHallEvent<T extends HallEventType>(
  tx: Executor,
  tenderId: string,
  type: T,
  data: HallEventData[T],
  at: Date,
): Promise<HallEventOf<T>> {
  const [row] = await tx
    .update(tenders)
    .set({ hallSeq: sql`${tenders.hallSeq} + 1` })
    .where(eq(tenders.id, tenderId))
    .returning({ seq: tenders.hallSeq });
  const seq = row!.seq;
  await tx.insert(hallEvents).values({ tenderId, seq, at, type, data });
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
    const scope: StepScope = { tx, tender, now, emit, detail, nothingDone: false };
    const value = await step(scope);
    const [updated] = await tx.select().from(tenders).where(eq(tenders.id, tenderId));
    const next = nextTimedStep(updated!);
    const nextCheckAt = next?.at ?? null;
    if ((updated!.nextCheckAt?.getTime() ?? null) !== (nextCheckAt?.getTime() ?? null)) {
      await tx.update(tenders).set({ nextCheckAt }).where(eq(tenders.id, tenderId));
    }
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
  context.poke();
  return result;
}
