/**
 * Remote decryption (远程解密): each bidder decrypts its own bid with its own key, on its own machine.
 *
 * 1. The bidder's client fetches its RecipientInfos (`recipientPackage`), unwraps the content keys with
 *    its private key locally, and submits them (`submitKey`). The private key never leaves the client.
 * 2. The summary (small) is opened at once in this thread: decrypted, its inner signature verified
 *    (signer = the bidder, certificate valid when the bid was received), its fields checked against the
 *    tender and its documents hash recorded.
 * 3. The documents (large) are opened in the background by worker threads (DocumentJobs), with progress;
 *    a cheap check of the first plaintext bytes answers a wrong key at once.
 *
 * Before the deadline a bidder can run a self-test: the platform seals a fresh secret to the encryption
 * certificate of the stored bid; opening it proves the bidder holds that key today, without anyone
 * learning a content key. The client also opens its stored summary locally and reports the result.
 */

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cpus } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import {
  allowedIn,
  bidGroups,
  bidIn,
  detailText,
  type ErrorDetail,
  OpeningSummary,
  openingStatusWords,
  phraseParams,
  type RecipientPackage,
  type SelfTestChallenge,
  selfTestSecretBytes,
  summaryProblems,
} from '@bidhall/shared';
import { and, eq, inArray, isNotNull, isNull, lt, notInArray, or } from 'drizzle-orm';
import { Piscina } from 'piscina';
import { Compile } from 'typebox/compile';
import { EnvelopeReader, sealStream } from '../cms/enveloped.ts';
import { type Bid, bids, selfTestChallenges } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { parseCertificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { findTender } from '../tenders/tender-service.ts';
import { bidChange } from './bid-states.ts';
import type { DecryptFailure, DecryptResult, DecryptTask } from './decrypt-worker.ts';
import { recordPlatformFault } from './faults.ts';
import { type Actor, type HallContext, hallAction } from './hall-action.ts';
import { activeBids, hallBid, ownBid } from './hall-view.ts';
import { keyOpensPart, openSealedPart, PlatformFault } from './sealed-part.ts';
import { requireStatus } from './state-machine.ts';

const summaryValidator = Compile(OpeningSummary);
const maxSummaryPlaintext = 1024 * 1024;
const selfTestLifetimeMs = 5 * 60_000;

export interface DecryptionDeps extends HallContext {
  readonly trust: TrustStore;
  readonly blobs: BlobStore;
  /** Progress of a documents decryption, 0..1 (not sequenced: only the latest value matters). */
  readonly progress: (tenderId: string, bidId: string, progress: number) => void;
  readonly log: { warn(object: object, message: string): void; error(object: object, message: string): void };
}

interface OpenedSummary {
  readonly fields: Record<string, string | number | boolean>;
  readonly documentsSha256: string;
}

async function readRecipientInfos(path: string): Promise<Buffer> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    return (await EnvelopeReader.open(stream)).header.recipientInfos;
  } finally {
    stream.destroy();
  }
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

export class DecryptionService {
  readonly #deps: DecryptionDeps;

  constructor(deps: DecryptionDeps) {
    this.#deps = deps;
  }

  #ownBid(tenderId: string, actor: Actor) {
    return ownBid(this.#deps.db, tenderId, actor.actorId);
  }

