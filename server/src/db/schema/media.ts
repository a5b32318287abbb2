/** Evaluations with their venues and experts, the recorded media segments and whether each venue is recorded now. */
import { bigint, boolean, index, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { actors } from './actors.ts';
import { instant } from './columns.ts';
import { tenders } from './tenders.ts';

export const evaluations = pgTable('evaluations', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenderId: uuid('tender_id').references(() => tenders.id),
  title: text('title').notNull(),
  mainCity: text('main_city').notNull(),
  createdBy: uuid('created_by')
    .notNull()
    .references(() => actors.id),
  createdAt: instant('created_at').notNull().defaultNow(),
});

/** Every venue of an evaluation by city; the main one is named on the evaluation. */
export const evaluationVenues = pgTable(
  'evaluation_venues',
  {
    evaluationId: uuid('evaluation_id')
      .notNull()
      .references(() => evaluations.id),
    city: text('city').notNull(),
    /** CIDR networks of the venue's registered seats; empty: any address. */
    seatNetworks: jsonb('seat_networks').$type<string[]>().notNull().default([]),
  },
  (t) => [primaryKey({ columns: [t.evaluationId, t.city] })],
);

/** Which expert sits in which venue: an expert may join only that venue. */
export const evaluationExperts = pgTable(
  'evaluation_experts',
  {
    evaluationId: uuid('evaluation_id')
      .notNull()
      .references(() => evaluations.id),
    expertId: uuid('expert_id')
      .notNull()
      .references(() => actors.id),
    city: text('city').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.evaluationId, t.expertId] }),
    index('evaluation_experts_expert').on(t.expertId),
  ],
);

/**
 * A finished recording segment (one participant's audio and video in one venue over a span of time). The
 * WebM lives in the recordings store under its SHA-256; the same hash is in the audit entry `auditSeq`,
 * which is what playback checks the file against.
 */
export const recordingSegments = pgTable(
  'recording_segments',
  {
    id: uuid('id').primaryKey(),
    venue: text('venue').notNull(),
    /** `hall:<tender>` or `eval:<evaluation>`: what playback asks for. */
    room: text('room').notNull(),
    peerId: text('peer_id').notNull(),
    peerName: text('peer_name').notNull(),
    kinds: jsonb('kinds').$type<('audio' | 'video')[]>().notNull(),
    startedAt: instant('started_at').notNull(),
    endedAt: instant('ended_at').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    auditSeq: bigint('audit_seq', { mode: 'number' }).notNull(),
    /** The SFU that recorded it. */
    recordedBy: text('recorded_by').notNull(),
  },
  (t) => [index('recording_segments_room').on(t.room, t.startedAt)],
);

/**
 * Whether each venue is being recorded now, as its SFU last said (a segment runs in it, or none does):
 * the opening hall's state is shown to the host and the supervisors, who are alarmed when an opening
 * runs unrecorded (财政部87号令 Art 39: the opening is recorded in full).
 */
export const venueRecordings = pgTable('venue_recordings', {
  venue: text('venue').primaryKey(),
  recording: boolean('recording').notNull(),
  /** When it last changed. */
  since: instant('since').notNull(),
  recordedBy: text('recorded_by').notNull(),
});
