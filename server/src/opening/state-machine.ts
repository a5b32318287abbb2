/**
 * The opening's state machine (开标流程), in one place: statuses, the allowed transitions (enforced: every
 * status change goes through `requireTransition`), the guards each step checks (named status sets from
 * shared/src/opening-rules.ts, which the pages read too), and the time-driven steps. A bid's own
 * statuses are in bid-states.ts.
 *
 * ```
 *  scheduled ──(check-in time)──▶ check-in ──(deadline)──▶ opened ──(host: start, ≥ min bids)──▶ decrypting
 *                                  bids locked, bidder list ──┘  │                                  │ window: pause/resume/extend
 *                                  published                      └─(host confirms, < min bids)─▶ failed (流标)
 *                                                                                                   │ window end: classify
 *                                                                                                   │ (revoked / withdrawn /
 *                                                                                                   │  custodian remedy)
 *  closed ◀──(host, objections answered)── confirming ◀──(host: record)── announced ◀──(host: read bids)┘
 *
 *  scheduled, check-in ──(host cancels, with a reason)──▶ cancelled (bids stay sealed, for good)
 * ```
 *
 * Time-driven steps (check-in, the deadline, the end of the decryption window) are not timers: each
 * tender stores `nextCheckAt`, the earliest moment a step may be due, and the one scheduler
 * (steps/scheduler.ts) runs what is due under a row lock, so a step fires exactly once across processes and
 * restarts (Prozorro's chronograph).
 */
import { allowedIn, type OpeningGuard, type TenderStatus, tenderStatusWords } from '@bidhall/shared';
import type { Tender } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';

export const transitions = {
  scheduled: ['check-in', 'cancelled'],
  'check-in': ['opened', 'cancelled'],
  opened: ['failed', 'decrypting'],
  decrypting: ['announced'],
  announced: ['confirming'],
  confirming: ['closed'],
  failed: [],
  closed: [],
  cancelled: [],
} as const satisfies Record<TenderStatus, readonly TenderStatus[]>;

export function canTransition(from: TenderStatus, to: TenderStatus): boolean {
  return (transitions[from] as readonly TenderStatus[]).includes(to);
}

/** A status change the machine does not have is a bug in a step, never a user's doing. */
export function requireTransition(from: TenderStatus, to: TenderStatus): void {
  if (!canTransition(from, to)) throw new AppError('INTERNAL', `no transition from ${from} to ${to}`);
}

/**
 * Throws HALL_WRONG_STATE unless the tender passes `guard`; the refusal names the opening's stage in
 * both languages (`action` names the step for the logs).
 */
export function requireStatus(tender: Pick<Tender, 'status'>, guard: OpeningGuard, action: string): void {
  if (!allowedIn(guard, tender.status)) {
    throw new AppError(
      'HALL_WRONG_STATE',
      {
        key: 'notNow',
        params: {
          status: tenderStatusWords[tender.status].zh,
          statusEn: tenderStatusWords[tender.status].en.toLowerCase(),
        },
      },
      { cause: `${action} refused while ${tender.status}` },
    );
  }
}

/**
 * Uploads that completed before the deadline still need a moment to be verified and committed; the bids
 * are locked this long after the deadline. The deadline rule itself is unchanged (receivedAt < deadline).
 */
export const lockGraceMs = 5_000;

export type TimedStep = 'open-check-in' | 'open-bids' | 'end-window';

type Timing = Pick<
  Tender,
  'status' | 'checkInOpensAt' | 'deadline' | 'windowEndsAt' | 'windowPausedRemainingMs' | 'windowEndedAt'
>;

/** The next time-driven step of a tender and when it is due, or null when none is scheduled. */
export function nextTimedStep(tender: Timing): { step: TimedStep; at: Date } | null {
  switch (tender.status) {
    case 'scheduled':
      return { step: 'open-check-in', at: tender.checkInOpensAt };
    case 'check-in':
      return { step: 'open-bids', at: new Date(tender.deadline.getTime() + lockGraceMs) };
    case 'decrypting':
      if (tender.windowEndedAt || tender.windowPausedRemainingMs !== null || !tender.windowEndsAt)
        return null;
      return { step: 'end-window', at: tender.windowEndsAt };
    default:
      return null;
  }
}

/** The step due at `now`, if any (a tender whose check-in time passed while it was down catches up). */
export function dueStep(tender: Timing, now: Date): TimedStep | null {
  const next = nextTimedStep(tender);
  return next && next.at.getTime() <= now.getTime() ? next.step : null;
}
