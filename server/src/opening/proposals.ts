/**
 * Steps of the opening that take two people (四眼原则): one of host and supervisor proposes, a person in
 * the other role confirms or rejects, each with a reason, all audited and announced to the hall.
 *
 * - An outage (`hall:record-outage`) names the bids the platform kept from being decrypted. Only once
 *   confirmed does it count at the end of the window: those bids are then the platform's fault (withdrawn,
 *   or the custodian remedy), never the bidder's (电子招标投标办法 Art 31). One person alone cannot turn
 *   a bidder's failure into the platform's.
 * - A settlement (`hall:settle`) is the way out of an opening in which nothing can move any more: after the
 *   window, bids that still have no outcome (the remedy cannot be completed, a documents decryption keeps
 *   failing) count as withdrawn through the platform's fault, and the reading of bids can go on.
 */
import {
  detailText,
  type ErrorDetail,
  openingStatusWords,
  phraseParams,
  type Role,
  roleWords,
} from '@bidhall/shared';
import { and, eq, isNull } from 'drizzle-orm';
import { bids, hallProposals, outages } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { bidChange, isFinal } from './bid-states.ts';
import { type Actor, type HallContext, hallAction, type StepScope } from './hall-action.ts';
import { activeBids, hallBid, proposalView } from './hall-view.ts';
import { requireStatus } from './state-machine.ts';

type ProposalRow = typeof hallProposals.$inferSelect;

export interface ProposalDeps extends HallContext {
  /** Called inside the settlement's transaction: the custodian remedy of the tender is over. */
  readonly onSettled: (tenderId: string) => void;
}

export class ProposalService {
  readonly #deps: ProposalDeps;

  constructor(deps: ProposalDeps) {
    this.#deps = deps;
  }

