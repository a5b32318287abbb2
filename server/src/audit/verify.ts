/**
 * Re-computes the audit chain from the stored entries and reports the first entry that was altered,
 * removed or moved (docs/audit-log.md). Streams the table (COPY on PostgreSQL, pages on PGlite) so
 * memory stays flat; the per-entry work is one SHA-256 and a few string comparisons, so verification
 * runs at the speed the database can stream rows.
 */
import { auditGenesisHash } from '@bidhall/shared';
import type { DatabaseHandle } from '../db/client.ts';
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

export interface VerifyOptions {
  /** Known (seq, hash) pairs from elsewhere, e.g. signed receipts: detect a rewritten or cut tail. */
  readonly anchors?: readonly { seq: number; hash: string }[];
  readonly onProgress?: (checked: number) => void;
}

/** A stored row as text fields: seq, entry, previous hash, hash, tender id (or null). */
type Row = readonly [seq: string, entry: string, prevHash: string, hash: string, tenderId: string | null];

const columns = `seq, entry, encode(prev_hash, 'hex'), encode(hash, 'hex'), tender_id`;

/** Undoes COPY's text-format escaping: `\N` is null, backslash sequences stand for characters. */
function copyField(raw: string): string | null {
  if (raw === '\\N') return null;
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, code: string) => {
    if (code[0] === 'x') return String.fromCharCode(Number.parseInt(code.slice(1), 16));
    if (/^[0-7]/.test(code)) return String.fromCharCode(Number.parseInt(code, 8));
    return ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' } as Record<string, string>)[code] ?? code;
  });
}

async function* rows(database: DatabaseHandle): AsyncGenerator<Row[]> {
  if (database.copyOut) {
    // Lines end with \n, which never occurs inside a UTF-8 multi-byte sequence, so splitting bytes is safe.
    let carry: Buffer = Buffer.alloc(0);
    for await (const chunk of database.copyOut(`SELECT ${columns} FROM audit_log ORDER BY seq`)) {
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const batch: Row[] = [];
      let start = 0;
      for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
        const line = data.toString('utf8', start, end);
        const fields = line.split('\t');
        // Escapes are rare (a backslash in an entry, or \N for a null tender): one check per line.
        batch.push((line.includes('\\') ? fields.map(copyField) : fields) as unknown as Row);
        start = end + 1;
      }
      carry = data.subarray(start);
      if (batch.length) yield batch;
    }
    return;
  }
  for (let from = 1; ; ) {
    const page = (await database.queryText(
      `SELECT seq::text, entry, encode(prev_hash, 'hex'), encode(hash, 'hex'), tender_id::text
       FROM audit_log WHERE audit_log.seq >= ${from} ORDER BY audit_log.seq LIMIT 20000`,
    )) as unknown as Row[];
    if (page.length === 0) return;
    yield page;
    from = Number(page.at(-1)![0]) + 1;
  }
}

/**
 * Whether the row's seq and tender_id columns say what its text says. In canonical form the text ends
 * with `,"seq":N,"target":…,"tenderId":…}` (keys in JCS order), so two comparisons suffice; the target is
 * a JSON string and cannot contain the unescaped quote that would fake the pattern.
 */
function columnsMatch(row: Row, seq: number): boolean {
  const entry = row[1];
  const tender = row[4] === null ? 'null' : `"${row[4]}"`;
  if (!entry.endsWith(`,"tenderId":${tender}}`)) return false;
  const at = entry.lastIndexOf(',"seq":');
  return at > 0 && entry.startsWith(`,"seq":${seq},"target":`, at);
}

export async function verifyAuditChain(
  database: DatabaseHandle,
  options: VerifyOptions = {},
): Promise<ChainReport> {
  const anchors = new Map((options.anchors ?? []).map((a) => [a.seq, a.hash.toLowerCase()]));
  let expectedSeq = 1;
  let previousHash = auditGenesisHash;
  let checked = 0;
  for await (const batch of rows(database)) {
    for (const row of batch) {
      const seq = Number(row[0]);
      const [, entry, prevHash, hash] = row;
      if (seq !== expectedSeq) {
        return broken(checked, expectedSeq, 'removed', `entries ${expectedSeq}..${seq - 1} are missing`);
      }
      if (prevHash !== previousHash) {
        // The link to the previous entry is broken: its predecessor is gone, or it stands elsewhere.
        const origin = await seqOfHash(database, prevHash);
        if (origin !== null) {
          return broken(
            checked,
            seq,
            'reordered',
            `entry ${seq} was written after entry ${origin}, not after ${seq - 1}`,
          );
        }
        // Its predecessor is gone. If this entry still says it is number `seq`, the one before it was
        // rewritten with a recomputed hash; otherwise entries were removed and the rest renumbered.
        return columnsMatch(row, seq) && seq > 1
          ? broken(
              checked - 1,
              seq - 1,
              'altered',
              `entry ${seq - 1} was rewritten (its successor no longer links to it)`,
            )
          : broken(
              checked,
              seq,
              'removed',
              `the entry written before ${seq} is missing (removed, later ones renumbered)`,
            );
      }
      if (chainHash(prevHash, entry) !== hash) {
        return broken(checked, seq, 'altered', `entry ${seq} was changed after it was written`);
      }
      if (!columnsMatch(row, seq)) {
        return broken(
          checked,
          seq,
          'altered',
          `the columns of entry ${seq} no longer match its recorded text`,
        );
      }
      if (anchors.size && anchors.has(seq) && anchors.get(seq) !== hash) {
        return broken(
          checked,
          seq,
          'altered',
          `entry ${seq} differs from its anchor (the chain was rewritten)`,
        );
      }
      previousHash = hash;
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

async function seqOfHash(database: DatabaseHandle, hash: string): Promise<number | null> {
  if (!/^[0-9a-f]{64}$/.test(hash)) return null;
  const [row] = await database.queryText(
    `SELECT seq::text FROM audit_log WHERE hash = decode('${hash}', 'hex') LIMIT 1`,
  );
  return row?.[0] ? Number(row[0]) : null;
}

function broken(entries: number, seq: number, problem: ChainProblem, message: string): ChainReport {
  return { ok: false, entries, seq, problem, message };
}
