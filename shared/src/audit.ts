/**
 * The audit log's canonical encoding (docs/audit-log.md), shared so that any party (server, browser,
 * an auditor's own script) computes the same bytes:
 *
 *   entry text = RFC 8785 (JCS) serialisation of the entry object below (stored as is)
 *   hash       = lowercase hex of SHA-256( UTF-8( previousHash + entryText ) )
 *   previousHash of the first entry (seq 1) = "0" x 64; of every other, the hash of the entry before
 */
import canonicalize from 'canonicalize';

export type AuditDetailValue = string | number | boolean | null | readonly AuditDetailValue[];

export interface AuditEntry {
  /** Position in the chain, from 1, without gaps. */
  readonly seq: number;
  /** Server time, ISO 8601 with milliseconds, UTC (`2026-11-22T08:00:00.000Z`). */
  readonly at: string;
  readonly actorId: string | null;
  readonly role: string | null;
  /** Network address of the request, as the server saw it. */
  readonly ip: string | null;
  /** `domain.verb`, e.g. `bid.submit`. */
  readonly action: string;
  readonly tenderId: string | null;
  readonly target: string | null;
  /** `ok`, or the error code the action ended with. */
  readonly outcome: string;
  /** Flat facts about the step; integers only within ±2^53, no floats. */
  readonly detail: Readonly<Record<string, AuditDetailValue>>;
}

export const auditGenesisHash = '0'.repeat(64);

/**
 * JCS serialisation of an entry. The top-level keys are fixed, so the text is a frame written in JCS order
 * (keys sorted by UTF-16 code units) around the canonical detail object; strings use JSON.stringify,
 * which is what JCS specifies. A test checks equality with `canonicalize(entry)` on random entries.
 */
export function canonicalAuditEntry(entry: AuditEntry): string {
  const detail = canonicalize(entry.detail);
  if (detail === undefined) throw new TypeError('audit detail cannot be canonicalised');
  const { prefix, suffix } = canonicalAuditFrame(entry);
  return prefix + detail + suffix;
}

/**
 * The canonical text around `detail`: every entry text is `prefix + canonical(detail) + suffix`. Lets a
 * verifier check stored columns against the stored text without parsing it.
 */
export function canonicalAuditFrame(entry: Omit<AuditEntry, 'detail'>): { prefix: string; suffix: string } {
  if (!Number.isSafeInteger(entry.seq)) throw new TypeError('audit seq must be a safe integer');
  const str = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));
  return {
    prefix: `{"action":${str(entry.action)},"actorId":${str(entry.actorId)},"at":${str(entry.at)},"detail":`,
    suffix:
      `,"ip":${str(entry.ip)},"outcome":${str(entry.outcome)},"role":${str(entry.role)},` +
      `"seq":${entry.seq},"target":${str(entry.target)},"tenderId":${str(entry.tenderId)}}`,
  };
}