  proposeOutage(
    tenderId: string,
    actor: Actor,
    outage: { from: Date; to: Date; reason: string; bidIds: readonly string[] },
  ): Promise<{ proposalId: string }> {
    return hallAction(this.#deps, tenderId, actor, 'hall.record-outage', async (scope) => {
      await this.#checkOutage(scope, outage);
      const id = await this.#propose(scope, actor, 'outage', outage.reason, {
        from: outage.from.toISOString(),
        to: outage.to.toISOString(),
        bidIds: [...outage.bidIds],
      });
      Object.assign(scope.detail, {
        proposalId: id,
        from: outage.from.toISOString(),
        to: outage.to.toISOString(),
        bids: outage.bidIds.length,
        reason: outage.reason,
      });
      return { proposalId: id };
    });
  }

  proposeSettlement(tenderId: string, actor: Actor, reason: string): Promise<{ proposalId: string }> {
    return hallAction(this.#deps, tenderId, actor, 'hall.settle', async (scope) => {
      const stuck = await this.#checkSettlement(scope);
      const id = await this.#propose(scope, actor, 'settlement', reason, { bids: stuck.length });
      Object.assign(scope.detail, { proposalId: id, bids: stuck.length, reason });
      return { proposalId: id };
    });
  }

  confirm(tenderId: string, actor: Actor, proposalId: string, reason: string): Promise<{ confirmed: true }> {
    return hallAction(this.#deps, tenderId, actor, 'hall.confirm', async (scope) => {
      const proposal = await this.#pending(scope, actor, proposalId);
      const { tx, now, tender } = scope;
      if (proposal.kind === 'outage') {
        const detail = proposal.detail as { from: string; to: string; bidIds: string[] };
        const outage = { from: new Date(detail.from), to: new Date(detail.to), bidIds: detail.bidIds };
        await this.#checkOutage(scope, outage);
        await tx.insert(outages).values({
          tenderId: tender.id,
          from: outage.from,
          to: outage.to,
          reason: proposal.reason,
          source: 'staff',
          bidIds: outage.bidIds,
          recordedBy: proposal.proposedBy,
          recordedAt: now,
          confirmedBy: actor.actorId,
        });
        await scope.emit('outage', { from: detail.from, to: detail.to, reason: proposal.reason });
      } else {
        const stuck = await this.#checkSettlement(scope);
        const because: ErrorDetail = { key: 'settledWithdrawn', params: { reason: proposal.reason } };
        for (const bid of stuck) {
          const changes = {
            openingStatus: 'withdrawn-platform' as const,
            openingReason: detailText(because, 'zh'),
            openingBecause: because,
          };
          await tx.update(bids).set(bidChange(bid, changes)).where(eq(bids.id, bid.id));
          await scope.emit('bid', hallBid({ ...bid, ...changes }));
        }
        this.#deps.onSettled(tender.id);
        scope.detail.bids = stuck.length;
      }
      await this.#decide(scope, actor, proposal, 'confirmed', reason);
      return { confirmed: true as const };
    });
  }

  reject(tenderId: string, actor: Actor, proposalId: string, reason: string): Promise<{ rejected: true }> {
    return hallAction(this.#deps, tenderId, actor, 'hall.reject', async (scope) => {
      const proposal = await this.#pending(scope, actor, proposalId);
      await this.#decide(scope, actor, proposal, 'rejected', reason);
      return { rejected: true as const };
    });
  }

  async #propose(
    scope: StepScope,
    actor: Actor,
    kind: ProposalRow['kind'],
    reason: string,
    detail: Record<string, unknown>,
  ): Promise<string> {
    // The grants let only the two roles of the two-person rule propose; the row names which one did.
    if (actor.role !== 'host' && actor.role !== 'supervisor') throw new AppError('FORBIDDEN_ROLE');
    const [row] = await scope.tx
      .insert(hallProposals)
      .values({
        tenderId: scope.tender.id,
        kind,
        detail,
        reason,
        proposedBy: actor.actorId!,
        proposedRole: actor.role,
        proposedAt: scope.now,
      })
      .returning();
    await scope.emit('proposal', proposalView(row!));
    return row!.id;
  }

  async #pending(scope: StepScope, actor: Actor, proposalId: string): Promise<ProposalRow> {
    const [proposal] = await scope.tx
      .select()
      .from(hallProposals)
      .where(
        and(
          eq(hallProposals.id, proposalId),
          eq(hallProposals.tenderId, scope.tender.id),
          isNull(hallProposals.decision),
        ),
      )
      .for('update');
    if (!proposal) throw new AppError('PROPOSAL_UNKNOWN');
    if (proposal.proposedBy === actor.actorId || proposal.proposedRole === actor.role) {
      const decider = proposal.proposedRole === 'host' ? 'supervisor' : 'host';
      throw new AppError('PROPOSAL_SAME_PERSON', {
        key: 'decidedByOtherRole',
        params: {
          ...phraseParams('proposer', roleWords[proposal.proposedRole as Role]),
          ...phraseParams('decider', roleWords[decider]),
        },
      });
    }
    scope.detail.proposalId = proposal.id;
    scope.detail.kind = proposal.kind;
    return proposal;
  }

  async #decide(
    scope: StepScope,
    actor: Actor,
    proposal: ProposalRow,
    decision: 'confirmed' | 'rejected',
    reason: string,
  ): Promise<void> {
    const [row] = await scope.tx
      .update(hallProposals)
      .set({ decision, decidedBy: actor.actorId, decidedAt: scope.now, decisionReason: reason })
      .where(eq(hallProposals.id, proposal.id))
      .returning();
    scope.detail.reason = reason;
    const view = proposalView(row!);
    await scope.emit('proposal', {
      ...view,
      decision: view.decision && { ...view.decision, role: actor.role ?? '' },
    });
  }

  /** An outage lies between the opening of the bids and now, and names bids that still lack an outcome. */
  async #checkOutage(
    scope: StepScope,
    outage: { from: Date; to: Date; bidIds: readonly string[] },
  ): Promise<void> {
    const { tender, now } = scope;
    requireStatus(tender, 'beforeReading', 'recording an outage');
    if (tender.windowEndedAt) throw new AppError('HALL_WRONG_STATE', { key: 'windowEnded' });
    const opened = tender.openedAt?.getTime() ?? now.getTime();
    if (!(outage.from.getTime() <= outage.to.getTime()) || outage.to.getTime() > now.getTime() + 60_000) {
      throw new AppError('VALIDATION_FAILED', { key: 'outageTimes', params: { field: '/to' } });
    }
    if (outage.from.getTime() < opened) {
      throw new AppError('VALIDATION_FAILED', {
        key: 'outageBeforeOpening',
        params: { openedAt: tender.openedAt?.toISOString() ?? '', field: '/from' },
      });
    }
    const list = await activeBids(scope.tx, tender.id);
    for (const bidId of outage.bidIds) {
      const bid = list.find((b) => b.id === bidId);
      if (!bid) throw new AppError('VALIDATION_FAILED', { key: 'bidNotOfTender', params: { bidId } });
      if (isFinal(bid.openingStatus))
        throw new AppError('VALIDATION_FAILED', {
          key: 'bidAlreadyFinal',
          params: {
            bidder: bid.bidderName,
            ...phraseParams('status', openingStatusWords[bid.openingStatus]),
          },
        });
    }
  }

  /** A settlement is for an opening whose window has ended with bids that cannot reach an outcome. */
  async #checkSettlement(scope: StepScope) {
    requireStatus(scope.tender, 'decrypting', 'settling the opening');
    if (!scope.tender.windowEndedAt) {
      throw new AppError('HALL_WRONG_STATE', { key: 'windowStillOpen' });
    }
    const stuck = (await activeBids(scope.tx, scope.tender.id)).filter((b) => !isFinal(b.openingStatus));
    if (!stuck.length) throw new AppError('HALL_WRONG_STATE', { key: 'nothingToSettle' });
    return stuck;
  }
}
