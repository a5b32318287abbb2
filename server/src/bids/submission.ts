/**
 * Bid submission (投标文件递交): receives the two sealed parts as streams, checks everything that can be
 * checked without decrypting (manifest signature, certificates, CMS structure, both required recipients,
 * hashes), stores the ciphertext under its SHA-256 and returns a receipt signed by the platform.
 *
 * The deadline rule (docs/bid-format.md): the server's clock at the moment the last byte of the upload
 * has arrived decides. An upload is accepted only if that moment is strictly before the deadline; an
 * upload still running at the deadline is stopped then. Nothing is stored for a rejected upload.
 */

import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { statfs } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import {
  type AuditAction,
  allowedIn,
  BidManifest,
  type BidPart,
  biddersSealed,
  bidParts,
  bidPartWords,
  phraseParams,
  type Receipt,
  type ReceiptKind,
  receiptFormat,
} from '@bidhall/shared';
import canonicalize from 'canonicalize';
import { and, eq } from 'drizzle-orm';
import { Compile } from 'typebox/compile';
import { type AuditPosition, appendInTx } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import { EnvelopeReader } from '../cms/enveloped.ts';
import { recipientMatches, recipientProblem } from '../cms/recipients.ts';
import { type Signer, signSmall, verifySmall } from '../cms/signed-data.ts';
import type { Database, Transaction } from '../db/client.ts';
import { type Bid, bids, type Tender, tenders } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { type ParsedCertificate, parseCertificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { findTender } from '../tenders/tender-service.ts';

const manifestValidator = Compile(BidManifest);

export interface Bidder {
  readonly actorId: string;
  readonly identity: string;
  readonly name: string;
  readonly ip: string | null;
}

/** One part of the multipart upload, in the order the client sent them. */
export type UploadPart =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'file'; readonly name: string; readonly stream: AsyncIterable<Buffer> };

export interface SubmissionLimits {
  readonly summaryBytes: number;
  readonly documentsBytes: number;
  readonly manifestBytes: number;
  readonly idleTimeoutMs: number;
  /** Uploads one bidder may have in progress at once (per server process). */
  readonly concurrentPerBidder: number;
  /** Free space the blob store's disk keeps; an upload that would eat into it is refused. */
  readonly minFreeDiskBytes: number;
}

export interface SubmissionDeps {
  readonly db: Database;
  readonly clock: Clock;
  readonly trust: TrustStore;
  readonly blobs: BlobStore;
  readonly platformSigner: Signer;
  readonly limits: SubmissionLimits;
}

export interface ReceiptResult {
  readonly bidId: string;
  readonly receipt: Receipt;
  /** CMS SignedData (DER) over the canonical receipt JSON; `openssl cms -verify` accepts it. */
  readonly signedReceipt: Buffer;
}

interface ReceivedPart {
  readonly tempPath: string;
  readonly sha256: string;
  readonly size: number;
  /** When its last byte was read. */
  readonly endedAt: Date;
}

interface VerifiedManifest {
  readonly bytes: Buffer;
  readonly manifest: BidManifest;
  readonly encryptionCertificate: ParsedCertificate;
}

export class SubmissionService {
  readonly #deps: SubmissionDeps;
  /** Uploads in progress in this process, by bidder. */
  readonly #open = new Map<string, number>();

  constructor(deps: SubmissionDeps) {
    this.#deps = deps;
  }

