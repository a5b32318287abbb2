/**
 * The evaluation module's own tables: the expert pool (专家库) and the seat catalogue (评标席位) that
 * committees are drawn from and sit at (docs/evaluation.md). The evaluation rooms of today's video module
 * are still in media.ts.
 */
import { expertStatuses } from '@bidhall/shared/enums';
import { index, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { actors } from './actors.ts';
import { instant } from './columns.ts';
import { tenders } from './tenders.ts';

export const expertStatusEnum = pgEnum('expert_status', expertStatuses);

/**
 * One expert of the pool. Only what a draw and its exclusions (回避) need is kept (发改办法规〔2025〕807号:
 * minimal use of expert data): the pool's own number, the name, the specialty codes, the region, the
 * employer with its unified social credit code, the credit codes of declared relations, and the status.
 * `identity` is the certificate subject's ID number: the expert's account (an `expert` actor registered
 * by certificate) is bound to the pool entry through it.
 */
export const experts = pgTable(
  'experts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The pool's number for the expert (专家编号), unique: imports update by it. */
    code: text('code').notNull(),
    name: text('name').notNull(),
    identity: text('identity').notNull(),
    specialties: jsonb('specialties').$type<string[]>().notNull(),
    region: text('region').notNull(),
    employerName: text('employer_name').notNull(),
    employerCreditCode: text('employer_credit_code').notNull(),
    /** Unified social credit codes of organisations the expert declared a relation with. */
    relations: jsonb('relations').$type<string[]>().notNull(),
    status: expertStatusEnum('status').notNull(),
    /** For a suspended expert: until when (null: until lifted). */
    suspendedUntil: instant('suspended_until'),
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [uniqueIndex('experts_code').on(t.code), uniqueIndex('experts_identity').on(t.identity)],
);

export type Expert = typeof experts.$inferSelect;

/** An expert's past service (for the "served this tenderee N times in M months" exclusion). */
export const expertServices = pgTable(
  'expert_services',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    expertId: uuid('expert_id')
      .notNull()
      .references(() => experts.id),
    /** The tenderee served, by its unified social credit code. */
    tendereeCreditCode: text('tenderee_credit_code').notNull(),
    tenderId: uuid('tender_id').references(() => tenders.id),
    servedAt: instant('served_at').notNull(),
  },
  (t) => [index('expert_services_expert').on(t.expertId, t.servedAt)],
);

/**
 * The seat catalogue: trading centre → room → seat, each with the network an expert at it joins from
 * (`cidr`). `deviceCertificate` is kept for a seat device certificate later.
 */
export const seats = pgTable(
  'seats',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    centre: text('centre').notNull(),
    /** The centre's city (pinyin, as venues name it), for main and sub venues. */
    city: text('city').notNull(),
    room: text('room').notNull(),
    seat: text('seat').notNull(),
    cidr: text('cidr').notNull(),
    deviceCertificate: text('device_certificate'),
    addedBy: uuid('added_by').references(() => actors.id),
    addedAt: instant('added_at').notNull(),
  },
  (t) => [uniqueIndex('seats_place').on(t.centre, t.room, t.seat)],
);

export type Seat = typeof seats.$inferSelect;
