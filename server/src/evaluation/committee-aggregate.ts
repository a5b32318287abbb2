/**
 * The committee as the step kernel's aggregate (steps/step.ts): its row, its event table, and when its
 * next timed step is due (state-machine.ts). Every committee step — the committee's, the review's, the
 * clarifications' — runs on it.
 */
import type { AuditAction, CommitteeEvent } from '@bidhall/shared';
import { type Committee, committeeEvents, committees } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { type Actor, type Aggregate, runStep, type StepContext, type StepScope } from '../steps/step.ts';
import { nextTimedStep } from './state-machine.ts';

export const committeeAggregate: Aggregate<Committee, CommitteeEvent> = {
  name: 'committee',
  table: committees,
  id: committees.id,
  nextCheckAt: committees.nextCheckAt,
  lastSeq: committees.lastSeq,
  events: {
    table: committeeEvents,
    aggregateId: committeeEvents.committeeId,
    seq: committeeEvents.seq,
    at: committeeEvents.at,
    type: committeeEvents.type,
    data: committeeEvents.data,
  },
  notFound: 'COMMITTEE_NOT_FOUND',
  nextCheck: (row) => nextTimedStep(row)?.at ?? null,
  auditScope: (row) => ({ tenderId: row.tenderId, target: `committee:${row.id}` }),
  toEvent: ({ aggregateId, seq, at, type, data }) => ({ committeeId: aggregateId, seq, at, type, data }),
};

/** What a committee step gets: the kernel's scope on the locked committee row. */
export type CommitteeScope = StepScope<Committee, Record<string, unknown>>;
export type CommitteeContext = StepContext<CommitteeEvent>;

/**
 * Runs one step on committee `committeeId` as `actor`, audited as `action` (steps/step.ts): every step of
 * the committee, the review, the clarifications, the report, publicity and the assessments comes here.
 */
export function committeeStep<T>(
  context: CommitteeContext,
  committeeId: string,
  actor: Actor,
  action: AuditAction,
  step: (scope: CommitteeScope) => Promise<T>,
  options: { skipIfLocked?: boolean } = {},
): Promise<T> {
  if (!/^[0-9a-f-]{36}$/i.test(committeeId)) throw new AppError('COMMITTEE_NOT_FOUND');
  return runStep<Committee, Record<string, unknown>, CommitteeEvent, T>(
    committeeAggregate,
    context,
    committeeId,
    actor,
    action,
    step,
    options,
  );
}
