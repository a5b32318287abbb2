/**
 * The opening's flow: check-in, the deadline, the decryption window and its end, the reading of bids,
 * the record, objections and closing. Every step goes through `hallAction` (one audited transaction,
 * events broadcast after commit); guards come from state-machine.ts. Decryption and the custodian remedy
 * live in decryption.ts and remedy.ts; what the hall shows (the read model) in hall-view.ts.
 */
import {
  type AuditAction,
  bidIn,
  type DrawView,
  detailText,
  type ErrorDetail,
  type HallWindow,
  type OpeningStatus,
  type TenderStatus,
  type UpdateTenderRequest,
} from '@bidhall/shared';
import { and, asc, eq } from 'drizzle-orm';

import { verifySmall } from '../cms/signed-data.ts';
import type { Executor } from '../db/client.ts';
import {
  actors,
  bids,
  checkIns,
  objections,
  outages,
  recordSignatures,
  type Tender,
  tenderCustodians,
} from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { serverSeedFor } from '../tenders/draw-seed.ts';
import type { OpeningKeyMaterial } from '../tenders/opening-key.ts';
import { checkSummaryFields } from '../tenders/tender-service.ts';
import { bidChange, isFinal } from './bid-states.ts';
import { drawIndex, seedCommitment } from './draw.ts';
import { type Actor, type HallContext, hallAction, type StepScope, systemActor } from './hall-action.ts';
import {
  activeBids,
  type BidWithBidder,
  checkInList,
  drawView,
  hallBid,
  hallRecordings,
  objectionView,
  ownBid,
  summaryRows,
  supervisorsOf,
} from './hall-view.ts';
import { openingRecord, recordText, sha256Hex } from './record.ts';
import { dueStep, requireStatus, requireTransition } from './state-machine.ts';

/** A changed deadline is at least this far ahead, so that no upload in progress is cut by surprise. */
const minDeadlineNoticeMinutes = 10;

export interface OpeningServiceDeps extends HallContext {
  readonly trust: TrustStore;
  /** Derives the platform's draw seed at the reading of bids (tenders/draw-seed.ts). */
  readonly drawSecret: string;
}

/**
 * What the record names besides the bids: the host producing it, the supervisors, the check-ins, and
 * the hall's recording segments stored so far with their hashes.
 */
async function recordContext(tx: Executor, tenderId: string, host: Actor) {
  return {
    host: host.name ?? '',
    supervisors: await supervisorsOf(tx, tenderId),
    checkIns: await checkInList(tx, tenderId),
    recordings: await hallRecordings(tx, tenderId),
  };
}

/**
 * The bids the opening goes on with: all received ones but those found invalid when the bids were opened
 * (sealed before the summary fields changed and not sealed again).
 */
function openable(list: readonly BidWithBidder[]): number {
  return list.filter((b) => b.openingStatus !== 'invalid').length;
}

export class OpeningService {
  readonly #deps: OpeningServiceDeps;

  constructor(deps: OpeningServiceDeps) {
    this.#deps = deps;
  }

