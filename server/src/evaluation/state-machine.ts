/**
 * The evaluation's state machine (评标流程), in one place: the committee's statuses, the transitions its
 * steps may make (every status change goes through `requireTransition`), the statuses each action is
 * allowed in, and the time-driven steps. docs/evaluation.md draws the same diagram.
 *
 * ```
 *  drawing ──(supervisor's seed: draw)──▶ formed ──(sign-in opens)──▶ signing-in ──(all seated members in)──▶ declaring
 *                                                  deadline: the absent are replaced from the reserves ┘        │
 *                          a conflict withdraws the member, a reserve is called (signs in, declares) ───────────┤
 *                                                                                                                │ all declared
 *  reviewing ◀──(a round with one most-voted member, or the tenderee names the leader)── electing ◀──────────────┘
 *                 a tie: another round among the tied only
 *
 *  formed … reviewing ──(fault recorded)──▶ suspended ──(resumed)──▶ where it was (sign-in deadlines moved by the pause)
 *                                             └──(the fault outlasts its limit: 2 h before the review, 4 h during)──▶ re-formed
 *
 *  reviewing: qualification ─▶ compliance ─▶ detailed (comprehensive scoring only); each stage closes when
 *  every sitting member's sheet is in and no abnormal score is open ──(last stage: ranking)──▶ reporting
 *  the last closed stage reopened (leader asks, a supervisor approves) ──▶ reviewing at that stage
 *  a member replaced during the review (a supervisor records why) ──▶ its sheets void, a reserve called, the
 *  stages run again from the first as the replacement submits its sheets
 *
 *  reporting ──(leader: build the report)──▶ signing ──(all signed or dissented, or the window ends:
 *  the silent agree)──▶ closed
 *
 *  closed ──(host publishes the candidates, ≥ 3 days)──▶ published ──(publicity ends: the experts' names)
 * ```
 *
 * Time-driven steps are not timers: each committee stores `nextCheckAt` (when sign-in opens, the earliest
 * sign-in deadline of a member still awaited) and the one scheduler runs what is due under the row's
 * lock, so a step fires once across processes and restarts.
 */
import { type CommitteeStatus, committeeStatusWords, type ErrorDetail } from '@bidhall/shared';
import type { Committee } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';

/** Where a fault may suspend the evaluation (and where it resumes to). */
const suspendable = ['formed', 'signing-in', 'declaring', 'electing', 'reviewing'] as const;

export const transitions = {
  drawing: ['formed'],
  formed: ['signing-in', 'suspended'],
  'signing-in': ['declaring', 'suspended'],
  declaring: ['electing', 'suspended'],
  electing: ['reviewing', 'suspended'],
  reviewing: ['reporting', 'suspended'],
  reporting: ['reviewing', 'signing'],
  signing: ['closed'],
  closed: ['published'],
  published: [],
  suspended: [...suspendable, 're-formed'],
  're-formed': [],
} as const satisfies Record<CommitteeStatus, readonly CommitteeStatus[]>;

/** A status change the machine does not have is a bug in a step, never a user's doing. */
export function requireTransition(from: CommitteeStatus, to: CommitteeStatus): void {
  if (!(transitions[from] as readonly CommitteeStatus[]).includes(to))
    throw new AppError('INTERNAL', `no committee transition from ${from} to ${to}`);
}

/** Where each committee action may happen. */
export const allowedIn = {
  nameRepresentatives: ['drawing', 'formed', 'signing-in', 'declaring'],
  draw: ['drawing'],
  // A reserve called during the review signs in and declares then too.
  signIn: ['signing-in', 'declaring', 'reviewing'],
  declare: ['declaring', 'reviewing'],
  vote: ['electing'],
  nameLeader: ['electing'],
  readDocuments: ['declaring', 'electing', 'reviewing', 'reporting', 'signing'],
  recordFault: suspendable,
  setPlan: ['drawing', 'formed', 'signing-in', 'declaring', 'electing', 'reviewing'],
  review: ['reviewing'],
  reopen: ['reviewing', 'reporting'],
  clarify: ['reviewing'],
  replace: ['reviewing'],
  buildReport: ['reporting'],
  signReport: ['signing'],
  readReport: ['signing', 'closed', 'published'],
  publish: ['closed'],
  object: ['published'],
  assess: ['closed', 'published'],
  rate: ['published'],
  resume: ['suspended'],
} as const satisfies Record<string, readonly CommitteeStatus[]>;

/** "The evaluation is …", naming where it stands, in both languages. */
export function notNowDetail(status: CommitteeStatus): ErrorDetail {
  const words = committeeStatusWords[status];
  return { key: 'committeeNotNow', params: { status: words.zh, statusEn: words.en } };
}

/** Throws COMMITTEE_WRONG_STATE unless the committee is where `action` is allowed, naming where it is. */
export function requireStatus(committee: Pick<Committee, 'status'>, action: keyof typeof allowedIn): void {
  if ((allowedIn[action] as readonly CommitteeStatus[]).includes(committee.status)) return;
  throw new AppError('COMMITTEE_WRONG_STATE', notNowDetail(committee.status), {
    cause: `${action} refused while ${committee.status}`,
  });
}

export type TimedStep =
  | 'open-sign-in'
  | 'sign-in-deadline'
  | 're-form'
  | 'clarification-deadline'
  | 'end-signing'
  | 'end-publicity';

/** Statuses before the review starts, where the shorter fault limit applies. */
export const beforeReview: readonly CommitteeStatus[] = ['formed', 'signing-in', 'declaring', 'electing'];

/**
 * The committee's next time-driven step, or null: sign-in opening, a fault's limit, or the earliest of the
 * sign-in deadline of a member still awaited (kept on the row by the steps that change who is awaited)
 * and the deadline of an open clarification, or the end of the report's signing window.
 */
export function nextTimedStep(
  committee: Pick<
    Committee,
    | 'status'
    | 'signInOpensAt'
    | 'awaitedUntil'
    | 'faultLimitAt'
    | 'clarificationDue'
    | 'signingEndsAt'
    | 'publicityEndsAt'
    | 'publicityEndedAt'
  >,
): { step: TimedStep; at: Date } | null {
  if (committee.status === 'signing')
    return committee.signingEndsAt ? { step: 'end-signing', at: committee.signingEndsAt } : null;
  if (committee.status === 'published')
    return committee.publicityEndsAt && !committee.publicityEndedAt
      ? { step: 'end-publicity', at: committee.publicityEndsAt }
      : null;
  if (committee.status === 'suspended')
    return committee.faultLimitAt ? { step: 're-form', at: committee.faultLimitAt } : null;
  if (committee.status === 'formed') return { step: 'open-sign-in', at: committee.signInOpensAt };
  const due: { step: TimedStep; at: Date }[] = [];
  if ((allowedIn.signIn as readonly CommitteeStatus[]).includes(committee.status) && committee.awaitedUntil)
    due.push({ step: 'sign-in-deadline', at: committee.awaitedUntil });
  if (committee.status === 'reviewing' && committee.clarificationDue)
    due.push({ step: 'clarification-deadline', at: committee.clarificationDue });
  return due.sort((a, b) => a.at.getTime() - b.at.getTime())[0] ?? null;
}
