/**
 * A bid's own state machine in the opening (its `openingStatus`), beside the tender's
 * (state-machine.ts). Named groups of these statuses are in shared/src/opening-rules.ts.
 *
 * ```
 *            summary key ──▶ summary-decrypted ──(documents decrypted, bound)──▶ decrypted
 *   sealed ──┤                     │   └──(documents not the ones the summary names)──▶ invalid
 *            └─(summary unreadable, wrong signer)──────────────────────────────────▶ invalid
 *
 *   sealed / summary-decrypted, keys missing at the window's end (Art 31):
 *     bidder's fault ──▶ revoked
 *     platform's fault ──▶ withdrawn-platform (no remedy)  or  remedy-pending (custodian remedy)
 *   remedy-pending ──(custodians' key)──▶ summary-decrypted / decrypted / invalid
 *   not final after the window, settled by host and supervisor ──▶ withdrawn-platform
 * ```
 *
 * Every write of a bid's status goes through `bidChange`, so a step cannot move a bid along an arrow
 * that is not drawn here.
 */
import { bidIn, type OpeningStatus } from '@bidhall/shared';
import type { Bid } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';

export const bidTransitions = {
  sealed: ['summary-decrypted', 'decrypted', 'invalid', 'revoked', 'withdrawn-platform', 'remedy-pending'],
  'summary-decrypted': ['decrypted', 'invalid', 'revoked', 'withdrawn-platform', 'remedy-pending'],
  'remedy-pending': ['summary-decrypted', 'decrypted', 'invalid', 'withdrawn-platform'],
  decrypted: [],
  invalid: [],
  revoked: [],
  'withdrawn-platform': [],
} as const satisfies Record<OpeningStatus, readonly OpeningStatus[]>;

/** `changes` to a bid, checked against the machine when they move its status. */
export function bidChange(bid: Pick<Bid, 'openingStatus'>, changes: Partial<Bid>): Partial<Bid> {
  const to = changes.openingStatus;
  if (to === undefined || to === bid.openingStatus) return changes;
  if (!(bidTransitions[bid.openingStatus] as readonly OpeningStatus[]).includes(to))
    throw new AppError('INTERNAL', `a bid cannot go from ${bid.openingStatus} to ${to}`);
  return changes;
}

/** Whether the bid has reached an outcome it keeps for good. */
export const isFinal = (status: OpeningStatus): boolean => bidIn('final', status);
