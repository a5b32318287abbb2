/**
 * The custodian remedy (补救方案, 电子招标投标办法 Art 31): when bids could not be decrypted because of the
 * platform, k distinct custodians unseal their shares of the tender's opening key on their own machines
 * and submit them in the session; a supervisor approves; the key is rebuilt in memory only, opens only
 * the affected bids, and is dropped.
 *
 * Shares are held in this process's memory and nowhere else: a database or Redis copy of k shares would
 * be the opening key at rest, able to open every bid of the tender, including revoked ones. The cost: a
 * remedy must be carried out on one server process (route a tender's hall to one process), and a
 * restart during the remedy means the custodians submit again. Every step is audited.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { HallSnapshot } from '@bidhall/shared';
import { and, eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { EnvelopeReader } from '../cms/enveloped.ts';
import { recipientMatches, unwrapContentKey } from '../cms/recipients.ts';
import { type Signer, verifySmall } from '../cms/signed-data.ts';
import { type Bid, bids, type Tender, tenderCustodians } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { parseCertificate } from '../pki/certificate.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { keyShareFormat, recoverOpeningKey } from '../tenders/opening-key.ts';
import { findTender } from '../tenders/tender-service.ts';
import { bidChange } from './bid-states.ts';
import { type DecryptionService, invalidBecause } from './decryption.ts';
import { recordPlatformFault } from './faults.ts';
import { type Actor, type HallContext, hallAction } from './hall-action.ts';
import { activeBids, hallBid } from './hall-view.ts';
import { PlatformFault } from './sealed-part.ts';
import { requireStatus } from './state-machine.ts';

const KeyShareSchema = Type.Object({
  format: Type.Literal(keyShareFormat),
  tenderId: Type.String(),
  tenderCode: Type.String(),
  index: Type.Integer({ minimum: 1 }),
  quorum: Type.Integer({ minimum: 1 }),
  custodians: Type.Integer({ minimum: 1 }),
  openingCertificateSha256: Type.String(),
  share: Type.String(),
});
const shareValidator = Compile(KeyShareSchema);

export interface RemedyDeps extends HallContext {
  readonly blobs: BlobStore;
  readonly platformSigner: Signer;
  readonly decryption: DecryptionService;
}

interface RemedySession {
  readonly quorum: number;
  readonly shares: Map<string, Uint8Array>;
  /** Custodians whose share is being checked right now (a second submission meanwhile is a duplicate). */
  readonly pending: Set<string>;
  approved: boolean;
}

export class RemedyService {
  readonly #deps: RemedyDeps;
  readonly #sessions = new Map<string, RemedySession>();

  constructor(deps: RemedyDeps) {
    this.#deps = deps;
  }

  state(tenderId: string): HallSnapshot['remedy'] {
    const session = this.#sessions.get(tenderId);
    return session
      ? { quorum: session.quorum, sharesReceived: session.shares.size, approved: session.approved }
      : null;
  }

