import { bigint, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './columns.ts';

/**
 * The append-only, hash-chained audit log (docs/audit-log.md). `entry` is the record itself, in canonical
 * JSON, exactly the text the hash covers. `tender_id` repeats one of its fields so that a tender's trail
 * can be read through an index; the verifier checks it against the text. Everything else is read from the
 * text itself (`entry::jsonb ->> 'outcome'`). UPDATE, DELETE and TRUNCATE are refused by triggers (see the
 * migration), so not even a bug in bidhall can rewrite history.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    entry: text('entry').notNull(),
    tenderId: uuid('tender_id'),
    prevHash: bytea('prev_hash').notNull(),
    hash: bytea('hash').notNull(),
  },
  (t) => [index('audit_log_tender').on(t.tenderId, t.seq)],
);
