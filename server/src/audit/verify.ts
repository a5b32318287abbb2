/**
 * Re-computes the audit chain from the stored entries and reports the first entry that was altered,
 * removed or moved (docs/audit-log.md). Reads in pages by sequence, so memory stays flat however long
 * the log is.
 */
import { type AuditEntry, auditGenesisHash } from '@bidhall/shared';
import { sql } from 'drizzle-orm';
import { type Executor, rowsOf } from '../db/client.ts';
import { chainHash } from './audit-log.ts';

export type ChainProblem = 'altered' | 'removed' | 'reordered';

export type ChainReport =
  | { readonly ok: true; readonly entries: number; readonly head: { seq: number; hash: string } | null }
  | {
      readonly ok: false;
      readonly entries: number;
      readonly seq: number;
      readonly problem: ChainProblem;
      readonly message: string;
    };

interface StoredRow {
  readonly seq: string;
  readonly at: string;
  readonly actor_id: string | null;
  readonly role: string | null;
  readonly ip: string | null;
  readonly action: string;
  readonly tender_id: string | null;
  readonly target: string | null;
  readonly outcome: string;
  readonly detail: string;
  readonly prev_hash: string;
  readonly hash: string;
}

function entryOf(row: StoredRow, seq = Number(row.seq)): AuditEntry {
  return {
    seq,
    at: row.at,
    actorId: row.actor_id,
    role: row.role,
    ip: row.ip,
    action: row.action,
    tenderId: row.tender_id,
    target: row.target,
    outcome: row.outcome,
    detail: JSON.parse(row.detail) as AuditEntry['detail'],
  };
}

export interface VerifyOptions {
  readonly pageSize?: number;
  /** Known (seq, hash) pairs from elsewhere, e.g. signed receipts: detects a rewritten or cut tail. */
  readonly anchors?: readonly { seq: number; hash: string }[];
  readonly onProgress?: (checked: number) => void;
}

export async function verifyAuditChain(db: Executor, options: VerifyOptions = {}): Promise<ChainReport> {
  const pageSize = options.pageSize ?? 20_000;
  const anchors = new Map((options.anchors ?? []).map((a) => [a.seq, a.hash.toLowerCase()]));
  let expectedSeq = 1;
  let previousHash = auditGenesisHash;
  let checked = 0;
  for (;;) {
    const rows = rowsOf<StoredRow>(
      await db.execute(sql`
        SELECT seq::text AS seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
               actor_id, role, ip, action, tender_id::text AS tender_id, target, outcome, detail::text AS detail,
               encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash
        FROM audit_log WHERE audit_log.seq >= ${expectedSeq} ORDER BY audit_log.seq LIMIT ${pageSize}`),
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) {
        return broken(checked, expectedSeq, 'removed', `entries ${expectedSeq}..${seq - 1} are missing`);
      }
      if (row.prev_hash !== previousHash) {
        // The link to the previous entry is broken: its predecessor is gone, or it stands elsewhere.
        const origin = await seqOfHash(db, row.prev_hash);
        return origin === null
          ? broken(
              checked,
              seq,
              'removed',
              `the entry written before ${seq} is missing (removed, later ones renumbered)`,
            )
          : broken(
              checked,
              seq,
              'reordered',
              `entry ${seq} was written after entry ${origin}, not after ${seq - 1}`,
            );
      }
      if (chainHash(row.prev_hash, entryOf(row)) !== row.hash) {
        return broken(checked, seq, 'altered', `entry ${seq} was changed after it was written`);
      }
      const anchored = anchors.get(seq);
      if (anchored !== undefined && anchored !== row.hash) {
        return broken(
          checked,
          seq,
          'altered',
          `entry ${seq} differs from its anchor (the chain was rewritten)`,
        );
      }
      previousHash = row.hash;
      expectedSeq = seq + 1;
      checked++;
    }
    options.onProgress?.(checked);
  }
  const missingAnchor = [...anchors.keys()].find((seq) => seq >= expectedSeq);
  if (missingAnchor !== undefined) {
    return broken(
      checked,
      missingAnchor,
      'removed',
      `anchored entry ${missingAnchor} is missing (the log was cut)`,
    );
  }
  return { ok: true, entries: checked, head: checked ? { seq: expectedSeq - 1, hash: previousHash } : null };
}

async function seqOfHash(db: Executor, hash: string): Promise<number | null> {
  const [row] = rowsOf<{ seq: string }>(
    await db.execute(sql`SELECT seq::text AS seq FROM audit_log WHERE hash = decode(${hash}, 'hex') LIMIT 1`),
  );
  return row ? Number(row.seq) : null;
}

function broken(entries: number, seq: number, problem: ChainProblem, message: string): ChainReport {
  return { ok: false, entries, seq, problem, message };
}
