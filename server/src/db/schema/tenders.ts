import type { SummaryField } from '@bidhall/shared';
import { openingKeyAlgorithms, remedyPolicies, tenderStatuses } from '@bidhall/shared/enums';
import { integer, jsonb, pgEnum, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { actors } from './actors.ts';
import { bytea, instant } from './columns.ts';

export const tenderStatusEnum = pgEnum('tender_status', tenderStatuses);
export const remedyPolicyEnum = pgEnum('remedy_policy', remedyPolicies);
export const openingKeyAlgorithmEnum = pgEnum('opening_key_algorithm', openingKeyAlgorithms);

export const tenders = pgTable('tenders', {
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
  createdAt: instant('created_at').notNull().defaultNow(),
});

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
