import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { eq, or } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { type Bidder, SubmissionService, type UploadPart } from '../../bids/submission.ts';
import type { Clock } from '../../clock.ts';
import { type Bid, bids } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { BlobStore } from '../../storage/blob-store.ts';
import { findTender, requireTenderAccess } from '../../tenders/tender-service.ts';
import { TenderParams } from './tenders.ts';

declare module 'fastify' {
  interface FastifyInstance {
    blobs: BlobStore;
    submissions: SubmissionService;
  }
}

export interface BidsOptions {
  readonly clock: Clock;
  readonly dataDir: string;
  readonly maxSummaryBytes: number;
  readonly maxDocumentsBytes: number;
  readonly uploadIdleTimeoutSeconds: number;
  readonly uploadConcurrencyPerBidder: number;
  readonly minFreeDiskMb: number;
}

const SubmitQuery = Type.Object({ replace: Type.Optional(Type.Boolean({ default: false })) });

function bidderOf(request: FastifyRequest): Bidder {
  const actor = request.actor!;
  return { actorId: actor.sub, identity: actor.identity, name: actor.name, ip: request.ip };
}

async function* uploadParts(request: FastifyRequest): AsyncGenerator<UploadPart> {
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      yield { kind: 'file', name: part.fieldname, stream: part.file };
    } else {
      yield { kind: 'field', name: part.fieldname };
    }
  }
}

function bidView(bid: Bid) {
  return {
    id: bid.id,
    status: bid.status,
    receivedAt: bid.receivedAt.toISOString(),
    endedAt: bid.endedAt?.toISOString() ?? null,
    resealNeeded: bid.resealNeeded,
    parts: {
      summary: { sha256: bid.summarySha256, size: bid.summarySize },
      documents: { sha256: bid.documentsSha256, size: bid.documentsSize },
    },
    receipt: bid.receipt.toString('base64'),
  };
}

export default fp<BidsOptions>(
  async (app, options) => {
    const blobs = new BlobStore(`${options.dataDir}/blobs`);
    await blobs.init();
    // Temp files older than a day can only be leftovers of a crash: no upload stalls that long.
    const swept = await blobs.sweepTemp(24 * 60 * 60 * 1000);
    const orphans = await blobs.sweepOrphans(
      async (sha256) => {
        const [row] = await app.db
          .select({ id: bids.id })
          .from(bids)
          // Sealed parts, and the documents decrypted at the opening (kept for the committee and the archive).
          .where(
            or(
              eq(bids.summarySha256, sha256),
              eq(bids.documentsSha256, sha256),
              eq(bids.documentsPlainSha256, sha256),
            ),
          )
          .limit(1);
        return row !== undefined;
      },
      60 * 60 * 1000,
    );
    if (swept || orphans) app.log.warn({ swept, orphans }, 'removed leftover upload files');
    app.decorate('blobs', blobs);
    const submissions = new SubmissionService({
      db: app.db,
      clock: options.clock,
      trust: app.trust,
      blobs,
      platformSigner: app.platformSigner,
      limits: {
        summaryBytes: options.maxSummaryBytes,
        documentsBytes: options.maxDocumentsBytes,
        manifestBytes: 64 * 1024,
        idleTimeoutMs: options.uploadIdleTimeoutSeconds * 1000,
        concurrentPerBidder: options.uploadConcurrencyPerBidder,
        minFreeDiskBytes: options.minFreeDiskMb * 1024 * 1024,
      },
    });
    app.decorate('submissions', submissions);
    const api = app.withTypeProvider<TypeBoxTypeProvider>();
    await app.register(multipart, {
      limits: {
        // Our own per-part limits (summary, documents) are checked first and give BID_TOO_LARGE.
        fileSize: Math.max(options.maxSummaryBytes, options.maxDocumentsBytes) + 1,
        files: 4,
        fields: 0,
        parts: 4,
      },
    });

    api.post(
      '/api/tenders/:tenderId/bids',
      {
        onRequest: app.requireGrant('bid:submit'),
        config: { auditAction: 'bid.submit' },
        schema: { params: TenderParams, querystring: SubmitQuery },
      },
      async (request, reply) => {
        if (!request.isMultipart()) throw new AppError('VALIDATION_FAILED', { key: 'sendAsMultipart' });
        const { tenderId } = request.params;
        const { replace } = request.query;
        const declared = Number(request.headers['content-length']);
        const result = await submissions.submit(tenderId, bidderOf(request), uploadParts(request), {
          replace: replace ?? false,
          ...(Number.isFinite(declared) ? { declaredBytes: declared } : {}),
        });
        return reply.status(201).send({
          bidId: result.bidId,
          receipt: result.receipt,
          signedReceipt: result.signedReceipt.toString('base64'),
        });
      },
    );

    api.delete(
      '/api/tenders/:tenderId/bids/mine',
      {
        onRequest: app.requireGrant('bid:withdraw'),
        config: { auditAction: 'bid.withdraw' },
        schema: { params: TenderParams },
      },
      async (request) => {
        const { tenderId } = request.params;
        const result = await submissions.withdraw(tenderId, bidderOf(request));
        return {
          bidId: result.bidId,
          receipt: result.receipt,
          signedReceipt: result.signedReceipt.toString('base64'),
        };
      },
    );

    api.get(
      '/api/tenders/:tenderId/bids/mine',
      { onRequest: app.requireGrant('bid:read-own'), schema: { params: TenderParams } },
      async (request) => {
        const { tenderId } = request.params;
        return (await submissions.mine(tenderId, bidderOf(request))).map(bidView);
      },
    );

    api.get(
      '/api/tenders/:tenderId/bids',
      {
        onRequest: app.requireGrant('bid:list'),
        config: { auditAction: 'bid.list' },
        schema: { params: TenderParams },
      },
      async (request) => {
        const { tenderId } = request.params;
        requireTenderAccess(request.actor!, await findTender(app.db, tenderId));
        return (await submissions.listAfterDeadline(tenderId)).map(bidView);
      },
    );
  },
  { name: 'bids', dependencies: ['auth', 'pki', 'audit', 'tenders'] },
);
