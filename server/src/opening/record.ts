/**
 * The opening record (开标记录表): one canonical JSON document (RFC 8785) describing the opening. Each
 * bidder signs its exact bytes (CMS SignedData, detached) or raises an objection; the record, the
 * signatures, the objections and the answers export as a bundle anyone can verify offline
 * (`bidhall record verify`, and each signature with `openssl cms -verify -content record.json`).
 */
import { createHash } from 'node:crypto';
import type { OpeningRecord } from '@bidhall/shared';
import canonicalize from 'canonicalize';

export { type OpeningRecord, recordFormat } from '@bidhall/shared';

export function recordText(record: OpeningRecord): string {
  const text = canonicalize(record);
  if (text === undefined) throw new TypeError('the record cannot be canonicalised');
  return text;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
