/**
 * The opening's rules as data: named sets of tender statuses in which each kind of step may happen, and
 * named sets of bid statuses, each written once and read by the server's guards
 * (server/src/opening/state-machine.ts, bid-states.ts) and by the pages, so that a button is shown
 * exactly when the server would accept its request.
 */
import type { OpeningStatus, TenderStatus } from './enums.ts';

export const openingGuards = {
  /**
   * Before the bids are opened: the tender accepts bids, and who has bid — even how many — is known to
   * nobody but each bidder itself (电子招标投标办法 Art 25/30; most centres' rules keep the count sealed too).
   */
  bidding: ['scheduled', 'check-in'],
  /**
   * Who has bid is known to nobody but each bidder itself: before the opening, and for good when the
   * tender is cancelled before it (its bids stay sealed and are released to nobody).
   */
  sealed: ['scheduled', 'check-in', 'cancelled'],
  /** The hall is live: check-in to the signed record (media tickets for bidders). */
  live: ['check-in', 'opened', 'decrypting', 'announced', 'confirming'],
  /**
   * The opening must be recorded (财政部87号令 Art 39): from the moment the bids open to the signed record;
   * the host's console publishes by itself and an unrecorded hall is an alarm.
   */
  recorded: ['opened', 'decrypting', 'announced', 'confirming'],
  /** A bidder may check in. */
  checkIn: ['check-in', 'opened', 'decrypting'],
  /** The bids are opened and the host decides: start decrypting, or confirm a failed opening (流标). */
  deciding: ['opened'],
  /** The decryption window and what happens in it: keys, pauses, the remedy, the reading of bids. */
  decrypting: ['decrypting'],
  /** Draw seeds may be revealed and outages recorded (until the window ends, checked apart). */
  beforeReading: ['opened', 'decrypting'],
  /** The bids have been read: the record may be generated. */
  announced: ['announced'],
  /** The record is out for signatures; the host closes once objections are answered. */
  confirming: ['confirming'],
  /** Bidders may object and the host answers. */
  objections: ['opened', 'decrypting', 'announced', 'confirming'],
  /** The summary table has been read out. */
  bidsRead: ['announced', 'confirming', 'closed'],
  /** Staff (host, supervisors) may sign the record: from when it is out, also once the opening ended. */
  staffSigning: ['confirming', 'closed', 'failed'],
  /** The record has been produced: its bundle (record, signatures, objections) can be exported. */
  recordOut: ['confirming', 'closed', 'failed'],
  /** The opening is over, one way or the other: nothing more happens in its hall. */
  ended: ['closed', 'failed', 'cancelled'],
  /** Every bid's outcome is fixed: a late documents job changes nothing. */
  outcomesFixed: ['announced', 'confirming', 'closed', 'failed'],
} as const satisfies Record<string, readonly TenderStatus[]>;

export type OpeningGuard = keyof typeof openingGuards;

/** Whether a tender in `status` passes `guard`. */
export function allowedIn(guard: OpeningGuard, status: TenderStatus): boolean {
  return (openingGuards[guard] as readonly TenderStatus[]).includes(status);
}

/** True while the bidders of a tender are sealed (see `openingGuards.sealed`). */
export function biddersSealed(status: TenderStatus): boolean {
  return allowedIn('sealed', status);
}

/** Named sets of a bid's opening statuses (the machine itself: server/src/opening/bid-states.ts). */
export const bidGroups = {
  /** Still waiting for a key from its bidder (or, after the window, classified at its end). */
  awaitingKeys: ['sealed', 'summary-decrypted'],
  /** Its summary is read: it has a row in the summary table. */
  summaryRead: ['summary-decrypted', 'decrypted'],
  /** Outcomes a bid keeps for good once reached: the reading of bids waits until every bid has one. */
  final: ['decrypted', 'revoked', 'withdrawn-platform', 'invalid'],
  /** Out of the opening: nothing more is decrypted for it. */
  out: ['invalid', 'revoked', 'withdrawn-platform'],
} as const satisfies Record<string, readonly OpeningStatus[]>;

export type BidGroup = keyof typeof bidGroups;

export function bidIn(group: BidGroup, status: OpeningStatus): boolean {
  return (bidGroups[group] as readonly OpeningStatus[]).includes(status);
}