  async #pendingBids(tenderId: string) {
    return (await activeBids(this.#deps.db, tenderId)).filter((b) => b.openingStatus === 'remedy-pending');
  }

  async #requireRemedy(tenderId: string) {
    const tender = await findTender(this.#deps.db, tenderId);
    requireStatus(tender, 'decrypting', 'the remedy');
    if (!tender.windowEndedAt || (await this.#pendingBids(tenderId)).length === 0)
      throw new AppError('REMEDY_NOT_OPEN');
    return tender;
  }

  /** The custodian's own sealed share, to unseal on its own machine. */
  async fetchShare(tenderId: string, actor: Actor): Promise<{ sealedShare: string }> {
    await this.#requireRemedy(tenderId);
    const [row] = await this.#deps.db
      .select()
      .from(tenderCustodians)
      .where(
        and(eq(tenderCustodians.tenderId, tenderId), eq(tenderCustodians.custodianId, actor.actorId ?? '')),
      );
    if (!row) throw new AppError('FORBIDDEN_ROLE', { key: 'noShareHere' });
    return { sealedShare: row.sealedShare.toString('base64') };
  }

  /** Forgets a tender's remedy (its shares wiped): the opening was settled without it. */
  drop(tenderId: string): void {
    const session = this.#sessions.get(tenderId);
    if (!session) return;
    for (const share of session.shares.values()) share.fill(0);
    this.#sessions.delete(tenderId);
  }

  /**
   * The tender's remedy session, created on first use. Synchronous between the check and the set, so two
   * custodians submitting at the same moment share one session and neither share is lost.
   */
  #session(tenderId: string, quorum: number): RemedySession {
    let session = this.#sessions.get(tenderId);
    if (!session) {
      session = { quorum, shares: new Map(), pending: new Set(), approved: false };
      this.#sessions.set(tenderId, session);
    }
    return session;
  }

  /** Accepts a share the custodian unsealed: the platform-signed share document, checked in full. */
  async submitShare(
    tenderId: string,
    actor: Actor,
    signedShare: Buffer,
  ): Promise<{ sharesReceived: number }> {
    const tender = await this.#requireRemedy(tenderId);
    const [row] = await this.#deps.db
      .select()
      .from(tenderCustodians)
      .where(
        and(eq(tenderCustodians.tenderId, tenderId), eq(tenderCustodians.custodianId, actor.actorId ?? '')),
      );
    if (!row) throw new AppError('FORBIDDEN_ROLE', { key: 'noShareHere' });
    const session = this.#session(tenderId, tender.quorum);
    if (session.shares.has(row.custodianId) || session.pending.has(row.custodianId))
      throw new AppError('SHARE_DUPLICATE');
    session.pending.add(row.custodianId);
    let received = 0;
    try {
      const value = await this.#checkShare(tender, row.shareIndex, signedShare);
      await hallAction(this.#deps, tenderId, actor, 'hall.share-submit', async ({ emit, detail }) => {
        session.shares.set(row.custodianId, value);
        received = session.shares.size;
        Object.assign(detail, {
          shareIndex: row.shareIndex,
          sharesReceived: session.shares.size,
          quorum: session.quorum,
        });
        await emit('remedy', {
          quorum: session.quorum,
          sharesReceived: session.shares.size,
          approved: session.approved,
        });
      });
    } catch (error) {
      session.shares.delete(row.custodianId);
      throw error;
    } finally {
      session.pending.delete(row.custodianId);
    }
    return { sharesReceived: received };
  }

  async #checkShare(tender: Tender, shareIndex: number, signedShare: Buffer): Promise<Uint8Array> {
    const verified = await verifySmall(signedShare).catch((error: unknown) => {
      throw new AppError(
        'SHARE_INVALID',
        { key: 'shareNotSigned', params: { reason: (error as Error).message } },
        { cause: error },
      );
    });
    if (!verified.signer.der.equals(this.#deps.platformSigner.certificate.der)) {
      throw new AppError('SHARE_INVALID', { key: 'shareWrongSigner' });
    }
    let share: unknown;
    try {
      share = JSON.parse(verified.content!.toString('utf8'));
    } catch {
      throw new AppError('SHARE_INVALID', { key: 'shareNotJson' });
    }
    const openingSha = createHash('sha256')
      .update(parseCertificate(tender.openingCertificate).der)
      .digest('hex');
    if (
      !shareValidator.Check(share) ||
      share.tenderId !== tender.id ||
      share.index !== shareIndex ||
      share.openingCertificateSha256 !== openingSha
    ) {
      throw new AppError('SHARE_INVALID', { key: 'shareForeign' });
    }
    return new Uint8Array(Buffer.from(share.share, 'base64'));
  }

  /**
   * The supervisor's approval: rebuild the key, open each affected bid on its own, forget the key and the
   * shares. A bid that cannot be opened (its opening-certificate recipient does not yield a key, its
   * content fails) is marked with its reason; it does not keep the others from being opened.
   */
  async approve(tenderId: string, actor: Actor, reason: string): Promise<{ approved: true }> {
    const tender = await this.#requireRemedy(tenderId);
    const session = this.#sessions.get(tenderId);
    if (!session || session.shares.size < session.quorum) {
      throw new AppError('REMEDY_QUORUM_MISSING', {
        key: 'sharesReceived',
        params: { received: session?.shares.size ?? 0, quorum: tender.quorum },
      });
    }
    const openingCertificate = parseCertificate(tender.openingCertificate);
    const key = await recoverOpeningKey([...session.shares.values()]);
    const derived = createPublicKey(key).export({ type: 'spki', format: 'der' });
    if (!derived.equals(openingCertificate.publicKey.export({ type: 'spki', format: 'der' }))) {
      throw new AppError('SHARE_INVALID', { key: 'sharesDoNotRebuild' });
    }
    const opened: { bidId: string; changes: Partial<Bid> }[] = [];
    try {
      for (const bid of await this.#pendingBids(tenderId)) {
        const unwrap = async (sha256: string) => {
          const stream = createReadStream(this.#deps.blobs.pathOf(sha256), { highWaterMark: 64 * 1024 });
          try {
            const envelope = await EnvelopeReader.open(stream);
            const recipient = envelope.header.recipients.find((r) => recipientMatches(r, openingCertificate));
            if (!recipient) throw new AppError('CMS_MALFORMED', { key: 'notForOpeningCertificate' });
            return unwrapContentKey(recipient, key);
          } finally {
            stream.destroy();
          }
        };
        let keys: { summary: Buffer; documents: Buffer };
        try {
          keys = { summary: await unwrap(bid.summarySha256), documents: await unwrap(bid.documentsSha256) };
        } catch (error) {
          // The bidder sealed a recipient for the opening certificate that does not give a key: its fault.
          opened.push({
            bidId: bid.id,
            changes: {
              openingStatus: 'invalid',
              openingReason: `补救解密失败：开标证书无法取得内容密钥 (the opening certificate's recipient does not yield the content key: ${(error as Error).message})`,
              openingBecause: invalidBecause(
                `the opening certificate's recipient does not yield the content key: ${(error as Error).message}`,
              ),
            },
          });
          continue;
        }
        try {
          opened.push({
            bidId: bid.id,
            changes: await this.#deps.decryption.openWithKeys(bid, keys.summary, keys.documents),
          });
        } catch (error) {
          // The platform's own failure leaves the bid waiting (settle the opening if it persists).
          if (!(error instanceof PlatformFault)) throw error;
          await recordPlatformFault(this.#deps, tenderId, bid.id, `补救解密时平台故障：${error.message}`);
        }
      }
    } finally {
      // The rebuilt key and the shares exist only for this moment.
      this.drop(tenderId);
    }
    session.approved = true;
    const list = await activeBids(this.#deps.db, tenderId);
    await hallAction(this.#deps, tenderId, actor, 'hall.approve-remedy', async ({ tx, emit, detail }) => {
      for (const { bidId, changes } of opened) {
        const bid = list.find((b) => b.id === bidId)!;
        await tx.update(bids).set(bidChange(bid, changes)).where(eq(bids.id, bidId));
        await emit('bid', hallBid({ ...bid, ...changes }));
      }
      Object.assign(detail, {
        reason,
        bidsOpened: opened.filter((o) => o.changes.openingStatus !== 'invalid').length,
        bidsFailed: opened.filter((o) => o.changes.openingStatus === 'invalid').length,
        custodians: session.quorum,
      });
      await emit('remedy', { quorum: session.quorum, sharesReceived: session.quorum, approved: true });
    });
    this.#deps.poke('jobs');
    return { approved: true as const };
  }
}