  async recipientPackage(tenderId: string, actor: Actor): Promise<RecipientPackage> {
    const bid = await this.#ownBid(tenderId, actor);
    const summaryPath = this.#deps.blobs.pathOf(bid.summarySha256);
    try {
      return {
        bidId: bid.id,
        summary: (await readRecipientInfos(summaryPath)).toString('base64'),
        documents: (await readRecipientInfos(this.#deps.blobs.pathOf(bid.documentsSha256))).toString(
          'base64',
        ),
        sealedSummary: (await collect(createReadStream(summaryPath))).toString('base64'),
        encryptionCertificate: bid.encryptionCertificate,
        manifest: bid.manifest.toString('base64'),
        manifestSignature: bid.manifestSignature.toString('base64'),
      };
    } catch (error) {
      // The parts were read whole at upload: failing to read them now is the platform's fault.
      const fault = new PlatformFault(
        `the stored bid cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        { cause: error },
      );
      await recordPlatformFault(this.#deps, tenderId, bid.id, faultMessage(fault));
      throw new AppError(
        'PLATFORM_FAULT',
        { key: 'platformFaultNotYours', params: { reason: fault.message } },
        { cause: error },
      );
    }
  }

  async selfTestChallenge(tenderId: string, actor: Actor): Promise<SelfTestChallenge> {
    const bid = await this.#ownBid(tenderId, actor);
    const secret = randomBytes(selfTestSecretBytes);
    async function* plaintext() {
      yield secret;
    }
    const envelope = await collect(
      sealStream(plaintext(), {
        recipients: [parseCertificate(bid.encryptionCertificate)],
        cipher: 'aes-256-gcm',
      }),
    );
    const challengeId = randomUUID();
    const now = this.#deps.clock.now();
    // In the database: the answer may come through another server process.
    await this.#deps.db.transaction(async (tx) => {
      await tx.delete(selfTestChallenges).where(lt(selfTestChallenges.expiresAt, now));
      await tx.insert(selfTestChallenges).values({
        id: challengeId,
        bidId: bid.id,
        secretSha256: createHash('sha256').update(secret).digest('hex'),
        expiresAt: new Date(now.getTime() + selfTestLifetimeMs),
      });
    });
    return { challengeId, envelope: envelope.toString('base64') };
  }

  /** Checks the answer to a challenge; the result (and the client's own summary check) is audited. */
  async selfTest(tenderId: string, actor: Actor, challengeId: string, answer: Buffer, summaryOk: boolean) {
    const bid = await this.#ownBid(tenderId, actor);
    // Used once, by whichever process the answer reaches first; only for the bidder's own bid.
    const [challenge] = /^[0-9a-f-]{36}$/i.test(challengeId)
      ? await this.#deps.db
          .delete(selfTestChallenges)
          .where(and(eq(selfTestChallenges.id, challengeId), eq(selfTestChallenges.bidId, bid.id)))
          .returning()
      : [];
    if (!challenge || challenge.expiresAt < this.#deps.clock.now()) throw new AppError('SELF_TEST_UNKNOWN');
    // The answer is the SHA-256 of the secret (the client never hands back what it decrypts).
    const keyOk = answer.length === 32 && answer.toString('hex') === challenge.secretSha256;
    const passed = keyOk && summaryOk;
    const because: ErrorDetail = {
      key: passed ? 'selfTestPassed' : !keyOk ? 'selfTestKeyMismatch' : 'selfTestBidUnopenable',
    };
    const message = detailText(because, 'en');
    await hallAction(this.#deps, tenderId, actor, 'hall.self-test', async ({ detail }) => {
      Object.assign(detail, { bidId: challenge.bidId, keyOk, summaryOk, passed });
    });
    return { passed, message, because };
  }

  /** Accepts a content key for one part of the bidder's own bid during the window. */
  async submitKey(tenderId: string, actor: Actor, part: 'summary' | 'documents', contentKey: Buffer) {
    const bid = await this.#ownBid(tenderId, actor);
    const path = this.#deps.blobs.pathOf(part === 'summary' ? bid.summarySha256 : bid.documentsSha256);
    // Crypto happens before the transaction, so no lock is held while a key is tried. A fault of the
    // platform's own changes nothing about the bid: it is recorded, and the bidder may try again.
    let opened: OpenedSummary | { invalid: string } | null = null;
    try {
      if (part === 'summary') {
        opened = await this.#openSummary(bid, path, contentKey);
      } else if (!(await keyOpensPart(path, contentKey))) {
        throw new AppError('DECRYPT_WRONG_KEY');
      }
    } catch (error) {
      if (!(error instanceof PlatformFault)) throw error;
      await recordPlatformFault(this.#deps, tenderId, bid.id, faultMessage(error));
      throw new AppError(
        'PLATFORM_FAULT',
        { key: 'platformFaultNotYours', params: { reason: error.message } },
        { cause: error },
      );
    }
    await hallAction(this.#deps, tenderId, actor, 'hall.decrypt', async ({ tx, tender, emit, detail }) => {
      requireStatus(tender, 'decrypting', 'decryption');
      if (tender.windowEndedAt) throw new AppError('HALL_WRONG_STATE', { key: 'windowEnded' });
      const [current] = await tx.select().from(bids).where(eq(bids.id, bid.id)).for('update');
      if (!current || !bidIn('awaitingKeys', current.openingStatus)) {
        throw new AppError('HALL_WRONG_STATE', {
          key: 'bidIsInStatus',
          params: current ? phraseParams('status', openingStatusWords[current.openingStatus]) : {},
        });
      }
      if ((part === 'summary' ? current.summaryKey : current.documentsKey) !== null)
        throw new AppError('DECRYPT_DONE');
      Object.assign(detail, { bidId: bid.id, part });
      const changes = await this.#afterKey(current, part, contentKey, opened, 'bidder');
      await tx.update(bids).set(bidChange(current, changes)).where(eq(bids.id, bid.id));
      const updated = { ...current, ...changes };
      await emit('bid', hallBid({ ...bid, ...updated }));
      if (changes.openingStatus === 'invalid') detail.invalid = changes.openingReason ?? '';
    });
    if (part === 'documents') this.#deps.poke('jobs');
    if (opened && 'invalid' in opened)
      throw new AppError('BID_CONTENT_INVALID', invalidBecause(opened.invalid));
    return { part, accepted: true as const };
  }

  /** What to record once a key is proven: the key itself, and for the summary, its content. */
  async #afterKey(
    bid: Bid,
    part: 'summary' | 'documents',
    contentKey: Buffer,
    opened: OpenedSummary | { invalid: string } | null,
    by: 'bidder' | 'remedy',
  ): Promise<Partial<Bid>> {
    if (part === 'documents') return { documentsKey: contentKey, documentsLeaseUntil: null, decryptedBy: by };
    if (!opened || 'invalid' in opened) {
      return {
        summaryKey: contentKey,
        openingStatus: 'invalid',
        openingReason: opened?.invalid ?? 'invalid',
        openingBecause: invalidBecause(opened?.invalid ?? 'invalid'),
        decryptedBy: by,
      };
    }
    const changes: Partial<Bid> = {
      summaryKey: contentKey,
      summaryFields: opened.fields,
      summaryDocumentsSha256: opened.documentsSha256,
      openingStatus: 'summary-decrypted',
      decryptedBy: by,
    };
    if (bid.documentsPlainSha256)
      Object.assign(changes, binding(opened.documentsSha256, bid.documentsPlainSha256));
    return changes;
  }

  /**
   * Opens and checks a summary: a wrong key is DECRYPT_WRONG_KEY (nothing changes, the bidder may retry);
   * content problems are the bidder's fault and make the bid invalid; platform faults are thrown.
   */
  async #openSummary(bid: Bid & { bidderIdentity: string }, path: string, contentKey: Buffer) {
    const chunks: Buffer[] = [];
    let size = 0;
    const outcome = await openSealedPart(path, bid.summarySha256, contentKey, (chunk) => {
      size += chunk.length;
      if (size > maxSummaryPlaintext) throw new AppError('BID_CONTENT_INVALID', { key: 'summaryTooLarge' });
      chunks.push(Buffer.from(chunk));
    });
    if (outcome.kind === 'wrong-key') throw new AppError('DECRYPT_WRONG_KEY');
    if (outcome.kind === 'content') return { invalid: `opening summary: ${outcome.message}` };
    const { verified } = outcome;
    const problem = this.#signerProblem(verified.signer, verified.certificates, bid);
    if (problem) return { invalid: problem };
    let summary: unknown;
    try {
      summary = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return { invalid: 'the opening summary is not JSON' };
    }
    if (!summaryValidator.Check(summary))
      return { invalid: 'the opening summary does not follow bidhall-summary/1' };
    if (summary.tenderId !== bid.tenderId) return { invalid: 'the opening summary names another tender' };
    const tender = await findTender(this.#deps.db, bid.tenderId);
    const problems = summaryProblems(tender.summaryFields, summary.fields);
    if (problems.length) return { invalid: `opening summary: ${problems.join('; ')}` };
    return { fields: summary.fields, documentsSha256: summary.documentsSha256 };
  }

  /**
   * Null when the signer is the bidder and its certificate was valid when the bid was received; else what
   * is wrong (the bidder's fault). Revocation that cannot be checked (no current CRL) is the platform's
   * fault: thrown as a PlatformFault, never a verdict on the bid.
   */
  #signerProblem(
    signer: ReturnType<typeof parseCertificate>,
    certificates: readonly ReturnType<typeof parseCertificate>[],
    bid: Bid & { bidderIdentity: string },
  ): string | null {
    try {
      const { identity } = this.#deps.trust.verifySigned(
        { signer, certificates },
        {
          at: bid.receivedAt,
          crlAt: this.#deps.clock.now(),
          anyUsage: ['digitalSignature', 'nonRepudiation'],
        },
      );
      if (identity !== bid.bidderIdentity) {
        return `signed by "${signer.commonName}" (${identity ?? 'no identity'}), not by the bidder`;
      }
      return null;
    } catch (error) {
      if (error instanceof AppError && error.code === 'CERT_REVOCATION_UNKNOWN') {
        throw new PlatformFault(
          `证书吊销列表（CRL）已过期或缺失，平台无法核验签名证书 (no current CRL: ${error.message})`,
          { cause: error },
        );
      }
      return `the signing certificate was not valid when the bid was received: ${(error as Error).message}`;
    }
  }

  /** Opens a bid with keys recovered by the custodian remedy (remedy.ts). */
  async openWithKeys(
    bid: Bid & { bidderIdentity: string },
    summaryKey: Buffer,
    documentsKey: Buffer,
  ): Promise<Partial<Bid>> {
    const opened = await this.#openSummary(bid, this.#deps.blobs.pathOf(bid.summarySha256), summaryKey).catch(
      (error: unknown) => {
        if (error instanceof PlatformFault) throw error;
        return { invalid: (error as Error).message };
      },
    );
    return {
      ...(await this.#afterKey(bid, 'summary', summaryKey, opened, 'remedy')),
      documentsKey,
      documentsLeaseUntil: null,
    };
  }

  /**
   * Finishes a documents job: checks the signer and the binding to the summary, records the outcome.
   * Returns false when the platform failed (nothing recorded about the bid; the job is retried).
   */
  async finishDocuments(
    bidId: string,
    result: DecryptResult | DecryptFailure,
    tempPath: string,
  ): Promise<boolean> {
    const { db, blobs } = this.#deps;
    const [row] = await db.select().from(bids).where(eq(bids.id, bidId));
    if (!row) return true;
    const list = await activeBids(db, row.tenderId);
    const bid = list.find((b) => b.id === bidId);
    if (!bid) return true;
    let changes: Partial<Bid>;
    try {
      if (!result.ok && result.kind === 'platform') throw new PlatformFault(result.message);
      if (!result.ok) {
        changes = {
          openingStatus: 'invalid',
          openingReason: `documents: ${result.message}`,
          openingBecause: invalidBecause(`documents: ${result.message}`),
          documentsLeaseUntil: null,
        };
      } else {
        const signer = parseCertificate(Buffer.from(result.signer));
        const problem = this.#signerProblem(
          signer,
          result.certificates.map((c) => parseCertificate(Buffer.from(c))),
          bid,
        );
        if (problem) {
          changes = {
            openingStatus: 'invalid',
            openingReason: `documents: ${problem}`,
            openingBecause: invalidBecause(`documents: ${problem}`),
            documentsLeaseUntil: null,
          };
        } else {
          await blobs.commit(tempPath, result.plainSha256);
          changes = { documentsPlainSha256: result.plainSha256, documentsLeaseUntil: null };
          if (bid.summaryDocumentsSha256)
            Object.assign(changes, binding(bid.summaryDocumentsSha256, result.plainSha256));
        }
      }
    } catch (error) {
      await blobs.discard(tempPath);
      const fault =
        error instanceof PlatformFault ? error : new PlatformFault(String(error), { cause: error });
      await recordPlatformFault(this.#deps, row.tenderId, bidId, faultMessage(fault));
      return false;
    }
    await blobs.discard(tempPath);
    await hallAction(
      this.#deps,
      row.tenderId,
      { actorId: null, role: 'system', ip: null },
      'hall.documents-decrypted',
      async ({ tx, tender, emit, detail }) => {
        // From the reading of bids on every outcome is fixed: a late job changes nothing.
        if (allowedIn('outcomesFixed', tender.status)) {
          detail.ignored = `the opening is ${tender.status}`;
          return;
        }
        const [current] = await tx
          .select({ openingStatus: bids.openingStatus })
          .from(bids)
          .where(eq(bids.id, bidId))
          .for('update');
        await tx
          .update(bids)
          .set(bidChange(current ?? bid, changes))
          .where(eq(bids.id, bidId));
        Object.assign(detail, {
          bidId,
          ok: result.ok,
          ...(changes.openingReason ? { reason: changes.openingReason } : {}),
        });
        await emit('bid', hallBid({ ...bid, ...changes }));
      },
    );
    return true;
  }
}

/** What a platform fault tells host, supervisors and bidder (no paths, no internals beyond the cause). */
function faultMessage(fault: PlatformFault): string {
  return `平台故障，非投标人责任：${fault.message}`;
}

/** A bid whose content failed its checks, for people; the technical reason stays beside it. */
export function invalidBecause(reason: string): ErrorDetail {
  return { key: 'bidContentInvalid', params: { reason: reason.slice(0, 300) } };
}

/** The summary is bound to the documents by their plaintext hash (docs/bid-format.md). */
function binding(summarySays: string, documentsAre: string): Partial<Bid> {
  return summarySays === documentsAre
    ? { openingStatus: 'decrypted' }
    : {
        openingStatus: 'invalid',
        openingReason: `the documents (SHA-256 ${documentsAre}) are not the ones the summary names (${summarySays})`,
        openingBecause: invalidBecause('the documents are not the ones the summary names'),
      };
}

/**
 * Background decryption of documents parts, in worker threads. A job holds a lease on its bid row while it
 * runs (renewed), so after a crash or restart another process, or the same one, picks it up again.
 */
export class DocumentJobs {
  readonly #deps: DecryptionDeps;
  readonly #service: DecryptionService;
  readonly #pool: Piscina;
  readonly #running = new Set<string>();
  readonly #leaseMs: number;
  readonly #retryMs: number;
  readonly #shutdownGraceMs: number;
  #closed = false;

  constructor(
    deps: DecryptionDeps,
    service: DecryptionService,
    options: {
      threads?: number | undefined;
      leaseMs?: number | undefined;
      retryMs?: number | undefined;
      /** At shutdown, how long running jobs get to finish before they are handed back. */
      shutdownGraceMs?: number | undefined;
    } = {},
  ) {
    const threads = options.threads ?? Math.max(1, cpus().length);
    this.#deps = deps;
    this.#service = service;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#retryMs = options.retryMs ?? 30_000;
    this.#shutdownGraceMs = options.shutdownGraceMs ?? 8_000;
    this.#pool = new Piscina({
      filename: new URL('./decrypt-worker.ts', import.meta.url).href,
      maxThreads: threads,
      minThreads: 0,
      // Two jobs per thread: one computes while the other waits for the disk.
      concurrentTasksPerWorker: 2,
      idleTimeout: 30_000,
    });
  }

  /**
   * Claims what is waiting and starts it: three jobs per thread (two running, one queued), so that a
   * thread finishing one finds the next already there.
   */
  async tick(): Promise<void> {
    if (this.#closed) return;
    const free = this.#pool.options.maxThreads * 3 - this.#running.size;
    if (free <= 0) return;
    const now = this.#deps.clock.now();
    const claimed = await this.#deps.db.transaction(async (tx) => {
      const waiting = await tx
        .select({ id: bids.id })
        .from(bids)
        .where(
          and(
            isNotNull(bids.documentsKey),
            isNull(bids.documentsPlainSha256),
            notInArray(bids.openingStatus, [...bidGroups.out]),
            or(isNull(bids.documentsLeaseUntil), lt(bids.documentsLeaseUntil, now)),
          ),
        )
        .limit(free)
        .for('update', { skipLocked: true });
      const ids = waiting.map((w) => w.id).filter((id) => !this.#running.has(id));
      for (const id of ids) {
        await tx
          .update(bids)
          .set({ documentsLeaseUntil: new Date(now.getTime() + this.#leaseMs) })
          .where(eq(bids.id, id));
      }
      return ids;
    });
    for (const id of claimed) void this.#run(id);
  }

  async #run(bidId: string): Promise<void> {
    this.#running.add(bidId);
    const renew = setInterval(() => {
      void this.#deps.db
        .update(bids)
        .set({ documentsLeaseUntil: new Date(this.#deps.clock.now().getTime() + this.#leaseMs) })
        .where(eq(bids.id, bidId))
        .catch(() => undefined);
    }, this.#leaseMs / 3);
    // One temp name per bid: whoever holds the lease next removes what a crashed holder left half-written.
    const temp = { path: this.#deps.blobs.tempPathFor(`documents-${bidId}`) };
    await this.#deps.blobs.discard(temp.path);
    try {
      const [bid] = await this.#deps.db.select().from(bids).where(eq(bids.id, bidId));
      if (!bid?.documentsKey) return;
      const channel = new MessageChannel();
      channel.port2.on('message', (progress: number) => this.#deps.progress(bid.tenderId, bidId, progress));
      const task: DecryptTask = {
        sealedPath: this.#deps.blobs.pathOf(bid.documentsSha256),
        sealedSha256: bid.documentsSha256,
        contentKey: new Uint8Array(bid.documentsKey),
        outputPath: temp.path,
        progress: channel.port1,
      };
      const result = (await this.#pool.run(task, { transferList: [channel.port1] })) as
        | DecryptResult
        | DecryptFailure;
      channel.port2.close();
      if (await this.#service.finishDocuments(bidId, result, temp.path)) {
        this.#deps.progress(bid.tenderId, bidId, 1);
      } else {
        this.#deps.log.error({ bidId }, 'documents decryption met a platform fault; retried shortly');
        await this.#holdForRetry(bidId);
      }
    } catch (error) {
      if (this.#closed) {
        // Stopped by the shutdown: handed back for another process to take at once, not held for retry.
        await this.#release([bidId]);
        return;
      }
      this.#deps.log.error({ err: error, bidId }, 'documents decryption failed; it is retried shortly');
      await this.#holdForRetry(bidId).catch(() => undefined);
    } finally {
      clearInterval(renew);
      this.#running.delete(bidId);
      if (!this.#closed) void this.tick().catch(() => undefined);
    }
  }

  /** A job the platform could not finish waits `retryMs` before anyone takes it again. */
  async #holdForRetry(bidId: string): Promise<void> {
    const until = new Date(this.#deps.clock.now().getTime() + this.#retryMs);
    await this.#deps.db.update(bids).set({ documentsLeaseUntil: until }).where(eq(bids.id, bidId));
  }

  /** Jobs running in this process (for shutdown and tests). */
  get running(): number {
    return this.#running.size;
  }

  /** Gives up the leases of these jobs: any process may take them now. */
  async #release(bidIds: readonly string[]): Promise<void> {
    if (bidIds.length === 0) return;
    await this.#deps.db
      .update(bids)
      .set({ documentsLeaseUntil: null })
      .where(and(inArray(bids.id, [...bidIds]), isNull(bids.documentsPlainSha256)))
      .catch(() => undefined);
  }

  /**
   * Shutdown: nothing new is taken; running jobs get the grace to finish, and those still running are
   * handed back (their leases released) so another process resumes them at once, not after the lease.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const deadline = Date.now() + this.#shutdownGraceMs;
    while (this.#running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await this.#release([...this.#running]);
    await this.#pool.destroy();
  }
}