  #act<T>(
    tenderId: string,
    actor: Actor,
    action: AuditAction,
    step: (scope: StepScope) => Promise<T>,
  ): Promise<T> {
    return hallAction(this.#deps, tenderId, actor, action, step);
  }

  // ---- Time-driven steps (steps/scheduler.ts) ---------------------------------------------------------

  /** Runs whatever time-driven step is due for the tender; a no-op if another process got there first. */
  runDueStep(tenderId: string): Promise<void> {
    return hallAction(
      this.#deps,
      tenderId,
      systemActor,
      'hall.timed-step',
      async (scope) => {
        const step = dueStep(scope.tender, scope.now);
        scope.detail.step = step;
        if (step === 'open-check-in') await this.#openCheckIn(scope);
        else if (step === 'open-bids') await this.#openBids(scope);
        else if (step === 'end-window') await this.#endWindow(scope);
        else {
          // Nothing due after all (another process ran it, or the check was stale): just re-arm.
          await scope.updateTender({});
          scope.nothingDone = true;
        }
      },
      { skipIfLocked: true },
    );
  }

  async #setStatus(
    scope: StepScope,
    status: TenderStatus,
    changes: Partial<Tender>,
    reason: string | ErrorDetail | null = null,
  ) {
    requireTransition(scope.tender.status, status);
    await scope.updateTender({ status, ...changes });
    // A person's reason is kept as typed; the platform's own is a detail, shown in the reader's language.
    await scope.emit(
      'status',
      typeof reason === 'object' && reason !== null
        ? { status, reason: null, because: reason }
        : { status, reason },
    );
  }

  async #openCheckIn(scope: StepScope): Promise<void> {
    await this.#setStatus(scope, 'check-in', {});
  }

  /** The deadline: bids are locked and the bidder list is published (电子招标投标办法 Art 29-30). */
  async #openBids(scope: StepScope): Promise<void> {
    const list = await activeBids(scope.tx, scope.tender.id);
    scope.detail.bids = list.length;
    // A bid sealed before the summary fields changed, and not sealed again, cannot be read against them.
    const because: ErrorDetail = { key: 'sealedBeforeChange' };
    for (const [i, bid] of list.entries()) {
      if (!bid.resealNeeded) continue;
      const changes = bidChange(bid, {
        openingStatus: 'invalid',
        openingReason: detailText(because, 'zh'),
        openingBecause: because,
      });
      await scope.tx.update(bids).set(changes).where(eq(bids.id, bid.id));
      list[i] = { ...bid, ...changes };
    }
    const valid = openable(list);
    const short = valid < scope.tender.minBidders;
    await this.#setStatus(
      scope,
      'opened',
      { openedAt: scope.now },
      short ? { key: 'bidsBelowMinimum', params: { count: valid, min: scope.tender.minBidders } } : null,
    );
    for (const bid of list) await scope.emit('bid', hallBid(bid));
    // Check-ins before the deadline were kept quiet (who bid was confidential); now the hall learns them.
    const early = await scope.tx
      .select({ bidderId: checkIns.bidderId, at: checkIns.at })
      .from(checkIns)
      .where(eq(checkIns.tenderId, scope.tender.id))
      .orderBy(asc(checkIns.at));
    for (const { bidderId, at } of early) {
      const bid = list.find((b) => b.bidderId === bidderId);
      if (bid) await scope.emit('checked-in', { bidderName: bid.bidderName, at: at.toISOString() });
    }
  }

  /**
   * End of the window: every bid whose keys did not arrive is classified by who is at fault (Art 31). It
   * is the platform's when a confirmed outage, or a fault the platform met itself, named that bid during
   * the window; otherwise the bidder's.
   */
  async #endWindow(scope: StepScope): Promise<void> {
    const { tender, tx, now } = scope;
    const list = await activeBids(tx, tender.id);
    const faults = await tx.select().from(outages).where(eq(outages.tenderId, tender.id));
    const windowStart = tender.decryptionStartedAt?.getTime() ?? 0;
    const platformFault = (bidId: string) =>
      faults.some(
        (o) =>
          (o.bidIds === null || o.bidIds.includes(bidId)) &&
          o.to.getTime() >= windowStart &&
          o.from.getTime() <= now.getTime(),
      );
    let revoked = 0;
    let platform = 0;
    for (const bid of list) {
      const keysMissing = !bid.summaryKey || !bid.documentsKey;
      if (!bidIn('awaitingKeys', bid.openingStatus) || !keysMissing) continue;
      const atFault = platformFault(bid.id);
      const status: OpeningStatus = atFault
        ? tender.remedyPolicy === 'custodian-quorum'
          ? 'remedy-pending'
          : 'withdrawn-platform'
        : 'revoked';
      const because: ErrorDetail = { key: atFault ? 'platformOutageWindow' : 'bidNotDecrypted' };
      const reason = detailText(because, 'zh');
      if (status === 'revoked') revoked++;
      else platform++;
      await tx
        .update(bids)
        .set(bidChange(bid, { openingStatus: status, openingReason: reason, openingBecause: because }))
        .where(eq(bids.id, bid.id));
      await scope.emit(
        'bid',
        hallBid({ ...bid, openingStatus: status, openingReason: reason, openingBecause: because }),
      );
    }
    await scope.updateTender({ windowEndedAt: now });
    await scope.emit('window', {
      endsAt: tender.windowEndsAt?.toISOString() ?? null,
      pausedRemainingMs: null,
      reason: 'ended',
    });
    Object.assign(scope.detail, { revoked, platformFault: platform });
  }

  // ---- Host and bidder steps --------------------------------------------------------------------------

  checkIn(tenderId: string, actor: Actor): Promise<{ checkedInAt: string }> {
    return this.#act(tenderId, actor, 'hall.check-in', async (scope) => {
      const { tx, tender, now, emit } = scope;
      requireStatus(tender, 'checkIn', 'check-in');
      const mine = await ownBid(tx, tender.id, actor.actorId);
      const inserted = await tx
        .insert(checkIns)
        .values({ tenderId: tender.id, bidderId: actor.actorId!, at: now })
        .onConflictDoNothing()
        .returning();
      if (!inserted.length) {
        // Checked in already: acknowledged with the first time, and no new audit entry (a page or a
        // client that checks in again on every reconnect must not flood the supervisor's feed).
        scope.nothingDone = true;
        const [first] = await tx
          .select({ at: checkIns.at })
          .from(checkIns)
          .where(and(eq(checkIns.tenderId, tender.id), eq(checkIns.bidderId, actor.actorId!)));
        return { checkedInAt: first!.at.toISOString() };
      }
      // Before the deadline who has bid is confidential: check-ins are announced only afterwards.
      if (tender.status !== 'check-in')
        await emit('checked-in', { bidderName: mine.bidderName, at: inserted[0]!.at.toISOString() });
      return { checkedInAt: inserted[0]!.at.toISOString() };
    });
  }

  startDecryption(tenderId: string, actor: Actor): Promise<{ windowEndsAt: string }> {
    return this.#act(tenderId, actor, 'hall.start-decryption', async (scope) => {
      const { tx, tender, now, emit } = scope;
      requireStatus(tender, 'deciding', 'starting decryption');
      const count = openable(await activeBids(tx, tender.id));
      if (count < tender.minBidders) {
        throw new AppError('HALL_WRONG_STATE', {
          key: 'bidsBelowMinimum',
          params: { count, min: tender.minBidders },
        });
      }
      const windowEndsAt = new Date(now.getTime() + tender.decryptionWindowMinutes * 60_000);
      await this.#setStatus(scope, 'decrypting', { decryptionStartedAt: now, windowEndsAt });
      await emit('window', {
        endsAt: windowEndsAt.toISOString(),
        pausedRemainingMs: null,
        reason: 'started',
      });
      return { windowEndsAt: windowEndsAt.toISOString() };
    });
  }

  confirmFailure(tenderId: string, actor: Actor, reason: string): Promise<{ status: TenderStatus }> {
    return this.#act(tenderId, actor, 'hall.confirm-failure', async (scope) => {
      requireStatus(scope.tender, 'deciding', 'confirming a failed opening');
      const count = openable(await activeBids(scope.tx, scope.tender.id));
      if (count >= scope.tender.minBidders) {
        throw new AppError('HALL_WRONG_STATE', {
          key: 'bidsMeetMinimum',
          params: { count, min: scope.tender.minBidders },
        });
      }
      scope.detail.reason = reason;
      // A failed opening (流标) is recorded too: who bid and when, why it failed; host and supervisors sign.
      const list = await activeBids(scope.tx, scope.tender.id);
      const people = await recordContext(scope.tx, scope.tender.id, actor);
      const failed = { ...scope.tender, status: 'failed' as const, failureReason: reason };
      const record = openingRecord(failed, list, [], people, scope.now);
      const text = recordText(record);
      const sha256 = sha256Hex(text);
      await this.#setStatus(
        scope,
        'failed',
        { failureReason: reason, closedAt: scope.now, recordText: text, recordSha256: sha256 },
        reason,
      );
      await scope.emit('record', { sha256, text });
      scope.detail.recordSha256 = sha256;
      return { status: 'failed' as const };
    });
  }

  /**
   * The host cancels the tender before its deadline, saying why: no bid is ever opened, and who bid stays
   * sealed for good (the bidders in the hall hear of it; the tender list shows it to everyone).
   */
  cancel(tenderId: string, actor: Actor, reason: string): Promise<{ status: TenderStatus }> {
    return this.#act(tenderId, actor, 'hall.cancel', async (scope) => {
      requireStatus(scope.tender, 'bidding', 'cancelling the tender');
      scope.detail.reason = reason;
      await this.#setStatus(scope, 'cancelled', { cancelReason: reason, closedAt: scope.now }, reason);
      return { status: 'cancelled' as const };
    });
  }

  /**
   * The host changes the tender's words or times before the deadline; the change is audited field by
   * field and announced in the hall. A new deadline is at least ten minutes ahead, so nobody's upload
   * in progress is cut by surprise.
   */
  /**
   * The host's change of a tender before its deadline. New summary fields or a new opening key (other
   * custodians or quorum, `openingKey` made by the caller) make the bids already received unusable: each
   * is marked to be sealed again, and the hall is told.
   */
  update(
    tenderId: string,
    actor: Actor,
    request: UpdateTenderRequest,
    openingKey?: { readonly quorum: number; readonly material: OpeningKeyMaterial },
  ): Promise<{ changed: string[] }> {
    return this.#act(tenderId, actor, 'tender.update', async (scope) => {
      const { tender, now } = scope;
      requireStatus(tender, 'bidding', 'changing the tender');
      const deadline = request.deadline ? new Date(request.deadline) : tender.deadline;
      if (request.deadline && deadline.getTime() < now.getTime() + minDeadlineNoticeMinutes * 60_000)
        throw new AppError('VALIDATION_FAILED', {
          key: 'deadlineNotAhead',
          params: { minutes: minDeadlineNoticeMinutes, field: '/deadline' },
        });
      const checkInMinutes =
        request.checkInMinutes ??
        Math.round((tender.deadline.getTime() - tender.checkInOpensAt.getTime()) / 60_000);
      const changes: Partial<Tender> = {
        ...(request.title !== undefined ? { title: request.title } : {}),
        ...(request.tenderee !== undefined ? { tenderee: request.tenderee } : {}),
        ...(request.lot !== undefined ? { lot: request.lot } : {}),
        ...(request.ceilingPrice !== undefined ? { ceilingPrice: request.ceilingPrice } : {}),
        ...(request.venue !== undefined ? { venue: request.venue } : {}),
        ...(request.decryptionWindowMinutes !== undefined
          ? { decryptionWindowMinutes: request.decryptionWindowMinutes }
          : {}),
        ...(request.deadline !== undefined || request.checkInMinutes !== undefined
          ? { deadline, checkInOpensAt: new Date(deadline.getTime() - checkInMinutes * 60_000) }
          : {}),
      };
      if (request.summaryFields) {
        checkSummaryFields(request.summaryFields);
        changes.summaryFields = request.summaryFields;
      }
      if (openingKey) {
        changes.openingCertificate = openingKey.material.certificatePem;
        changes.quorum = openingKey.quorum;
        await scope.tx.delete(tenderCustodians).where(eq(tenderCustodians.tenderId, tender.id));
        await scope.tx.insert(tenderCustodians).values(
          openingKey.material.sealedShares.map((share) => ({
            tenderId: tender.id,
            custodianId: share.custodianId,
            shareIndex: share.index,
            sealedShare: share.sealed,
          })),
        );
      }
      // The bids already received were sealed with a summary for the old fields, or to the old opening
      // certificate: each must be sealed again.
      const resealNeeded = Boolean(request.summaryFields || openingKey);
      if (resealNeeded) {
        const marked = await scope.tx
          .update(bids)
          .set({ resealNeeded: true })
          .where(and(eq(bids.tenderId, tender.id), eq(bids.status, 'submitted')))
          .returning({ id: bids.id });
        scope.detail.resealNeeded = marked.length;
      }
      const changed = Object.keys(request).sort();
      await scope.updateTender(changes);
      const after = { ...tender, ...changes };
      scope.detail.changed = changed;
      if (request.deadline) scope.detail.deadline = deadline.toISOString();
      await scope.emit('tender', {
        changed,
        title: after.title,
        deadline: after.deadline.toISOString(),
        checkInOpensAt: after.checkInOpensAt.toISOString(),
        ...(resealNeeded ? { resealNeeded } : {}),
      });
      return { changed };
    });
  }

  pause(tenderId: string, actor: Actor, reason: string): Promise<HallWindow> {
    return this.#act(tenderId, actor, 'hall.pause', async ({ tender, now, emit, detail, updateTender }) => {
      requireStatus(tender, 'decrypting', 'pausing');
      if (tender.windowEndedAt || tender.windowPausedRemainingMs !== null || !tender.windowEndsAt) {
        throw new AppError('HALL_WRONG_STATE', { key: 'windowNotRunning' });
      }
      const remaining = Math.max(0, tender.windowEndsAt.getTime() - now.getTime());
      await updateTender({ windowPausedRemainingMs: remaining });
      Object.assign(detail, { reason, remainingMs: remaining });
      const window = { endsAt: null, pausedRemainingMs: remaining };
      await emit('window', { ...window, reason });
      return window;
    });
  }

  resume(tenderId: string, actor: Actor, reason: string): Promise<HallWindow> {
    return this.#act(tenderId, actor, 'hall.resume', async ({ tender, now, emit, detail, updateTender }) => {
      requireStatus(tender, 'decrypting', 'resuming');
      if (tender.windowPausedRemainingMs === null)
        throw new AppError('HALL_WRONG_STATE', { key: 'windowNotPaused' });
      const endsAt = new Date(now.getTime() + tender.windowPausedRemainingMs);
      await updateTender({ windowEndsAt: endsAt, windowPausedRemainingMs: null });
      Object.assign(detail, { reason, endsAt: endsAt.toISOString() });
      const window = { endsAt: endsAt.toISOString(), pausedRemainingMs: null };
      await emit('window', { ...window, reason });
      return window;
    });
  }

  extend(tenderId: string, actor: Actor, minutes: number, reason: string): Promise<HallWindow> {
    return this.#act(tenderId, actor, 'hall.extend', async ({ tender, emit, detail, updateTender }) => {
      requireStatus(tender, 'decrypting', 'extending the window');
      if (tender.windowEndedAt) throw new AppError('HALL_WRONG_STATE', { key: 'windowEnded' });
      const extra = minutes * 60_000;
      const window =
        tender.windowPausedRemainingMs !== null
          ? { endsAt: null, pausedRemainingMs: tender.windowPausedRemainingMs + extra }
          : {
              endsAt: new Date(tender.windowEndsAt!.getTime() + extra).toISOString(),
              pausedRemainingMs: null,
            };
      await updateTender(
        window.pausedRemainingMs !== null
          ? { windowPausedRemainingMs: window.pausedRemainingMs }
          : { windowEndsAt: new Date(window.endsAt!) },
      );
      Object.assign(detail, { minutes, reason });
      await emit('window', { ...window, reason });
      return window;
    });
  }

  /** A bidder reveals its draw seed; reveals close when the decryption window ends (docs/opening.md). */
  revealSeed(tenderId: string, actor: Actor, seed: string): Promise<{ accepted: true }> {
    return this.#act(tenderId, actor, 'hall.reveal-seed', async ({ tx, tender }) => {
      requireStatus(tender, 'beforeReading', 'revealing a draw seed');
      if (!tender.drawOptions) throw new AppError('HALL_WRONG_STATE', { key: 'noDraw' });
      if (tender.windowEndedAt) {
        throw new AppError('HALL_WRONG_STATE', {
          key: 'seedsClosed',
          params: { endedAt: tender.windowEndedAt.toISOString() },
        });
      }
      const mine = await ownBid(tx, tender.id, actor.actorId);
      if (!mine.drawCommitment || seedCommitment(seed) !== mine.drawCommitment) {
        throw new AppError('VALIDATION_FAILED', { key: 'seedMismatch', params: { field: '/seed' } });
      }
      await tx.update(bids).set({ drawSeed: seed }).where(eq(bids.id, mine.id));
      return { accepted: true as const };
    });
  }

  /**
   * The reading of bids (唱标): the summary table, and the random draw if the tender has one. Only once
   * every bid has its final outcome (a late documents job could otherwise change a bid after the reading),
   * and, with a draw, once no seed can still come: every committed seed revealed, or the window ended.
   */
  announce(tenderId: string, actor: Actor): Promise<{ rows: number }> {
    return this.#act(tenderId, actor, 'hall.announce', async (scope) => {
      const { tx, tender } = scope;
      requireStatus(tender, 'decrypting', 'reading the bids');
      const list = await activeBids(tx, tender.id);
      const pending = list.filter((b) => !isFinal(b.openingStatus));
      if (pending.length) {
        throw new AppError('HALL_WRONG_STATE', {
          key: 'bidsWithoutOutcome',
          params: { count: pending.length },
        });
      }
      const unrevealed = list.filter((b) => b.drawCommitment && !b.drawSeed);
      if (tender.drawOptions && unrevealed.length && !tender.windowEndedAt) {
        throw new AppError('HALL_WRONG_STATE', {
          key: 'seedsStillOpen',
          params: { count: unrevealed.length },
        });
      }
      const rows = summaryRows(list);
      await this.#setStatus(scope, 'announced', { announcedAt: scope.now });
      await scope.emit('summary-table', { rows });
      const draw = await this.#draw(scope, list);
      if (draw) await scope.emit('draw', draw);
      scope.detail.rows = rows.length;
      return { rows: rows.length };
    });
  }

  async #draw(scope: StepScope, list: BidWithBidder[]): Promise<DrawView | null> {
    const { tender } = scope;
    if (!tender.drawOptions || !tender.serverSeedCommitment) return null;
    // Tenders created before the seed was derived kept it in their row.
    const serverSeed = tender.serverSeed ?? serverSeedFor(this.#deps.drawSecret, tender.id);
    if (seedCommitment(serverSeed) !== tender.serverSeedCommitment) {
      throw new AppError(
        'INTERNAL',
        'the platform draw seed no longer matches its commitment: DRAW_SECRET differs from the one this tender was created with',
      );
    }
    const revealed = list.filter((b) => b.drawSeed).map((b) => b.drawSeed!);
    const index = drawIndex(serverSeed, revealed, tender.drawOptions.length);
    const result = { index, value: tender.drawOptions[index]! };
    await scope.updateTender({ drawResult: result, serverSeed });
    Object.assign(scope.detail, {
      drawIndex: index,
      drawValue: result.value,
      seedsRevealed: revealed.length,
    });
    return drawView({ ...tender, drawResult: result, serverSeed }, list, true);
  }

  /** The opening record: generated once, then signed by the bidders (or objected to). */
  openRecord(tenderId: string, actor: Actor): Promise<{ sha256: string }> {
    return this.#act(tenderId, actor, 'hall.open-record', async (scope) => {
      const { tx, tender, now } = scope;
      requireStatus(tender, 'announced', 'opening the record');
      const list = await activeBids(tx, tender.id);
      const tenderOutages = await tx.select().from(outages).where(eq(outages.tenderId, tender.id));
      const people = await recordContext(tx, tender.id, actor);
      const record = openingRecord(tender, list, tenderOutages, people, now);
      const text = recordText(record);
      const sha256 = sha256Hex(text);
      await this.#setStatus(scope, 'confirming', {
        recordOpenedAt: now,
        recordText: text,
        recordSha256: sha256,
      });
      await scope.emit('record', { sha256, text });
      scope.detail.recordSha256 = sha256;
      return { sha256 };
    });
  }

  /**
   * A signature over the record's exact bytes, by a bidder with a bid (while the record is out for
   * signatures) or by the host or a supervisor (also once the opening has ended, failed ones included).
   * A bidder signs after the objections raised so far are answered, or says it signs with them open.
   */
  signRecord(
    tenderId: string,
    actor: Actor,
    signature: Buffer,
    withOpenObjections = false,
  ): Promise<{ signed: true }> {
    return this.#act(tenderId, actor, 'hall.sign-record', async ({ tx, tender, now, emit, detail }) => {
      const role = actor.role;
      if (role === null || role === 'system') throw new AppError('FORBIDDEN_ROLE');
      const bidder = role === 'bidder';
      requireStatus(tender, bidder ? 'confirming' : 'staffSigning', 'signing the record');
      if (!tender.recordText) throw new AppError('HALL_WRONG_STATE', { key: 'noRecordYet' });
      const signer = bidder
        ? await ownBid(tx, tender.id, actor.actorId).then((b) => ({
            name: b.bidderName,
            identity: b.bidderIdentity,
          }))
        : await tx
            .select({ name: actors.name, identity: actors.identity })
            .from(actors)
            .where(eq(actors.id, actor.actorId!))
            .then(([row]) => row!);
      let open: string[] | null = null;
      if (bidder) {
        open = (await tx.select().from(objections).where(eq(objections.tenderId, tender.id)))
          .filter((o) => o.answer === null)
          .map((o) => o.id);
        if (open.length && !withOpenObjections)
          throw new AppError('OBJECTIONS_OPEN', { key: 'signAfterAnswers', params: { count: open.length } });
        if (!open.length) open = null;
      }
      const verified = await verifySmall(signature, {
        detachedContent: Buffer.from(tender.recordText, 'utf8'),
      }).catch((error: unknown) => {
        throw new AppError(
          'RECORD_SIGNATURE_INVALID',
          {
            key: 'recordSignatureUnreadable',
            params: { reason: error instanceof Error ? error.message : 'invalid' },
          },
          { cause: error },
        );
      });
      const chain = this.#deps.trust.verifySigned(verified, {
        at: now,
        anyUsage: ['digitalSignature', 'nonRepudiation'],
      });
      if (chain.identity !== signer.identity) {
        throw new AppError('RECORD_SIGNATURE_INVALID', {
          key: 'signedBySomeoneElse',
          params: { signer: verified.signer.commonName, name: signer.name },
        });
      }
      await tx
        .insert(recordSignatures)
        .values({ tenderId: tender.id, signerId: actor.actorId!, signature, at: now, openObjections: open })
        .onConflictDoUpdate({
          target: [recordSignatures.tenderId, recordSignatures.signerId],
          set: { signature, at: now, openObjections: open },
        });
      detail.recordSha256 = tender.recordSha256!;
      if (open) detail.openObjections = open;
      await emit('signature', { name: signer.name, role });
      return { signed: true as const };
    });
  }

  object(tenderId: string, actor: Actor, text: string): Promise<{ objectionId: string }> {
    return this.#act(tenderId, actor, 'hall.object', async ({ tx, tender, now, emit, detail }) => {
      requireStatus(tender, 'objections', 'raising an objection');
      const mine = await ownBid(tx, tender.id, actor.actorId);
      const [row] = await tx
        .insert(objections)
        .values({ tenderId: tender.id, bidderId: actor.actorId!, text, at: now })
        .returning();
      detail.objectionId = row!.id;
      await emit('objection', objectionView(row!, mine.bidderName));
      return { objectionId: row!.id };
    });
  }

  answer(tenderId: string, actor: Actor, objectionId: string, text: string): Promise<{ answered: true }> {
    return this.#act(tenderId, actor, 'hall.answer', async ({ tx, tender, now, emit, detail }) => {
      requireStatus(tender, 'objections', 'answering an objection');
      const [row] = await tx
        .update(objections)
        .set({ answer: text, answeredBy: actor.actorId, answeredAt: now })
        .where(and(eq(objections.id, objectionId), eq(objections.tenderId, tender.id)))
        .returning();
      if (!row) throw new AppError('OBJECTION_UNKNOWN');
      const [bidder] = await tx.select({ name: actors.name }).from(actors).where(eq(actors.id, row.bidderId));
      detail.objectionId = objectionId;
      await emit('answer', objectionView(row, bidder?.name ?? ''));
      return { answered: true as const };
    });
  }

  close(tenderId: string, actor: Actor): Promise<{ status: TenderStatus }> {
    return this.#act(tenderId, actor, 'hall.close', async (scope) => {
      requireStatus(scope.tender, 'confirming', 'closing');
      const unanswered = (
        await scope.tx.select().from(objections).where(eq(objections.tenderId, scope.tender.id))
      ).filter((o) => o.answer === null);
      if (unanswered.length) {
        throw new AppError('OBJECTIONS_OPEN', {
          key: 'objectionsOpen',
          params: { count: unanswered.length },
        });
      }
      await this.#setStatus(scope, 'closed', { closedAt: scope.now });
      return { status: 'closed' as const };
    });
  }
}
