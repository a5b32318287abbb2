/**
 * The custodian remedy (补救方案, 电子招标投标办法 Art 31): when bids could not be decrypted because of the
 * platform, k distinct custodians unseal their shares of the tender's opening key on their own machines
 * and submit them in the session; a supervisor approves; the key is rebuilt in memory only, opens only
 * the affected bids, and is dropped.
 *
 * k shares together are the opening key, able to open every bid of the tender, revoked ones included, so
 * they never rest whole: the first share of a remedy makes the process that receives it the session's
 * holder, with a key pair whose private half exists only in that process's memory. Any process takes a
 * share, checks it and stores it sealed to the session's public key (remedy_sessions, remedy_shares);
 * only the holder can open them. An approval reaching another process is forwarded to the holder over
 * the processes' Socket.IO adapter (the request, never a share). A holder gone (its lease run out, or
 * a restart) takes its key with it: the custodians submit again, into a new session. Every step is
 * audited.
 */
import { createHash, createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { HallSnapshot } from '@bidhall/shared';
import { and, count, eq, ne, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { EnvelopeReader } from '../cms/enveloped.ts';
import { recipientMatches, unwrapContentKey } from '../cms/recipients.ts';
import { type Signer, verifySmall } from '../cms/signed-data.ts';
import {
  type Bid,
  bids,
  remedySessions,
  remedyShares,
  type Tender,
  tenderCustodians,
} from '../db/schema/index.ts';
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
import { openShare, remedyKeyPair, sealShare } from './remedy-seal.ts';
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
  /**
   * Hands an approval to the process holding the remedy (several processes): its answer, or null when
   * no process answers as the holder.
   */
  readonly forward?: (tenderId: string, actor: Actor, reason: string) => Promise<{ approved: true } | null>;
  /** What went wrong opening the bids after a forwarded approval was answered (logged). */
  readonly onBackgroundError?: (error: unknown) => void;
}

type RemedySession = typeof remedySessions.$inferSelect;

/** How long a holder's claim lasts without renewal, and how often the holder renews it. */
const leaseMs = 30_000;
const renewMs = 10_000;

const keyHash = (publicKeyPem: string) => createHash('sha256').update(publicKeyPem).digest('hex');

export class RemedyService {
  readonly #deps: RemedyDeps;
  /** This process, as a remedy's holder. */
  readonly #holder = randomUUID();
  /**
   * The private keys of the remedies this process holds, by their public key (the session's), in memory
   * only. Kept before the session row is written, so a submission reading the row a moment later finds
   * the key and does not take the session for a dead one.
   */
  readonly #keys = new Map<string, { readonly tenderId: string; readonly privateKey: KeyObject }>();
  /** Keys whose session row is being written: not forgotten by a renewal meanwhile. */
  readonly #claiming = new Set<string>();
  readonly #renewal: NodeJS.Timeout;

  constructor(deps: RemedyDeps) {
    this.#deps = deps;
    this.#renewal = setInterval(() => void this.#renew(), renewMs);
    this.#renewal.unref();
  }

  /**
   * The process is closing: its keys go with it, so its sessions end now (their leases expire), and the
   * next approval or share anywhere says so at once instead of waiting for the lease.
   */
  async close(): Promise<void> {
    clearInterval(this.#renewal);
    this.#keys.clear();
    await this.#deps.db
      .update(remedySessions)
      .set({ leaseUntil: new Date(0) })
      .where(eq(remedySessions.holder, this.#holder))
      .catch(() => undefined);
  }

  async #renew(): Promise<void> {
    const until = new Date(this.#deps.clock.now().getTime() + leaseMs);
    for (const tenderId of new Set([...this.#keys.values()].map((k) => k.tenderId))) {
      const renewed = await this.#deps.db
        .update(remedySessions)
        .set({ leaseUntil: until })
        .where(and(eq(remedySessions.tenderId, tenderId), eq(remedySessions.holder, this.#holder)))
        .returning({ publicKey: remedySessions.publicKey })
        .catch(() => null);
      if (!renewed) continue;
      // Keys of this tender's sessions that are gone (approved, settled, taken over after a pause) are
      // forgotten; a key whose session is being written right now is not.
      for (const [publicKey, key] of this.#keys)
        if (
          key.tenderId === tenderId &&
          !this.#claiming.has(publicKey) &&
          renewed[0]?.publicKey !== publicKey
        )
          this.#keys.delete(publicKey);
    }
  }

  async #current(tenderId: string): Promise<{ session: RemedySession; received: number } | null> {
    const [session] = await this.#deps.db
      .select()
      .from(remedySessions)
      .where(eq(remedySessions.tenderId, tenderId));
    if (!session) return null;
    const [row] = await this.#deps.db
      .select({ received: count() })
      .from(remedyShares)
      .where(
        and(eq(remedyShares.tenderId, tenderId), eq(remedyShares.keySha256, keyHash(session.publicKey))),
      );
    return { session, received: Number(row?.received ?? 0) };
  }

  async state(tenderId: string): Promise<HallSnapshot['remedy']> {
    const current = await this.#current(tenderId);
    return current
      ? { quorum: current.session.quorum, sharesReceived: current.received, approved: false }
      : null;
  }

  /** Whether the session's holder can still open its shares: this process with its key, or a live lease. */
  #alive(session: RemedySession): boolean {
    return session.holder === this.#holder
      ? this.#keys.has(session.publicKey)
      : session.leaseUntil.getTime() > this.#deps.clock.now().getTime();
  }

  /**
   * The tender's live remedy session; none, or one whose holder is gone, makes this process the holder
   * with a new key (the shares sealed to the old one are dead). Two processes claiming at once: one wins
   * (the row's conflict), the other uses it.
   */
  async #session(tenderId: string, quorum: number): Promise<RemedySession> {
    const { db, clock } = this.#deps;
    const [existing] = await db.select().from(remedySessions).where(eq(remedySessions.tenderId, tenderId));
    if (existing && this.#alive(existing)) return existing;
    const { publicKeyPem, privateKey } = remedyKeyPair();
    this.#keys.set(publicKeyPem, { tenderId, privateKey });
    this.#claiming.add(publicKeyPem);
    const claim = {
      tenderId,
      holder: this.#holder,
      publicKey: publicKeyPem,
      quorum,
      leaseUntil: new Date(clock.now().getTime() + leaseMs),
    };
    let claimed: RemedySession | undefined;
    try {
      [claimed] = await db
        .insert(remedySessions)
        .values(claim)
        .onConflictDoUpdate({
          target: remedySessions.tenderId,
          set: claim,
          // Only the dead session this process saw: a claim made meanwhile by another process stands.
          setWhere: existing
            ? and(
                eq(remedySessions.holder, existing.holder),
                eq(remedySessions.publicKey, existing.publicKey),
              )
            : sql`false`,
        })
        .returning();
    } finally {
      this.#claiming.delete(publicKeyPem);
    }
    if (claimed?.publicKey === publicKeyPem) {
      // The dead session's shares only: a custodian may already have submitted to this new one.
      await db
        .delete(remedyShares)
        .where(and(eq(remedyShares.tenderId, tenderId), ne(remedyShares.keySha256, keyHash(publicKeyPem))));
      return claimed;
    }
    this.#keys.delete(publicKeyPem);
    const [theirs] = await db.select().from(remedySessions).where(eq(remedySessions.tenderId, tenderId));
    return theirs!;
  }

  #forget(tenderId: string): void {
    for (const [publicKey, key] of this.#keys) if (key.tenderId === tenderId) this.#keys.delete(publicKey);
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

  /** Forgets a tender's remedy (its shares deleted, its key dropped): approved, or settled without it. */
  async drop(tenderId: string): Promise<void> {
    this.#forget(tenderId);
    await this.#deps.db.delete(remedyShares).where(eq(remedyShares.tenderId, tenderId));
    await this.#deps.db.delete(remedySessions).where(eq(remedySessions.tenderId, tenderId));
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
    const value = await this.#checkShare(tender, row.shareIndex, signedShare);
    const session = await this.#session(tenderId, tender.quorum);
    const sealed = sealShare(session.publicKey, value);
    value.fill(0);
    let received = 0;
    await hallAction(this.#deps, tenderId, actor, 'hall.share-submit', async ({ tx, now, emit, detail }) => {
      // One submission at a time per remedy: each counts the shares before it (custodians submitting at
      // the same moment get 1 and 2, not 1 and 1).
      await tx.select().from(remedySessions).where(eq(remedySessions.tenderId, tenderId)).for('update');
      const inserted = await tx
        .insert(remedyShares)
        .values({
          tenderId,
          custodianId: row.custodianId,
          shareIndex: row.shareIndex,
          keySha256: keyHash(session.publicKey),
          sealed,
          at: now,
        })
        // A share of a dead session (another key) gives way; one for this session is a duplicate.
        .onConflictDoUpdate({
          target: [remedyShares.tenderId, remedyShares.custodianId],
          set: { shareIndex: row.shareIndex, keySha256: keyHash(session.publicKey), sealed, at: now },
          setWhere: ne(remedyShares.keySha256, keyHash(session.publicKey)),
        })
        .returning({ custodianId: remedyShares.custodianId });
      if (inserted.length === 0) throw new AppError('SHARE_DUPLICATE');
      const [counted] = await tx
        .select({ received: count() })
        .from(remedyShares)
        .where(
          and(eq(remedyShares.tenderId, tenderId), eq(remedyShares.keySha256, keyHash(session.publicKey))),
        );
      received = Number(counted?.received ?? 0);
      Object.assign(detail, { shareIndex: row.shareIndex, sharesReceived: received, quorum: session.quorum });
      await emit('remedy', { quorum: session.quorum, sharesReceived: received, approved: false });
    });
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
    const current = await this.#current(tenderId);
    if (!current || current.received < current.session.quorum) {
      throw new AppError('REMEDY_QUORUM_MISSING', {
        key: 'sharesReceived',
        params: { received: current?.received ?? 0, quorum: tender.quorum },
      });
    }
    const here = await this.approveHere(tenderId, actor, reason);
    if (here) return here;
    const forwarded =
      this.#deps.forward && this.#alive(current.session)
        ? await this.#deps.forward(tenderId, actor, reason)
        : null;
    if (forwarded) return forwarded;
    // No process holds the session's key any more: its shares cannot be opened. The custodians submit
    // again, into a new session.
    await this.drop(tenderId);
    throw new AppError('REMEDY_RESTARTED');
  }

  /**
   * The approval on the process holding the remedy's key (null on any other): open the shares, rebuild
   * the key, open each affected bid, forget the key and the shares.
   */
  async approveHere(
    tenderId: string,
    actor: Actor,
    reason: string,
    options: { openInBackground?: boolean } = {},
  ): Promise<{ approved: true } | null> {
    const current = await this.#current(tenderId);
    const privateKey = current ? this.#keys.get(current.session.publicKey)?.privateKey : undefined;
    if (!current || !privateKey || current.session.holder !== this.#holder) return null;
    const { session } = current;
    const tender = await this.#requireRemedy(tenderId);
    const rows = await this.#deps.db
      .select()
      .from(remedyShares)
      .where(
        and(eq(remedyShares.tenderId, tenderId), eq(remedyShares.keySha256, keyHash(session.publicKey))),
      );
    if (rows.length < session.quorum)
      throw new AppError('REMEDY_QUORUM_MISSING', {
        key: 'sharesReceived',
        params: { received: rows.length, quorum: session.quorum },
      });
    const shares = rows.map((r) => openShare(privateKey, r.sealed));
    const openingCertificate = parseCertificate(tender.openingCertificate);
    let key: KeyObject;
    try {
      key = await recoverOpeningKey(shares);
    } finally {
      for (const share of shares) share.fill(0);
    }
    const derived = createPublicKey(key).export({ type: 'spki', format: 'der' });
    if (!derived.equals(openingCertificate.publicKey.export({ type: 'spki', format: 'der' }))) {
      throw new AppError('SHARE_INVALID', { key: 'sharesDoNotRebuild' });
    }
    const opening = this.#openBids(tenderId, key, openingCertificate, session.quorum, actor, reason);
    if (!options.openInBackground) return opening;
    void opening.catch((error: unknown) => this.#deps.onBackgroundError?.(error));
    return { approved: true as const };
  }

  /** Opens each affected bid with the rebuilt key, then forgets the key and the shares. */
  async #openBids(
    tenderId: string,
    key: KeyObject,
    openingCertificate: ReturnType<typeof parseCertificate>,
    quorum: number,
    actor: Actor,
    reason: string,
  ): Promise<{ approved: true }> {
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
      await this.drop(tenderId);
    }
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
        custodians: quorum,
      });
      await emit('remedy', { quorum, sharesReceived: quorum, approved: true });
    });
    this.#deps.poke('jobs');
    return { approved: true as const };
  }
}
