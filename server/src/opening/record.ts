/**
 * The opening record (开标记录表): one canonical JSON document (RFC 8785) describing the opening. Each
 * bidder signs its exact bytes (CMS SignedData, detached) or raises an objection; the record, the
 * signatures, the objections and the answers export as a bundle anyone can verify offline
 * (`bidhall record verify`, and each signature with `openssl cms -verify -content record.json`).
 */
import { createHash } from 'node:crypto';
import type { SummaryValue } from '@bidhall/shared';
import canonicalize from 'canonicalize';

export const recordFormat = 'bidhall-opening-record/1';

export interface OpeningRecord {
  readonly format: typeof recordFormat;
  readonly tender: {
    readonly id: string;
    readonly code: string;
    readonly title: string;
    readonly minBidders: number;
  };
  readonly deadline: string;
  readonly openedAt: string | null;
  readonly decryptionStartedAt: string | null;
  readonly windowEndedAt: string | null;
  readonly announcedAt: string | null;
  readonly bids: readonly {
    readonly bidder: { readonly identity: string; readonly name: string };
    readonly receivedAt: string;
    readonly parts: { readonly summarySha256: string; readonly documentsSha256: string };
    readonly openingStatus: string;
    readonly reason: string | null;
    readonly decryptedBy: string | null;
    readonly summary: Readonly<Record<string, SummaryValue>> | null;
  }[];
  readonly outages: readonly { readonly from: string; readonly to: string; readonly reason: string }[];
  readonly draw: {
    readonly options: readonly string[];
    readonly serverSeed: string;
    readonly serverSeedCommitment: string;
    readonly seeds: readonly {
      readonly bidder: string;
      readonly commitment: string;
      readonly seed: string | null;
    }[];
    readonly index: number;
    readonly value: string;
  } | null;
  readonly generatedAt: string;
}

export function recordText(record: OpeningRecord): string {
  const text = canonicalize(record);
  if (text === undefined) throw new TypeError('the record cannot be canonicalised');
  return text;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