  #ensureOpen(tender: Tender, at: Date): void {
    if (tender.status === 'cancelled') throw new AppError('TENDER_CANCELLED');
    if (at.getTime() >= tender.deadline.getTime() || !allowedIn('bidding', tender.status)) {
      throw new AppError('BID_LATE', {
        key: 'deadlinePassed',
        params: { deadline: tender.deadline.toISOString(), now: at.toISOString() },
      });
    }
  }

  /**
   * Receives an upload. Guards it the whole time: the body must keep coming (UPLOAD_STALLED after
   * `idleTimeoutMs` without data, answered then, not when the client hangs up), must end before the
   * deadline (an upload still running then is answered BID_LATE at that instant), one bidder may hold at
   * most `concurrentPerBidder` uploads open, and there must be room on the disk. The deadline instant is
   * when the last byte was read; flushing the parts to disk and verifying them come after it.
   */
  async submit(
    tenderId: string,
    bidder: Bidder,
    parts: AsyncIterable<UploadPart>,
    options: { replace: boolean; declaredBytes?: number },
  ): Promise<ReceiptResult> {
    const tender = await findTender(this.#deps.db, tenderId);
    this.#ensureOpen(tender, this.#deps.clock.now());
    await this.#ensureRoom(options.declaredBytes ?? 0);
    const open = this.#open.get(bidder.actorId) ?? 0;
    if (open >= this.#deps.limits.concurrentPerBidder) {
      throw new AppError('UPLOAD_TOO_MANY', { key: 'uploadsInProgress', params: { count: open } });
    }
    this.#open.set(bidder.actorId, open + 1);
    const cut = new AbortController();
    const untilDeadline = tender.deadline.getTime() - this.#deps.clock.now().getTime();
    const lateTimer = setTimeout(
      () =>
        cut.abort(
          new AppError('BID_LATE', {
            key: 'deadlinePassedDuringUpload',
            params: { deadline: tender.deadline.toISOString() },
          }),
        ),
      Math.max(0, untilDeadline),
    );
    const guard = <T>(source: AsyncIterable<T>) =>
      guarded(source, this.#deps.limits.idleTimeoutMs, cut.signal);
    const openingCertificate = parseCertificate(tender.openingCertificate);
    const received = new Map<BidPart, ReceivedPart>();
    const temps: string[] = [];
    let manifestBytes: Buffer | null = null;
    let verified: VerifiedManifest | null = null;
    let signature: Buffer | null = null;
    try {
      for await (const part of guard(parts)) {
        if (part.kind === 'file' && part.name === 'manifest' && manifestBytes === null) {
          manifestBytes = await readSmall(guard(part.stream), this.#deps.limits.manifestBytes, 'manifest');
        } else if (
          part.kind === 'file' &&
          part.name === 'manifestSignature' &&
          manifestBytes !== null &&
          !verified
        ) {
          signature = await readSmall(guard(part.stream), 64 * 1024, 'manifestSignature');
          verified = await this.#verifyManifest(manifestBytes, signature, tender, bidder);
        } else if (part.kind === 'file' && (bidParts as readonly string[]).includes(part.name)) {
          const name = part.name as BidPart;
          if (!verified) {
            throw new AppError('BID_MANIFEST_INVALID', { key: 'manifestFirst' });
          }
          if (received.has(name))
            throw new AppError('VALIDATION_FAILED', { key: 'partTwice', params: partParams(name) });
          const expected = verified.manifest.parts[name];
          const limit =
            name === 'summary' ? this.#deps.limits.summaryBytes : this.#deps.limits.documentsBytes;
          received.set(
            name,
            await this.#receivePart(name, guard(part.stream), temps, {
              expected,
              limit,
              tender,
              recipients: [openingCertificate, verified.encryptionCertificate],
            }),
          );
        } else {
          throw new AppError('VALIDATION_FAILED', {
            key: 'partUnexpected',
            params: { name: part.name.slice(0, 100) },
          });
        }
      }
      clearTimeout(lateTimer);
      if (!verified || !signature)
        throw new AppError('BID_PART_MISSING', {
          key: 'partMissing',
          params: partParams(verified ? 'manifestSignature' : 'manifest'),
        });
      for (const name of bidParts) {
        if (!received.has(name))
          throw new AppError('BID_PART_MISSING', { key: 'partMissing', params: partParams(name) });
      }
      // The instant the last byte of the last part was read decides whether the bid is on time.
      const receivedAt = new Date(Math.max(...[...received.values()].map((r) => r.endedAt.getTime())));
      this.#ensureOpen(tender, receivedAt);
      // Only now are the parts flushed to disk: a slow disk must not make a bid late.
      for (const part of received.values()) await this.#deps.blobs.sync(part.tempPath);
      return await this.#store(tender, bidder, verified, signature, received, receivedAt, options.replace);
    } finally {
      clearTimeout(lateTimer);
      const still = (this.#open.get(bidder.actorId) ?? 1) - 1;
      if (still > 0) this.#open.set(bidder.actorId, still);
      else this.#open.delete(bidder.actorId);
      await Promise.all(temps.map((path) => this.#deps.blobs.discard(path)));
    }
  }

  /** STORAGE_FULL unless the disk keeps its reserve after taking `bytes` more. */
  async #ensureRoom(bytes: number): Promise<void> {
    const disk = await statfs(this.#deps.blobs.root);
    const free = disk.bavail * disk.bsize;
    const reserve = this.#deps.limits.minFreeDiskBytes;
    if (free - bytes < reserve) {
      throw new AppError('STORAGE_FULL', {
        key: 'storageFull',
        params: {
          freeMiB: Math.floor(free / 1024 ** 2),
          reserveMiB: Math.floor(reserve / 1024 ** 2),
          uploadMiB: Math.ceil(bytes / 1024 ** 2),
        },
      });
    }
  }

  async #verifyManifest(
    bytes: Buffer,
    signature: Buffer,
    tender: Tender,
    bidder: Bidder,
  ): Promise<VerifiedManifest> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new AppError('BID_MANIFEST_INVALID', { key: 'manifestNotJson' });
    }
    if (!manifestValidator.Check(parsed)) {
      const first = [...manifestValidator.Errors(parsed)][0];
      throw new AppError('BID_MANIFEST_INVALID', {
        key: 'manifestField',
        params: { field: first?.instancePath || '/', reason: first?.message ?? 'invalid' },
      });
    }
    const manifest = parsed;
    if (manifest.tenderId !== tender.id) {
      throw new AppError('BID_TENDER_MISMATCH', {
        key: 'sealedForAnotherTender',
        params: { sealedFor: manifest.tenderId, tenderId: tender.id },
      });
    }
    const now = this.#deps.clock.now();
    const signed = await verifySmall(signature, { detachedContent: bytes }).catch((error: unknown) => {
      if (error instanceof AppError && error.code !== 'BID_SIGNATURE_INVALID') {
        throw new AppError(
          'BID_SIGNATURE_INVALID',
          { key: 'manifestSignatureUnreadable', params: { reason: error.message } },
          { cause: error },
        );
      }
      throw error;
    });
    const signerChain = this.#deps.trust.verifySigned(signed, {
      at: now,
      anyUsage: ['digitalSignature', 'nonRepudiation'],
    });
    if (signerChain.identity !== bidder.identity) {
      throw new AppError('BID_SIGNER_MISMATCH', {
        key: 'signedByOtherCompany',
        params: {
          signer: signed.signer.commonName,
          identity: signerChain.identity ?? '—',
          bidder: bidder.name,
        },
      });
    }
    const encryptionCertificate = parseCertificate(manifest.encryptionCertificate);
    const encryptionChain = this.#deps.trust.verify([encryptionCertificate], {
      at: now,
      anyUsage: ['keyEncipherment', 'keyAgreement'],
    });
    if (encryptionChain.identity !== bidder.identity) {
      throw new AppError('BID_ENCRYPTION_CERT_MISMATCH', {
        key: 'encryptionCertificateOfOther',
        params: { name: encryptionCertificate.commonName },
      });
    }
    return { bytes, manifest, encryptionCertificate };
  }

  async #receivePart(
    name: BidPart,
    stream: AsyncIterable<Buffer>,
    temps: string[],
    check: {
      expected: { sha256: string; size: number; recipientInfosSha256?: string | undefined };
      limit: number;
      tender: Tender;
      recipients: readonly [ParsedCertificate, ParsedCertificate];
    },
  ): Promise<ReceivedPart> {
    const { blobs, clock } = this.#deps;
    const temp = blobs.createTemp();
    temps.push(temp.path);
    const hash = createHash('sha256');
    let size = 0;
    let endedAt: Date | null = null;
    const deadline = check.tender.deadline.getTime();
    async function* tee(): AsyncGenerator<Buffer> {
      for await (const chunk of stream) {
        size += chunk.length;
        if (size > check.limit)
          throw new AppError('BID_TOO_LARGE', {
            key: 'partTooLarge',
            params: { ...partParams(name), limit: check.limit },
          });
        if (clock.now().getTime() >= deadline) {
          throw new AppError('BID_LATE', {
            key: 'deadlinePassedDuringUpload',
            params: { deadline: check.tender.deadline.toISOString() },
          });
        }
        hash.update(chunk);
        if (!temp.stream.write(chunk)) await once(temp.stream, 'drain');
        yield chunk;
      }
      endedAt = clock.now();
    }
    try {
      const envelope = await EnvelopeReader.open(tee());
      checkRecipients(name, envelope, check.recipients);
      const bound = check.expected.recipientInfosSha256;
      if (bound && createHash('sha256').update(envelope.header.recipientInfos).digest('hex') !== bound) {
        throw new AppError('BID_PART_MISMATCH', { key: 'partRecipientsDiffer', params: partParams(name) });
      }
      await envelope.close();
    } catch (error) {
      // Wait until the file is closed (it may still be opening), so that the caller's cleanup finds it.
      temp.stream.destroy();
      await finished(temp.stream).catch(() => undefined);
      throw error;
    }
    temp.stream.end();
    await once(temp.stream, 'close');
    const sha256 = hash.digest('hex');
    if (sha256 !== check.expected.sha256 || size !== check.expected.size) {
      throw new AppError('BID_PART_MISMATCH', {
        key: 'partBytesDiffer',
        params: {
          ...partParams(name),
          size,
          sha256,
          expectedSize: check.expected.size,
          expectedSha256: check.expected.sha256,
        },
      });
    }
    return { tempPath: temp.path, sha256, size, endedAt: endedAt ?? clock.now() };
  }

  async #store(
    tender: Tender,
    bidder: Bidder,
    verified: VerifiedManifest,
    signature: Buffer,
    received: Map<BidPart, ReceivedPart>,
    receivedAt: Date,
    replace: boolean,
  ): Promise<ReceiptResult> {
    const { db, blobs } = this.#deps;
    const summary = received.get('summary')!;
    const documents = received.get('documents')!;
    const created: string[] = [];
    try {
      return await db.transaction(async (tx) => {
        // Serialises with other submissions of this tender and with the opening at the deadline.
        const [locked] = await tx.select().from(tenders).where(eq(tenders.id, tender.id)).for('update');
        this.#ensureOpen(locked!, receivedAt);
        const current = await currentBid(tx, tender.id, bidder.actorId);
        if (
          current &&
          current.summarySha256 === summary.sha256 &&
          current.documentsSha256 === documents.sha256
        ) {
          throw new AppError('BID_DUPLICATE');
        }
        if (current && !replace) throw new AppError('BID_EXISTS');
        if (current) {
          await tx
            .update(bids)
            .set({ status: 'replaced', endedAt: receivedAt })
            .where(eq(bids.id, current.id));
        }
        for (const part of [summary, documents]) {
          if (await blobs.commit(part.tempPath, part.sha256)) created.push(part.sha256);
        }
        const bidId = randomUUID();
        const kind: ReceiptKind = current ? 'replacement' : 'submission';
        const parts = {
          summary: { sha256: summary.sha256, size: summary.size },
          documents: { sha256: documents.sha256, size: documents.size },
        };
        const manifestSha256 = createHash('sha256').update(verified.bytes).digest('hex');
        const position = await this.#audit(
          tx,
          bidder,
          tender,
          kind === 'replacement' ? 'bid.replace' : 'bid.submit',
          bidId,
          {
            summarySha256: parts.summary.sha256,
            summarySize: parts.summary.size,
            documentsSha256: parts.documents.sha256,
            documentsSize: parts.documents.size,
            manifestSha256,
            receivedAt: receivedAt.toISOString(),
            ...(current ? { replaces: current.id } : {}),
          },
        );
        const result = this.#receipt(
          kind,
          tender,
          bidder,
          bidId,
          parts,
          manifestSha256,
          receivedAt,
          position,
        );
        await tx.insert(bids).values({
          id: bidId,
          tenderId: tender.id,
          bidderId: bidder.actorId,
          summarySha256: summary.sha256,
          summarySize: summary.size,
          documentsSha256: documents.sha256,
          documentsSize: documents.size,
          manifest: verified.bytes,
          manifestSignature: signature,
          encryptionCertificate: verified.encryptionCertificate.pem,
          drawCommitment: verified.manifest.drawCommitment ?? null,
          receivedAt,
          receipt: result.signedReceipt,
          replacesBidId: current?.id ?? null,
        });
        return result;
      });
    } catch (error) {
      await Promise.all(created.map((sha256) => blobs.remove(sha256)));
      throw error;
    }
  }

  #audit(
    tx: Transaction,
    bidder: Bidder,
    tender: Tender,
    action: AuditAction,
    target: string,
    detail: Record<string, string | number>,
  ): Promise<AuditPosition> {
    return appendInTx(tx, [
      {
        actorId: bidder.actorId,
        role: 'bidder',
        ip: bidder.ip,
        action,
        tenderId: tender.id,
        target,
        outcome: 'ok',
        detail,
      },
    ]).then((positions) => positions[0]!);
  }

  #receipt(
    kind: ReceiptKind,
    tender: Tender,
    bidder: Bidder,
    bidId: string,
    parts: Receipt['parts'],
    manifestSha256: string,
    at: Date,
    position: AuditPosition,
  ): ReceiptResult {
    const receipt: Receipt = {
      format: receiptFormat,
      kind,
      tenderId: tender.id,
      tenderCode: tender.code,
      bidId,
      bidder: { identity: bidder.identity, name: bidder.name },
      parts,
      manifestSha256,
      receivedAt: at.toISOString(),
      deadline: tender.deadline.toISOString(),
      audit: { seq: position.seq, hash: position.hash },
    };
    const content = Buffer.from(canonicalize(receipt)!, 'utf8');
    return {
      bidId,
      receipt,
      signedReceipt: signSmall(content, this.#deps.platformSigner, { detached: false, signingTime: at }),
    };
  }

  /** Withdraws the bidder's current bid before the deadline (撤回), with a signed receipt. */
  async withdraw(tenderId: string, bidder: Bidder): Promise<ReceiptResult> {
    const tender = await findTender(this.#deps.db, tenderId);
    const at = this.#deps.clock.now();
    this.#ensureOpen(tender, at);
    return this.#deps.db.transaction(async (tx) => {
      const [locked] = await tx.select().from(tenders).where(eq(tenders.id, tender.id)).for('update');
      this.#ensureOpen(locked!, at);
      const current = await currentBid(tx, tender.id, bidder.actorId);
      if (!current) throw new AppError('BID_NOT_FOUND');
      await tx.update(bids).set({ status: 'withdrawn', endedAt: at }).where(eq(bids.id, current.id));
      const position = await this.#audit(tx, bidder, tender, 'bid.withdraw', current.id, {
        withdrawnAt: at.toISOString(),
      });
      const parts = {
        summary: { sha256: current.summarySha256, size: current.summarySize },
        documents: { sha256: current.documentsSha256, size: current.documentsSize },
      };
      const manifestSha256 = createHash('sha256').update(current.manifest).digest('hex');
      return this.#receipt('withdrawal', tender, bidder, current.id, parts, manifestSha256, at, position);
    });
  }

  /** The bidder's own bids for a tender, newest first. */
  async mine(tenderId: string, bidder: Bidder): Promise<Bid[]> {
    const tender = await findTender(this.#deps.db, tenderId);
    const rows = await this.#deps.db
      .select()
      .from(bids)
      .where(and(eq(bids.tenderId, tender.id), eq(bids.bidderId, bidder.actorId)));
    return rows.sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime());
  }

  /** Bids of a tender for the host and supervisors: only once the bids are opened (bidders are confidential). */
  async listAfterDeadline(tenderId: string): Promise<Bid[]> {
    const tender = await findTender(this.#deps.db, tenderId);
    if (biddersSealed(tender.status)) throw new AppError('BIDS_SEALED');
    return this.#deps.db
      .select()
      .from(bids)
      .where(and(eq(bids.tenderId, tender.id), eq(bids.status, 'submitted')));
  }
}

