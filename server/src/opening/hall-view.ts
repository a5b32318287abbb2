/**
 * The opening as people read it (the read model): the bids with their bidders; the views of bids, the
 * window, the summary table, the draw, objections and proposals that the hall and the record show; and
 * the visibility rules — what each role sees in each state (docs/opening.md, "who sees what"). The steps
 * (opening-service, decryption, remedy, proposals) write; these read.
 */
import {
  allowedIn,
  biddersSealed,
  bidIn,
  type DrawView,
  type HallBid,
  type HallEvent,
  type HallSnapshot,
  type HallWindow,
  type ObjectionView,
  type ProposalView,
  type SummaryRow,
  venueOf,
} from '@bidhall/shared';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import {
  actors,
  auditLog,
  type Bid,
  bids,
  checkIns,
  hallProposals,
  objections,
  outages,
  recordingSegments,
  recordSignatures,
  type Tender,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { findTender } from '../tenders/tender-service.ts';
import { type Actor, eventsAfter } from './hall-action.ts';
import { venueRecordingOf } from './recording-watch.ts';

type ProposalRow = typeof hallProposals.$inferSelect;

export type BidWithBidder = Bid & { bidderName: string; bidderIdentity: string };

/** Who checked in, in the order they did, with when (the record lists them). */
export async function checkInList(db: Executor, tenderId: string): Promise<{ bidder: string; at: string }[]> {
  const rows = await db
    .select({ name: actors.name, at: checkIns.at })
    .from(checkIns)
    .innerJoin(actors, eq(actors.id, checkIns.bidderId))
    .where(eq(checkIns.tenderId, tenderId))
    .orderBy(asc(checkIns.at), asc(actors.name));
  return rows.map((r) => ({ bidder: r.name, at: r.at.toISOString() }));
}

/** The opening hall's recording segments stored so far, in the order they were recorded, with their hashes. */
export async function hallRecordings(db: Executor, tenderId: string) {
  const rows = await db
    .select()
    .from(recordingSegments)
    .where(eq(recordingSegments.room, `hall:${tenderId}`))
    .orderBy(asc(recordingSegments.startedAt));
  return rows.map((r) => ({
    segment: r.id,
    peer: r.peerName,
    startedAt: r.startedAt.toISOString(),
    endedAt: r.endedAt.toISOString(),
    bytes: r.bytes,
    sha256: r.sha256,
  }));
}

/**
 * The supervisors who took part in an opening: everyone in the supervisor role with a step of this
 * tender in the audit log (watching leaves no entry; approving, confirming or rejecting does).
 */
export async function supervisorsOf(db: Executor, tenderId: string): Promise<string[]> {
  const ids = await db
    .selectDistinct({ id: sql<string>`${auditLog.entry}::jsonb ->> 'actorId'` })
    .from(auditLog)
    .where(and(eq(auditLog.tenderId, tenderId), sql`${auditLog.entry}::jsonb ->> 'role' = 'supervisor'`));
  const known = ids.map((r) => r.id).filter((id): id is string => typeof id === 'string');
  if (!known.length) return [];
  const rows = await db
    .select({ name: actors.name })
    .from(actors)
    .where(inArray(actors.id, known))
    .orderBy(asc(actors.name));
  return rows.map((r) => r.name);
}

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
    because: bid.openingBecause,
    ...(bid.resealNeeded ? { resealNeeded: true } : {}),
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

export function summaryRows(list: readonly BidWithBidder[]): SummaryRow[] {
  return list
    .filter((b) => bidIn('summaryRead', b.openingStatus))
    .map((b) => ({
      bidderName: b.bidderName,
      fields: b.summaryFields ?? {},
      documentsSha256: b.summaryDocumentsSha256 ?? '',
    }));
}

export function drawView(tender: Tender, list: readonly BidWithBidder[], reveal: boolean): DrawView {
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

export function proposalView(row: ProposalRow): ProposalView {
  const detail = row.detail as { from?: string; to?: string; bidIds?: string[] };
  return {
    id: row.id,
    kind: row.kind,
    reason: row.reason,
    proposedRole: row.proposedRole,
    proposedAt: row.proposedAt.toISOString(),
    outage:
      row.kind === 'outage'
        ? { from: detail.from ?? '', to: detail.to ?? '', bidIds: detail.bidIds ?? [] }
        : null,
    decision:
      row.decision && row.decidedAt
        ? {
            confirmed: row.decision === 'confirmed',
            role: '',
            at: row.decidedAt.toISOString(),
            reason: row.decisionReason ?? '',
          }
        : null,
  };
}

export async function proposalsOf(db: Executor, tenderId: string): Promise<ProposalView[]> {
  const rows = await db
    .select()
    .from(hallProposals)
    .where(eq(hallProposals.tenderId, tenderId))
    .orderBy(asc(hallProposals.proposedAt));
  return rows.map(proposalView);
}

/**
 * The hall as `viewer` may see it, with the sequence number it is current to. Before the bids are
 * opened a bidder sees its own bid and nobody else's, not even how many (docs/opening.md, "who sees
 * what"); nobody else sees any bid.
 */
export async function hallSnapshot(
  db: Executor,
  tenderId: string,
  viewer: Actor,
  remedy: HallSnapshot['remedy'],
): Promise<HallSnapshot> {
  const tender = await findTender(db, tenderId);
  const opened = !biddersSealed(tender.status);
  const list = await activeBids(db, tender.id);
  const visible = opened ? list : list.filter((b) => b.bidderId === viewer.actorId);
  const checked = await db
    .select({ bidderId: checkIns.bidderId, name: actors.name })
    .from(checkIns)
    .innerJoin(actors, eq(actors.id, checkIns.bidderId))
    .where(eq(checkIns.tenderId, tender.id));
  const signatures = await db
    .select({ name: actors.name })
    .from(recordSignatures)
    .innerJoin(actors, eq(actors.id, recordSignatures.signerId))
    .where(eq(recordSignatures.tenderId, tender.id));
  const objectionRows = await db
    .select({ objection: objections, name: actors.name })
    .from(objections)
    .innerJoin(actors, eq(actors.id, objections.bidderId))
    .where(eq(objections.tenderId, tender.id))
    .orderBy(asc(objections.at));
  return {
    tenderId: tender.id,
    code: tender.code,
    title: tender.title,
    status: tender.status,
    deadline: tender.deadline.toISOString(),
    checkInOpensAt: tender.checkInOpensAt.toISOString(),
    window: windowOf(tender),
    minBidders: tender.minBidders,
    bids: visible.map((b) => hallBid(b)),
    checkedIn: checked.filter((c) => opened || c.bidderId === viewer.actorId).map((c) => c.name),
    summaryTable: allowedIn('bidsRead', tender.status) ? summaryRows(list) : null,
    draw: tender.drawOptions ? drawView(tender, visible, tender.drawResult !== null) : null,
    record: tender.recordText
      ? { sha256: tender.recordSha256!, text: tender.recordText, signedBy: signatures.map((s) => s.name) }
      : null,
    objections: objectionRows.map((r) => objectionView(r.objection, r.name)),
    proposals: await proposalsOf(db, tender.id),
    faults: (!opened
      ? []
      : await db
          .select()
          .from(outages)
          .where(and(eq(outages.tenderId, tender.id), eq(outages.source, 'system')))
          .orderBy(asc(outages.recordedAt))
    ).map((o) => ({ bidId: o.bidIds?.[0] ?? null, message: o.reason, at: o.recordedAt.toISOString() })),
    remedy,
    recording: await venueRecordingOf(db, venueOf({ kind: 'hall', tenderId: tender.id })),
    seq: tender.hallSeq,
  };
}

/**
 * What a joining client gets: the snapshot, and the events after `afterSeq` it missed. Before the bids
 * are opened only status events go to anyone (bid events exist only afterwards, and nothing else of
 * that time may reach a client that reconnects).
 */
export async function hallJoin(
  db: Executor,
  tenderId: string,
  viewer: Actor,
  afterSeq: number | undefined,
  remedy: HallSnapshot['remedy'],
): Promise<{ snapshot: HallSnapshot; missed: HallEvent[] }> {
  const snapshot = await hallSnapshot(db, tenderId, viewer, remedy);
  const missed = afterSeq === undefined ? [] : await eventsAfter(db, tenderId, afterSeq);
  return {
    snapshot,
    missed: biddersSealed(snapshot.status) ? missed.filter((e) => e.type === 'status') : missed,
  };
}
