/**
 * The opening record (开标记录表): one canonical JSON document (RFC 8785) describing the opening. Each
 * bidder signs its exact bytes (CMS SignedData, detached) or raises an objection; the record, the
 * signatures, the objections and the answers export as a bundle anyone can verify offline
 * (`bidhall record verify`, and each signature with `openssl cms -verify -content record.json`).
 */
import { createHash } from 'node:crypto';
import { drawFormat, type OpeningRecord, onlineVenue, recordFormat } from '@bidhall/shared';
import canonicalize from 'canonicalize';
import type { outages, Tender } from '../db/schema/index.ts';
import { type BidWithBidder, drawView } from './hall-view.ts';

export { type OpeningRecord, recordFormat } from '@bidhall/shared';

type Outage = typeof outages.$inferSelect;

export function recordText(record: OpeningRecord): string {
  const text = canonicalize(record);
  if (text === undefined) throw new TypeError('the record cannot be canonicalised');
  return text;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The record of an opening as generated at its end: the tender, its times, every bid with its outcome
 * and summary, the outages and the draw with all its inputs. Its canonical text is what bidders sign.
 */
export function openingRecord(
  tender: Tender,
  list: readonly BidWithBidder[],
  tenderOutages: readonly Outage[],
  people: {
    readonly host: string;
    readonly supervisors: readonly string[];
    readonly checkIns: readonly { readonly bidder: string; readonly at: string }[];
    readonly recordings: NonNullable<OpeningRecord['recordings']>;
  },
  now: Date,
): OpeningRecord {
  const draw = tender.drawResult ? drawView(tender, list, true) : null;
  return {
    format: recordFormat,
    tender: {
      id: tender.id,
      code: tender.code,
      title: tender.title,
      minBidders: tender.minBidders,
      tenderee: tender.tenderee,
      agency: tender.agency,
      lot: tender.lot,
      ceilingPrice: tender.ceilingPrice,
      venue: tender.venue ?? onlineVenue,
    },
    staff: { host: people.host, supervisors: people.supervisors },
    failure: tender.status === 'failed' ? { reason: tender.failureReason ?? '' } : null,
    checkIns: people.checkIns,
    deadline: tender.deadline.toISOString(),
    openedAt: tender.openedAt?.toISOString() ?? null,
    decryptionStartedAt: tender.decryptionStartedAt?.toISOString() ?? null,
    windowEndedAt: tender.windowEndedAt?.toISOString() ?? null,
    announcedAt: tender.announcedAt?.toISOString() ?? null,
    bids: list.map((b) => ({
      bidder: { identity: b.bidderIdentity, name: b.bidderName },
      receivedAt: b.receivedAt.toISOString(),
      parts: { summarySha256: b.summarySha256, documentsSha256: b.documentsSha256 },
      openingStatus: b.openingStatus,
      reason: b.openingReason,
      because: b.openingBecause,
      decryptedBy: b.decryptedBy,
      summary: b.summaryFields,
    })),
    outages: tenderOutages.map((o) => ({
      from: o.from.toISOString(),
      to: o.to.toISOString(),
      reason: o.reason,
    })),
    draw:
      draw?.result && draw.serverSeed
        ? {
            formula: drawFormat,
            options: draw.options,
            serverSeed: draw.serverSeed,
            serverSeedCommitment: draw.serverSeedCommitment,
            seeds: draw.seeds.map((s) => ({
              bidder: s.bidderName,
              commitment: s.commitment,
              seed: s.seed,
            })),
            index: draw.result.index,
            value: draw.result.value,
          }
        : null,
    recordings: people.recordings,
    generatedAt: now.toISOString(),
  };
}
