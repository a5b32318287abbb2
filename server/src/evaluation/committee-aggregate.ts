/**
 * The committee as the step kernel's aggregate (steps/step.ts): its row, its event table, and when its
 * next timed step is due (state-machine.ts). Every committee step — the committee's, the review's, the
 * clarifications' — runs on it.
 */
import type { CommitteeEvent } from '@bidhall/shared';
import { type Committee, committeeEvents, committees } from '../db/schema/index.ts';
import type { Aggregate } from '../steps/step.ts';
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
