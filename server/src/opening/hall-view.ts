/**
 * The opening as people read it: the bids with their bidders, and the views of bids, the window, the
 * summary table, the draw and objections that the hall and the record show. The steps (opening-service,
 * decryption, remedy, proposals) write; these read.
 */
import type { DrawView, HallBid, HallWindow, ObjectionView, SummaryRow } from '@bidhall/shared';
import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { actors, type Bid, bids, type objections, type Tender } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';

export type BidWithBidder = Bid & { bidderName: string; bidderIdentity: string };

/** The submitted bids of a tender, in upload order, with their bidders. */
export async function activeBids(db: Executor, tenderId: string): Promise<BidWithBidder[]> {
  const rows = await db
    .select({ bid: bids, bidderName: actors.name, bidderIdentity: actors.identity })
    .from(bids)
    .innerJoin(actors, eq(actors.id, bids.bidderId))
    .where(and(eq(bids.tenderId, tenderId), eq(bids.status, 'submitted')))
    .orderBy(asc(bids.receivedAt));
  return rows.map((r) => ({ ...r.bid, bidderName: r.bidderName, bidderIdentity: r.bidderIdentity }));
}

export function hallBid(bid: BidWithBidder, documentsProgress?: number): HallBid {
  return {
    bidId: bid.id,
    bidderId: bid.bidderId,
    bidderName: bid.bidderName,
    receivedAt: bid.receivedAt.toISOString(),
    openingStatus: bid.openingStatus,
    documentsProgress: documentsProgress ?? (bid.documentsPlainSha256 ? 1 : 0),
    reason: bid.openingReason,
  };
}

export function windowOf(tender: Tender): HallWindow | null {
  if (!tender.decryptionStartedAt) return null;
  return {
    endsAt: tender.windowPausedRemainingMs === null ? (tender.windowEndsAt?.toISOString() ?? null) : null,
    pausedRemainingMs: tender.windowPausedRemainingMs,
  };
}

/** The caller's own submitted bid, or HALL_NO_BID. */
export async function ownBid(db: Executor, tenderId: string, actorId: string | null): Promise<BidWithBidder> {
  const mine = (await activeBids(db, tenderId)).find((b) => b.bidderId === actorId);
  if (!mine) throw new AppError('HALL_NO_BID');
  return mine;
}

export function summaryRows(list: BidWithBidder[]): SummaryRow[] {
  return list
    .filter((b) => b.openingStatus === 'decrypted' || b.openingStatus === 'summary-decrypted')
    .map((b) => ({
      bidderName: b.bidderName,
      fields: b.summaryFields ?? {},
      documentsSha256: b.summaryDocumentsSha256 ?? '',
    }));
}

export function drawView(tender: Tender, list: BidWithBidder[], reveal: boolean): DrawView {
  return {
    options: tender.drawOptions ?? [],
    serverSeedCommitment: tender.serverSeedCommitment ?? '',
    serverSeed: reveal ? tender.serverSeed : null,
    seeds: list
      .filter((b) => b.drawCommitment)
      .map((b) => ({
        bidderName: b.bidderName,
        commitment: b.drawCommitment!,
        seed: reveal ? b.drawSeed : null,
      })),
    result: tender.drawResult,
  };
}

export function objectionView(row: typeof objections.$inferSelect, bidderName: string): ObjectionView {
  return {
    id: row.id,
    bidderName,
    text: row.text,
    at: row.at.toISOString(),
    answer:
      row.answer !== null && row.answeredAt ? { text: row.answer, at: row.answeredAt.toISOString() } : null,
  };
}
