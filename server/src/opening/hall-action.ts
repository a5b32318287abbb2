/**
 * The opening's binding of the step kernel (steps/): a tender is the aggregate, `tenders.hall_seq` its
 * event sequence, `hall_events` its event table, and state-machine.ts says when its next timed step is
 * due. Every hall step runs through `hallAction`: one audited transaction on the locked tender row, its
 * events broadcast after the commit.
 */
import type { AuditAction, HallEvent, HallEventData } from '@bidhall/shared';
import type { Executor } from '../db/client.ts';
import { hallEvents, type Tender, tenders } from '../db/schema/index.ts';
import {
  type Actor,
  type Aggregate,
  eventsAfter as eventsOfAggregate,
  type StepScope as KernelScope,
  runStep,
  type StepContext,
} from '../steps/step.ts';
import { nextTimedStep } from './state-machine.ts';

export { type Actor, systemActor } from '../steps/step.ts';

export const tenderAggregate: Aggregate<Tender, HallEvent> = {
  name: 'tender',
  table: tenders,
  id: tenders.id,
  nextCheckAt: tenders.nextCheckAt,
  lastSeq: tenders.hallSeq,
  events: {
    table: hallEvents,
    aggregateId: hallEvents.tenderId,
    seq: hallEvents.seq,
    at: hallEvents.at,
    type: hallEvents.type,
    data: hallEvents.data,
  },
  notFound: 'TENDER_NOT_FOUND',
  nextCheck: (tender) => nextTimedStep(tender)?.at ?? null,
  auditScope: (tender) => ({ tenderId: tender.id }),
  toEvent: ({ aggregateId, seq, at, type, data }) =>
    ({ tenderId: aggregateId, seq, at, type, data }) as HallEvent,
};

export type HallContext = StepContext<HallEvent>;

/** A hall step's scope: the kernel's, with the locked row named for what it is. */
export interface StepScope extends KernelScope<Tender, HallEventData> {
  readonly tender: Tender;
  updateTender(changes: Partial<Tender>): Promise<void>;
}

/**
 * Runs one hall step for `tenderId` as `actor`, audited as `action`. Throws TENDER_NOT_FOUND for an
 * unknown tender; whatever `step` throws rolls everything back.
 */
export function hallAction<T>(
  context: HallContext,
  tenderId: string,
  actor: Actor,
  action: AuditAction,
  step: (scope: StepScope) => Promise<T>,
  /** skipIfLocked: return at once (resolving undefined) when another process holds the tender. */
  options: { skipIfLocked?: boolean } = {},
): Promise<T> {
  return runStep<Tender, HallEventData, HallEvent, T>(
    tenderAggregate,
    context,
    tenderId,
    actor,
    action,
    // The same object, so that `nothingDone` set by the step reaches the kernel.
    (scope) => step(Object.assign(scope, { tender: scope.row, updateTender: scope.update })),
    options,
  );
}

export function eventsAfter(db: Executor, tenderId: string, afterSeq: number): Promise<HallEvent[]> {
  return eventsOfAggregate(db, tenderAggregate, tenderId, afterSeq);
}
