import { bigint, index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { bytea, instant } from './columns.ts';

/**
 * The append-only, hash-chained audit log (docs/audit-log.md). UPDATE, DELETE and TRUNCATE are refused
 * by triggers (see the migration), so not even a bug in bidhall can rewrite history.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    at: instant('at').notNull(),
    actorId: text('actor_id'),
    role: text('role'),
    ip: text('ip'),
    action: text('action').notNull(),
    tenderId: uuid('tender_id'),
    target: text('target'),
    outcome: text('outcome').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull(),
    prevHash: bytea('prev_hash').notNull(),
    hash: bytea('hash').notNull(),
  },
  (t) => [index('audit_log_tender').on(t.tenderId, t.seq)],
);
