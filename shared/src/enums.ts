/**
 * Status and kind tuples: each is the single source for its TypeScript union, its database enum and its
 * schema. Kept free of imports so that tools loading the database schema (drizzle-kit) can read them.
 */

export const tenderStatuses = [
  'scheduled',
  'check-in',
  'opened',
  'failed',
  'decrypting',
  'announced',
  'confirming',
  'closed',
] as const;
export type TenderStatus = (typeof tenderStatuses)[number];

export const summaryFieldTypes = ['money', 'decimal', 'integer', 'text', 'percent', 'days'] as const;
export type SummaryFieldType = (typeof summaryFieldTypes)[number];

export const remedyPolicies = ['none', 'custodian-quorum'] as const;
export type RemedyPolicy = (typeof remedyPolicies)[number];

export const openingKeyAlgorithms = ['rsa-2048', 'rsa-3072', 'ec-p256'] as const;
export type OpeningKeyAlgorithm = (typeof openingKeyAlgorithms)[number];

/** Statuses of a bid row; the opening (issue 3) adds its outcomes. */
export const bidStatuses = ['submitted', 'replaced', 'withdrawn'] as const;
export type BidStatus = (typeof bidStatuses)[number];

export const receiptKinds = ['submission', 'replacement', 'withdrawal'] as const;
export type ReceiptKind = (typeof receiptKinds)[number];

/**
 * Where each bid stands in the opening (开标). `revoked`: not decrypted in the window through the bidder's
 * fault (撤销); `withdrawn-platform`: not decrypted because of a platform outage and no remedy (撤回);
 * `remedy-pending`: waiting for the custodians; `invalid`: decrypted, but its content fails the checks
 * (wrong signer, summary not bound to the documents): the bidder's fault.
 */
export const openingStatuses = [
  'sealed',
  'summary-decrypted',
  'decrypted',
  'revoked',
  'withdrawn-platform',
  'remedy-pending',
  'invalid',
] as const;
export type OpeningStatus = (typeof openingStatuses)[number];

/**
 * Statuses before the bids are opened: the tender accepts bids, and who has bid — even how many — is
 * known to nobody but each bidder itself (电子招标投标办法 Art 25/30; most centres' rules keep the count
 * sealed too). Server and pages read this one list.
 */
export const biddingStatuses = ['scheduled', 'check-in'] as const satisfies readonly TenderStatus[];

/** True while the bidders of a tender are sealed (see `biddingStatuses`). */
export function biddersSealed(status: TenderStatus): boolean {
  return (biddingStatuses as readonly TenderStatus[]).includes(status);
}

/** Outcomes a bid keeps for good once reached: the reading of bids waits until every bid has one. */
export const finalOpeningStatuses = [
  'decrypted',
  'revoked',
  'withdrawn-platform',
  'invalid',
] as const satisfies readonly OpeningStatus[];

/** Statuses in which an opening hall is live (check-in to the signed record). */
export const liveHallStatuses = [
  'check-in',
  'opened',
  'decrypting',
  'announced',
  'confirming',
] as const satisfies readonly TenderStatus[];
