import type { HallEventType } from '@bidhall/shared';
import type { Role } from '@bidhall/shared/enums';
import { bigint, integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { actors } from './actors.ts';
import { bids } from './bids.ts';
import { bytea, instant } from './columns.ts';
import { tenders } from './tenders.ts';

/**
 * A decryption self-test's challenge (解密自检): the SHA-256 of the secret sealed to the bid's encryption
 * certificate, until answered once or expired. In the database, not a process's memory: the challenge
 * may be asked of one server process and answered through another.
 */
export const selfTestChallenges = pgTable('self_test_challenges', {
  id: uuid('id').primaryKey(),
  bidId: uuid('bid_id')
    .notNull()
    .references(() => bids.id),
  secretSha256: text('secret_sha256').notNull(),
  expiresAt: instant('expires_at').notNull(),
});

/**
 * A custodian remedy in progress (补救): which server process holds the remedy's private key (in its
 * memory only, never here) and the public key shares are sealed to, kept alive by the holder's lease.
 * A holder gone (its lease run out) takes its key with it: the shares sealed to it are useless, and
 * the next share submitted starts a new session on the process that receives it.
 */
export const remedySessions = pgTable('remedy_sessions', {
  tenderId: uuid('tender_id')
    .primaryKey()
    .references(() => tenders.id),
  holder: text('holder').notNull(),
  /** The X25519 public key (SPKI PEM) this session's shares are sealed to. */
  publicKey: text('public_key').notNull(),
  quorum: integer('quorum').notNull(),
  leaseUntil: instant('lease_until').notNull(),
});

/**
 * The shares custodians submitted, each sealed to its session's public key: no row, nor all of them
 * together, opens anything without the holder's private key, so k shares never rest whole.
 */
export const remedyShares = pgTable(
  'remedy_shares',
  {
    tenderId: uuid('tender_id')
      .notNull()
      .references(() => tenders.id),
    custodianId: uuid('custodian_id')
      .notNull()
      .references(() => actors.id),
    shareIndex: integer('share_index').notNull(),
    /** SHA-256 of the session public key the share is sealed to (a share of a replaced session is dead). */
    keySha256: text('key_sha256').notNull(),
    sealed: bytea('sealed').notNull(),
    at: instant('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.custodianId] })],
);

/** Every broadcast of a hall, in order: what a reconnecting client catches up from. */
export const hallEvents = pgTable(
  'hall_events',
  {
    tenderId: uuid('tender_id')
      .notNull()
      .references(() => tenders.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    at: instant('at').notNull(),
    type: text('type').$type<HallEventType>().notNull(),
    data: jsonb('data').$type<unknown>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.seq] })],
);

export const checkIns = pgTable(
  'check_ins',
  {
    tenderId: uuid('tender_id')
      .notNull()
      .references(() => tenders.id),
    bidderId: uuid('bidder_id')
      .notNull()
      .references(() => actors.id),
    at: instant('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.bidderId] })],
);

/**
 * Platform faults during an opening: they shift the blame for undecrypted bids (电子招标投标办法 Art 31).
 * `staff`: an outage one of host and supervisor recorded and the other confirmed (hall_proposals);
 * `system`: a fault the platform itself met while opening a bid (I/O, a stale CRL…), recorded at once.
 * `bidIds`: the bids it affects; null (rows from before the list existed) means every bid of the tender.
 */
export const outages = pgTable('outages', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenderId: uuid('tender_id')
    .notNull()
    .references(() => tenders.id),
  from: instant('from').notNull(),
  to: instant('to').notNull(),
  reason: text('reason').notNull(),
  source: text('source').$type<'staff' | 'system'>().notNull().default('staff'),
  bidIds: jsonb('bid_ids').$type<string[]>(),
  recordedBy: uuid('recorded_by').references(() => actors.id),
  recordedAt: instant('recorded_at').notNull(),
  confirmedBy: uuid('confirmed_by').references(() => actors.id),
});

/**
 * Steps that take two people (四眼原则): one of host and supervisor proposes, the other confirms or
 * rejects, with reasons. An outage shifts blame for bids onto the platform; a settlement ends what cannot
 * move (bids that can no longer be opened count as withdrawn through the platform's fault).
 */
export const hallProposals = pgTable('hall_proposals', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenderId: uuid('tender_id')
    .notNull()
    .references(() => tenders.id),
  kind: text('kind').$type<'outage' | 'settlement'>().notNull(),
  detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
  reason: text('reason').notNull(),
  proposedBy: uuid('proposed_by')
    .notNull()
    .references(() => actors.id),
  proposedRole: text('proposed_role').$type<Role>().notNull(),
  proposedAt: instant('proposed_at').notNull(),
  decision: text('decision').$type<'confirmed' | 'rejected'>(),
  decidedBy: uuid('decided_by').references(() => actors.id),
  decidedRole: text('decided_role'),
  decidedAt: instant('decided_at'),
  decisionReason: text('decision_reason'),
});

export const recordSignatures = pgTable(
  'record_signatures',
  {
    tenderId: uuid('tender_id')
      .notNull()
      .references(() => tenders.id),
    /** A bidder, the host or a supervisor (the column kept its first name, from when only bidders signed). */
    signerId: uuid('bidder_id')
      .notNull()
      .references(() => actors.id),
    /** CMS SignedData (DER), detached, over the record text. */
    signature: bytea('signature').notNull(),
    at: instant('at').notNull(),
    /** The objections still unanswered when a bidder chose to sign anyway (their ids), else null. */
    openObjections: jsonb('open_objections').$type<string[]>(),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.signerId] })],
);

/** Objections raised at the opening and the host's answers, given on the spot (实施条例 Art 44). */
export const objections = pgTable('objections', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenderId: uuid('tender_id')
    .notNull()
    .references(() => tenders.id),
  bidderId: uuid('bidder_id')
    .notNull()
    .references(() => actors.id),
  text: text('text').notNull(),
  at: instant('at').notNull(),
  answer: text('answer'),
  answeredBy: uuid('answered_by').references(() => actors.id),
  answeredAt: instant('answered_at'),
});
