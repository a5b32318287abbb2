import type { HallEventType } from '@bidhall/shared';
import { bigint, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { actors } from './actors.ts';
import { bytea, instant } from './columns.ts';
import { tenders } from './tenders.ts';

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

/** Platform outages during a decryption window: they shift the blame for undecrypted bids (Art 31). */
export const outages = pgTable('outages', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenderId: uuid('tender_id')
    .notNull()
    .references(() => tenders.id),
  from: instant('from').notNull(),
  to: instant('to').notNull(),
  reason: text('reason').notNull(),
  recordedBy: uuid('recorded_by')
    .notNull()
    .references(() => actors.id),
  recordedAt: instant('recorded_at').notNull(),
});

export const recordSignatures = pgTable(
  'record_signatures',
  {
    tenderId: uuid('tender_id')
      .notNull()
      .references(() => tenders.id),
    bidderId: uuid('bidder_id')
      .notNull()
      .references(() => actors.id),
    /** CMS SignedData (DER), detached, over the record text. */
    signature: bytea('signature').notNull(),
    at: instant('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenderId, t.bidderId] })],
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