async function currentBid(tx: Transaction, tenderId: string, bidderId: string): Promise<Bid | undefined> {
  const [row] = await tx
    .select()
    .from(bids)
    .where(and(eq(bids.tenderId, tenderId), eq(bids.bidderId, bidderId), eq(bids.status, 'submitted')));
  return row;
}

/**
 * Exactly one well-formed RecipientInfo for each required recipient and none for anyone else: the
 * bidder must be able to decrypt its bid, and so must the custodians' opening key in the remedy.
 */
/** A bid part named in a refusal, in both languages. */
function partParams(part: keyof typeof bidPartWords) {
  return phraseParams('part', bidPartWords[part]);
}

function checkRecipients(
  name: BidPart,
  envelope: EnvelopeReader,
  [opening, bidder]: readonly [ParsedCertificate, ParsedCertificate],
): void {
  const recipients = envelope.header.recipients;
  const required = [
    { certificate: opening, who: { zh: '本项目的开标证书', en: 'the tender opening certificate' } },
    { certificate: bidder, who: { zh: '投标人的加密证书', en: "the bidder's encryption certificate" } },
  ];
  const matches = required.map(({ certificate }) =>
    recipients.filter((r) => recipientMatches(r, certificate)),
  );
  const missing = required.filter((_, i) => matches[i]!.length === 0).map((r) => r.who);
  if (missing.length)
    throw new AppError('BID_RECIPIENT_MISSING', {
      key: 'recipientMissing',
      params: {
        ...partParams(name),
        who: missing.map((w) => w.zh).join('和'),
        whoEn: missing.map((w) => w.en).join(' and '),
      },
    });
  const foreign = recipients.filter((r) => !recipientMatches(r, opening) && !recipientMatches(r, bidder));
  if (foreign.length) {
    throw new AppError('BID_RECIPIENT_FOREIGN', {
      key: 'recipientForeign',
      params: { ...partParams(name), count: foreign.length },
    });
  }
  for (const [i, { certificate, who }] of required.entries()) {
    if (matches[i]!.length > 1)
      throw new AppError('BID_RECIPIENT_INVALID', {
        key: 'recipientTwice',
        params: { ...partParams(name), ...phraseParams('who', who) },
      });
    const problem = recipientProblem(matches[i]![0]!, certificate);
    if (problem)
      throw new AppError('BID_RECIPIENT_INVALID', {
        key: 'recipientProblem',
        params: { ...partParams(name), ...phraseParams('who', who), reason: problem },
      });
  }
}

