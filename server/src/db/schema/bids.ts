import type { ErrorDetail } from '@bidhall/shared';
import { bidStatuses, openingStatuses } from '@bidhall/shared/enums';
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { actors } from './actors.ts';
import { bytea, instant } from './columns.ts';
import { tenders } from './tenders.ts';

export const bidStatusEnum = pgEnum('bid_status', bidStatuses);
export const openingStatusEnum = pgEnum('opening_status', openingStatuses);

/**
 * One row per upload that was accepted. Replacing a bid marks the old row `replaced`; withdrawing marks
 * it `withdrawn`; rows are never deleted. The ciphertext lives in the blob store under its SHA-256.
 */
export const bids = pgTable(
  'bids',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenderId: uuid('tender_id')
      .notNull()
      .references(() => tenders.id),
    bidderId: uuid('bidder_id')
      .notNull()
      .references(() => actors.id),
    status: bidStatusEnum('status').notNull().default('submitted'),
    summarySha256: text('summary_sha256').notNull(),
    summarySize: bigint('summary_size', { mode: 'number' }).notNull(),
    documentsSha256: text('documents_sha256').notNull(),
    documentsSize: bigint('documents_size', { mode: 'number' }).notNull(),
    /** The manifest's exact bytes and the bidder's detached CMS signature over them. */
    manifest: bytea('manifest').notNull(),
    manifestSignature: bytea('manifest_signature').notNull(),
    encryptionCertificate: text('encryption_certificate').notNull(),
    drawCommitment: text('draw_commitment'),
    /** Server time at which the last byte of the upload arrived. */
    receivedAt: instant('received_at').notNull(),
    receipt: bytea('receipt').notNull(),
    replacesBidId: uuid('replaces_bid_id'),
    endedAt: instant('ended_at'),

    // The opening: each bid's decryption and what came of it.
    openingStatus: openingStatusEnum('opening_status').notNull().default('sealed'),
    openingReason: text('opening_reason'),
    /** The same reason for people, in both languages (shared errorDetails); null for older rows. */
    openingBecause: jsonb('opening_because').$type<ErrorDetail>(),
    /**
     * The host changed what the bid was sealed against (the summary fields) after it was received: the
     * bidder must seal and upload it again before the deadline; a bid still marked at the opening is
     * invalid (its summary would not fit the tender's fields).
     */
    resealNeeded: boolean('reseal_needed').notNull().default(false),
    /** Content keys, once submitted and proven (after the deadline a bid is meant to be opened). */
    summaryKey: bytea('summary_key'),
    documentsKey: bytea('documents_key'),
    decryptedBy: text('decrypted_by'),
    summaryFields: jsonb('summary_fields').$type<Record<string, string | number | boolean>>(),
    /** What the summary says the documents' plaintext hash is, and what it was on decryption. */
    summaryDocumentsSha256: text('summary_documents_sha256'),
    documentsPlainSha256: text('documents_plain_sha256'),
    /** A documents decryption job in progress holds this lease (several processes, restarts). */
    documentsLeaseUntil: instant('documents_lease_until'),
    drawSeed: text('draw_seed'),
  },
  (t) => [
    uniqueIndex('bids_one_submitted_per_bidder')
      .on(t.tenderId, t.bidderId)
      .where(sql`${t.status} = 'submitted'`),
    index('bids_tender').on(t.tenderId),
  ],
);

export type Bid = typeof bids.$inferSelect;
