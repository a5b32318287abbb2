import type { SummaryField } from '@bidhall/shared';
import { openingKeyAlgorithms, remedyPolicies, tenderStatuses } from '@bidhall/shared/enums';
import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { actors } from './actors.ts';
import { bytea, instant } from './columns.ts';

export const tenderStatusEnum = pgEnum('tender_status', tenderStatuses);
export const remedyPolicyEnum = pgEnum('remedy_policy', remedyPolicies);
export const openingKeyAlgorithmEnum = pgEnum('opening_key_algorithm', openingKeyAlgorithms);

export const tenders = pgTable(
  'tenders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull().unique(),
    title: text('title').notNull(),
    status: tenderStatusEnum('status').notNull().default('scheduled'),
    deadline: instant('deadline').notNull(),
    decryptionWindowMinutes: integer('decryption_window_minutes').notNull(),
    summaryFields: jsonb('summary_fields').$type<SummaryField[]>().notNull(),
    minBidders: integer('min_bidders').notNull(),
    quorum: integer('quorum').notNull(),
    remedyPolicy: remedyPolicyEnum('remedy_policy').notNull(),
    openingKeyAlgorithm: openingKeyAlgorithmEnum('opening_key_algorithm').notNull(),
    /** PEM of the opening certificate. Its private key exists only as the custodians' sealed shares. */
    openingCertificate: text('opening_certificate').notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => actors.id),
    /** The agency (招标代理) running the tender: its hosts, and only they, drive the opening. */
    agency: text('agency'),
    /** The buyer (招标人 / 采购人), as the record names it. */
    tenderee: text('tenderee'),
    /** The lot (标段) when a project is tendered in several. */
    lot: text('lot'),
    /** The ceiling price (最高投标限价), a money amount as summary fields write it; null when none is set. */
    ceilingPrice: text('ceiling_price'),
    /** Where the opening takes place, in the record's words (网上开标 unless the host says otherwise). */
    venue: text('venue'),
    createdAt: instant('created_at').notNull().defaultNow(),

    // The opening. Times are the server's; `nextCheckAt` is the chronograph: the earliest moment
    // a time-driven step may be due (null when none is), read by the one scheduler.
    checkInOpensAt: instant('check_in_opens_at').notNull(),
    nextCheckAt: instant('next_check_at'),
    openedAt: instant('opened_at'),
    decryptionStartedAt: instant('decryption_started_at'),
    windowEndsAt: instant('window_ends_at'),
    /** Set while the decryption window is paused: the time it has left. */
    windowPausedRemainingMs: bigint('window_paused_remaining_ms', { mode: 'number' }),
    windowEndedAt: instant('window_ended_at'),
    announcedAt: instant('announced_at'),
    recordOpenedAt: instant('record_opened_at'),
    closedAt: instant('closed_at'),
    failureReason: text('failure_reason'),
    /** Why the host cancelled the tender before its deadline (its bids then stay sealed for good). */
    cancelReason: text('cancel_reason'),
    /** Sequence number of the last hall event. */
    hallSeq: bigint('hall_seq', { mode: 'number' }).notNull().default(0),
    /** The random draw (optional): options, the server's seed (secret until the draw) and its commitment. */
    drawOptions: jsonb('draw_options').$type<string[]>(),
    drawLabel: jsonb('draw_label').$type<{ zh: string; en: string }>(),
    serverSeed: text('server_seed'),
    serverSeedCommitment: text('server_seed_commitment'),
    drawResult: jsonb('draw_result').$type<{ index: number; value: string }>(),
    /** The opening record (canonical JSON) once generated, and its SHA-256. */
    recordText: text('record_text'),
    recordSha256: text('record_sha256'),
  },
  (t) => [index('tenders_next_check').on(t.nextCheckAt).where(sql`${t.nextCheckAt} IS NOT NULL`)],
);

export type Tender = typeof tenders.$inferSelect;

/** Shamir shares of a tender's opening key, each sealed (CMS EnvelopedData) to its custodian. */
export const tenderCustodians = pgTable(
  'tender_custodians',
  {
    tenderId: uuid('tender_id')
      .notNull()
      .references(() => tenders.id),
    custodianId: uuid('custodian_id')
      .notNull()
      .references(() => actors.id),
    shareIndex: integer('share_index').notNull(),
    sealedShare: bytea('sealed_share').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.custodianId] })],
);