/**
 * Reads a small part completely. The manifest travels as a file, not a form field: form encoders
 * normalise line breaks in fields, which would change the signed bytes.
 */
async function readSmall(
  stream: AsyncIterable<Buffer>,
  limit: number,
  name: keyof typeof bidPartWords,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > limit)
      throw new AppError('BID_MANIFEST_INVALID', {
        key: 'smallPartTooLarge',
        params: { ...partParams(name), limit },
      });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Passes `source` through while data keeps coming: UPLOAD_STALLED when nothing arrives for `idleMs`, the
 * signal's reason (BID_LATE at the deadline) when it aborts, at that moment. The source's own pending read
 * is abandoned, not awaited: a stalled client's read never settles, and waiting for it would leave the
 * request unanswered until the client hung up.
 */
async function* guarded<T>(source: AsyncIterable<T>, idleMs: number, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let settled = true;
  try {
    for (;;) {
      signal.throwIfAborted();
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const stopped = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new AppError('UPLOAD_STALLED', { key: 'uploadStalled', params: { seconds: idleMs / 1000 } }),
            ),
          idleMs,
        );
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        settled = false;
        const next = await Promise.race([iterator.next(), stopped]);
        settled = true;
        if (next.done) return;
        yield next.value;
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort!);
      }
    }
  } finally {
    const closing = Promise.resolve(iterator.return?.()).catch(() => undefined);
    if (settled) await closing;
  }
}
