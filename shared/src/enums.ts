/**
 * Status and kind tuples: each is the single source for its TypeScript union, its database enum and its
 * schema. Kept free of imports so that tools loading the database schema (drizzle-kit) can read them.
 */

/** Who a person is on the platform; what each role may do is in roles.ts. */
export const roles = ['bidder', 'host', 'supervisor', 'expert', 'custodian', 'tenderee', 'admin'] as const;
export type Role = (typeof roles)[number];

export const tenderStatuses = [
  'scheduled',
  'check-in',
  'opened',
  'failed',
  'decrypting',
  'announced',
  'confirming',
  'closed',
  'cancelled',
] as const;
export type TenderStatus = (typeof tenderStatuses)[number];

export const summaryFieldTypes = ['money', 'decimal', 'integer', 'text', 'percent', 'days'] as const;
export type SummaryFieldType = (typeof summaryFieldTypes)[number];

export const remedyPolicies = ['none', 'custodian-quorum'] as const;
export type RemedyPolicy = (typeof remedyPolicies)[number];

export const openingKeyAlgorithms = ['rsa-2048', 'rsa-3072', 'ec-p256'] as const;
export type OpeningKeyAlgorithm = (typeof openingKeyAlgorithms)[number];

/** Statuses of a bid row; the opening adds its outcomes (openingStatuses). */
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

/** An expert of the pool: drawn only when active; suspended (by an assessment, maybe until a date); retired. */
export const expertStatuses = ['active', 'suspended', 'retired'] as const;
export type ExpertStatus = (typeof expertStatuses)[number];

/**
 * Where an evaluation (评标) stands (docs/evaluation.md, server/src/evaluation/state-machine.ts): drawing
 * (specified, waiting for the supervisor's seed), formed (drawn), signing-in, declaring (pledge and
 * conflicts), electing (the leader), reviewing, reporting, signing, closed, published; suspended by a
 * fault, re-formed when a fault outlasts its limit.
 */
export const committeeStatuses = [
  'drawing',
  'formed',
  'signing-in',
  'declaring',
  'electing',
  'reviewing',
  'reporting',
  'signing',
  'closed',
  'published',
  'suspended',
  're-formed',
] as const;
export type CommitteeStatus = (typeof committeeStatuses)[number];

/** A committee place: a drawn expert (or reserve), or a tenderee's representative (业主评委, named). */
export const memberKinds = ['expert', 'representative'] as const;
export type MemberKind = (typeof memberKinds)[number];

/**
 * A member's standing: standby (a reserve not called), awaiting (must sign in by a time), signed-in,
 * declared (pledge signed, no conflict), absent (missed the sign-in), withdrawn (declared a conflict).
 */
export const memberStates = ['standby', 'awaiting', 'signed-in', 'declared', 'absent', 'withdrawn'] as const;
export type MemberState = (typeof memberStates)[number];
