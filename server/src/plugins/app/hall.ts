/**
 * The opening hall over Socket.IO, attached to Fastify's HTTP server. Authenticated with the login token
 * at the handshake; one room per tender; every request validated (schemas from shared/), authorised
 * (role grants), rate-limited, executed and acked with a result or a coded error; every failure audited.
 * With REDIS_URL, the Redis Streams adapter carries broadcasts between server processes and keeps
 * connection-state recovery working across them.
 */
import {
  type AuditAction,
  type ClientToServerEvents,
  type ErrorCode,
  type HallEvent,
  type HallRequests,
  hallLimits,
  hallRequests,
  type InterServerEvents,
  isAuditAction,
  type ServerToClientEvents,
  type SocketData,
  TenderView,
  type TokenClaims,
  UpdateTenderRequest,
  type Venue,
} from '@bidhall/shared';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Server, Socket } from 'socket.io';
import { clientAddress, type TrustProxy } from '../../client-address.ts';
import type { Clock } from '../../clock.ts';
import { AppError, isAppError } from '../../errors.ts';
import { DecryptionService, DocumentJobs } from '../../opening/decryption.ts';
import { type Actor, type HallContext, tenderAggregate } from '../../opening/hall-action.ts';
import { hallJoin, ownBid } from '../../opening/hall-view.ts';
import { OpeningService } from '../../opening/opening-service.ts';
import { ProposalService } from '../../opening/proposals.ts';
import { buildRecordBundle, type PrintSettings } from '../../opening/record-bundle.ts';
import { reportVenueRecording } from '../../opening/recording-watch.ts';
import { RemedyService } from '../../opening/remedy.ts';
import { fieldOf, type Handlers, serveGranted } from '../../realtime/serve.ts';
import { socketSessions } from '../../realtime/sessions.ts';
import { timed } from '../../steps/scheduler.ts';
import { findTender, requireTenderAccess } from '../../tenders/tender-service.ts';
import { TenderParams } from './tenders.ts';

type HallServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type HallSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

declare module 'fastify' {
  interface FastifyInstance {
    hall: {
      io: HallServer;
      opening: OpeningService;
      decryption: DecryptionService;
      remedy: RemedyService;
      jobs: DocumentJobs;
      /** An SFU said a venue started or stopped being recorded. */
      reportRecording(report: { venue: Venue; recording: boolean; recordedBy: string }): Promise<void>;
    };
  }
}

export interface HallOptions {
  readonly clock: Clock;
  /** The printed record's heading and font. */
  readonly print: PrintSettings;
  /** Which forwarded hops to believe for a connection's address (client-address.ts). */
  readonly trustProxy?: TrustProxy;
  /** How often an open connection's actor is looked up again (0: on every request). */
  readonly sessionRecheckSeconds?: number;
  readonly decryptionThreads?: number;
  readonly decryptionLeaseSeconds?: number;
  readonly decryptionRetrySeconds?: number;
  readonly decryptionShutdownGraceSeconds?: number;
}

const room = (tenderId: string) => `tender:${tenderId}`;

/** A refused request's audit action: the request's own name, or "unknown request" for names no table has. */
function auditActionOf(event: string): AuditAction {
  const action = event.replace(':', '.');
  return isAuditAction(action) ? action : 'hall.unknown-request';
}

/** What every hall request handler gets besides its payload. */
interface HallCall {
  readonly who: Actor;
  readonly socket: HallSocket;
}

export default fp<HallOptions>(
  async (app, options) => {
    // The hall is Socket.IO's default namespace, typed with the hall's contract.
    const io = app.io as unknown as HallServer;

    const context: HallContext = {
      db: app.db,
      clock: options.clock,
      publish: (events: readonly HallEvent[]) => {
        for (const event of events) io.to(room(event.tenderId)).emit('hall:event', event);
      },
      poke: (reason) => app.scheduler.poke(reason),
    };
    const decryptionDeps = {
      ...context,
      trust: app.trust,
      blobs: app.blobs,
      progress: (tenderId: string, bidId: string, progress: number) =>
        io.to(room(tenderId)).volatile.emit('hall:progress', { tenderId, bidId, progress }),
      log: app.log,
    };
    const decryption = new DecryptionService(decryptionDeps);
    const remedy = new RemedyService({
      ...context,
      blobs: app.blobs,
      platformSigner: app.platformSigner,
      decryption,
      // Several processes: an approval goes to the one holding the remedy's key (the request only).
      ...(app.redis
        ? { forward: (tenderId, actor, reason) => forwardApproval(app, tenderId, actor, reason) }
        : {}),
    });
    if (app.redis) serveForwardedApprovals(app, remedy);
    app.addHook('onClose', () => remedy.close());
    const proposals = new ProposalService({
      ...context,
      onSettled: (id) =>
        void remedy
          .drop(id)
          .catch((error: unknown) => app.log.error({ err: error }, 'could not drop a remedy')),
    });
    const opening = new OpeningService({
      ...context,
      trust: app.trust,
      drawSecret: app.drawSecret,
    });
    const jobs = new DocumentJobs(decryptionDeps, decryption, {
      threads: options.decryptionThreads,
      leaseMs: (options.decryptionLeaseSeconds ?? 60) * 1000,
      retryMs: (options.decryptionRetrySeconds ?? 30) * 1000,
      shutdownGraceMs: (options.decryptionShutdownGraceSeconds ?? 8) * 1000,
    });
    app.scheduler.register(timed(tenderAggregate, (id) => opening.runDueStep(id)));
    app.scheduler.addWork({ name: 'documents decryption', tick: () => jobs.tick() });
    app.decorate('hall', {
      io,
      opening,
      decryption,
      remedy,
      jobs,
      reportRecording: (report) => reportVenueRecording(context, report),
    });
    const api = app.withTypeProvider<TypeBoxTypeProvider>();

    /** The client's address, read through the trusted proxies as HTTP requests are. */
    const addressOf = (socket: HallSocket) => clientAddress(socket.request, options.trustProxy ?? false);

    const sessions = socketSessions({
      db: app.db,
      verify: (token) => app.jwt.verify<TokenClaims & { exp: number }>(token),
      recheckSeconds: options.sessionRecheckSeconds,
    });
    const asSession = (socket: HallSocket) => socket as unknown as Parameters<typeof sessions.armExpiry>[0];
    io.use((socket, next) => sessions.handshake(asSession(socket), next));
    const checkSession = (socket: HallSocket) => sessions.checkSession(asSession(socket));

    const handlers: Handlers<HallRequests, HallCall> = {
      'hall:join': async ({ tenderId, afterSeq }, { who, socket }) => {
        const result = await hallJoin(app.db, tenderId, who, afterSeq, await remedy.state(tenderId));
        await socket.join(room(tenderId));
        return result;
      },
      'hall:time': async () => ({ serverTime: options.clock.now().getTime() }),
      'hall:renew': async ({ token }, { socket }) => sessions.renew(asSession(socket), token),
      'hall:check-in': ({ tenderId }, { who }) => opening.checkIn(tenderId, who),
      'hall:recipient': ({ tenderId }, { who }) => decryption.recipientPackage(tenderId, who),
      'hall:self-test-challenge': ({ tenderId }, { who }) => decryption.selfTestChallenge(tenderId, who),
      'hall:self-test': ({ tenderId, challengeId, answer, summaryOk }, { who }) =>
        decryption.selfTest(tenderId, who, challengeId, Buffer.from(answer, 'base64'), summaryOk),
      'hall:decrypt': ({ tenderId, part, contentKey }, { who }) =>
        decryption.submitKey(tenderId, who, part, Buffer.from(contentKey, 'base64')),
      'hall:start-decryption': ({ tenderId }, { who }) => opening.startDecryption(tenderId, who),
      'hall:pause': ({ tenderId, reason }, { who }) => opening.pause(tenderId, who, reason),
      'hall:resume': ({ tenderId, reason }, { who }) => opening.resume(tenderId, who, reason),
      'hall:extend': ({ tenderId, minutes, reason }, { who }) =>
        opening.extend(tenderId, who, minutes, reason),
      'hall:confirm-failure': ({ tenderId, reason }, { who }) =>
        opening.confirmFailure(tenderId, who, reason),
      'hall:cancel': ({ tenderId, reason }, { who }) => opening.cancel(tenderId, who, reason),
      'hall:record-outage': ({ tenderId, from, to, reason, bidIds }, { who }) =>
        proposals.proposeOutage(tenderId, who, { from: new Date(from), to: new Date(to), reason, bidIds }),
      'hall:settle': ({ tenderId, reason }, { who }) => proposals.proposeSettlement(tenderId, who, reason),
      'hall:confirm': ({ tenderId, proposalId, reason }, { who }) =>
        proposals.confirm(tenderId, who, proposalId, reason),
      'hall:reject': ({ tenderId, proposalId, reason }, { who }) =>
        proposals.reject(tenderId, who, proposalId, reason),
      'hall:share-fetch': ({ tenderId }, { who }) => remedy.fetchShare(tenderId, who),
      'hall:share-submit': ({ tenderId, signedShare }, { who }) =>
        remedy.submitShare(tenderId, who, Buffer.from(signedShare, 'base64')),
      'hall:approve-remedy': ({ tenderId, reason }, { who }) => remedy.approve(tenderId, who, reason),
      'hall:reveal-seed': ({ tenderId, seed }, { who }) => opening.revealSeed(tenderId, who, seed),
      'hall:announce': ({ tenderId }, { who }) => opening.announce(tenderId, who),
      'hall:open-record': ({ tenderId }, { who }) => opening.openRecord(tenderId, who),
      'hall:sign-record': ({ tenderId, signature, withOpenObjections }, { who }) =>
        opening.signRecord(tenderId, who, Buffer.from(signature, 'base64'), withOpenObjections),
      'hall:object': ({ tenderId, text }, { who }) => opening.object(tenderId, who, text),
      'hall:answer': ({ tenderId, objectionId, text }, { who }) =>
        opening.answer(tenderId, who, objectionId, text),
      'hall:close': ({ tenderId }, { who }) => opening.close(tenderId, who),
    };

    const attach = serveGranted<HallRequests, HallSocket, HallCall>({
      table: hallRequests,
      handlers,
      limits: hallLimits,
      roleOf: (socket) => socket.data.actor.role,
      checkSession,
      async admit(socket, spec, request, state) {
        const tenderId = 'tenderId' in request ? request.tenderId : undefined;
        if (!tenderId) return;
        if (spec.scoped && !socket.rooms.has(room(tenderId))) throw new AppError('HALL_NOT_JOINED');
        // A host drives only its own agency's openings: checked once per tender and connection.
        const actor = socket.data.actor;
        if (actor.role === 'host' && !state.admitted.has(tenderId)) {
          requireTenderAccess(actor, await findTender(app.db, tenderId));
          state.admitted.add(tenderId);
        }
      },
      callOf: (socket) => ({
        who: {
          actorId: socket.data.actor.sub,
          role: socket.data.actor.role,
          ip: addressOf(socket),
          name: socket.data.actor.name,
          identity: socket.data.actor.identity,
        },
        socket,
      }),
      refusal(socket, event, payload) {
        const tenderId = fieldOf(payload, 'tenderId');
        return {
          actorId: socket.data.actor.sub,
          role: socket.data.actor.role,
          ip: addressOf(socket),
          action: auditActionOf(event),
          tenderId: typeof tenderId === 'string' && /^[0-9a-f-]{36}$/i.test(tenderId) ? tenderId : null,
        };
      },
      audit: app.audit,
      log: app.log,
    });

    io.on('connection', (socket: HallSocket) => {
      sessions.armExpiry(asSession(socket));
      socket.once('disconnect', () => sessions.disarm(asSession(socket)));
      attach(socket);
    });

    // A tender's words and times change as a hall step: locked, audited and announced to the hall.
    api.patch(
      '/api/tenders/:tenderId',
      {
        onRequest: app.requireGrant('tender:edit'),
        config: { auditAction: 'tender.update' },
        schema: { params: TenderParams, body: UpdateTenderRequest, response: { 200: TenderView } },
      },
      async (request) => {
        const { tenderId } = request.params;
        const tender = await findTender(app.db, tenderId);
        requireTenderAccess(request.actor!, tender);
        const { custodianIds, quorum, deadline } = request.body;
        // New custodians or quorum: a new opening key, made before the step (it takes a while).
        const openingKey =
          custodianIds || quorum !== undefined
            ? {
                quorum: quorum ?? tender.quorum,
                material: await app.tenders.openingKey({
                  tenderId,
                  tenderCode: tender.code,
                  algorithm: tender.openingKeyAlgorithm,
                  custodianIds:
                    custodianIds ?? (await app.tenders.view(tenderId)).custodians.map((c) => c.id),
                  quorum: quorum ?? tender.quorum,
                  deadline: deadline ? new Date(deadline) : tender.deadline,
                }),
              }
            : undefined;
        await opening.update(
          tenderId,
          { ...request.auditActor(), name: request.actor!.name },
          request.body,
          openingKey,
        );
        return app.tenders.view(tenderId);
      },
    );

    api.get(
      '/api/tenders/:tenderId/record-bundle',
      {
        onRequest: app.requireGrant('record:export'),
        config: { auditAction: 'record.export' },
        schema: { params: TenderParams },
      },
      async (request, reply) => {
        const { tenderId } = request.params;
        if (request.actor!.role === 'bidder') await ownBid(app.db, tenderId, request.actor!.sub);
        requireTenderAccess(request.actor!, await findTender(app.db, tenderId));
        const bundle = await buildRecordBundle(
          app.db,
          tenderId,
          app.platformSigner,
          options.clock.now(),
          options.print,
        );
        await app.audit.append({
          ...request.auditActor(),
          action: 'record.export',
          tenderId,
          outcome: 'ok',
          detail: { bytes: bundle.length },
        });
        return reply
          .header('content-type', 'application/x-tar')
          .header('content-disposition', `attachment; filename="opening-record-${tenderId}.tar"`)
          .send(bundle);
      },
    );

    app.addHook('onClose', async () => {
      await jobs.close();
    });
  },
  { name: 'hall', dependencies: ['socket-io', 'steps', 'auth', 'pki', 'audit', 'bids', 'tenders'] },
);

type Forwarded = { approved: true } | { error: { code: string; detail?: unknown } } | null;

/**
 * Asks every other process to approve the remedy; the holder's answer (or its refusal), else null. The
 * holder answers once the key is rebuilt and checked, then opens the bids (the hall shows each one):
 * the adapter's request timeout is seconds, and opening many bids may take longer.
 */
async function forwardApproval(
  app: FastifyInstance,
  tenderId: string,
  actor: Actor,
  reason: string,
): Promise<{ approved: true } | null> {
  const io = app.io as unknown as {
    serverSideEmit(event: string, payload: unknown, ack: (error: unknown, answers?: unknown[]) => void): void;
  };
  // The answers that came, even when a process that just went away never answers (the adapter's timeout).
  const answers = await new Promise<Forwarded[]>((resolve) =>
    io.serverSideEmit('remedy:approve', { tenderId, actor, reason }, (_error, received) =>
      resolve((received ?? []) as Forwarded[]),
    ),
  );
  for (const answer of answers) {
    if (answer && 'error' in answer)
      throw new AppError(answer.error.code as ErrorCode, answer.error.detail as never);
    if (answer) return answer;
  }
  return null;
}

/** Approvals forwarded by other processes, carried out here when this process holds the remedy. */
function serveForwardedApprovals(app: FastifyInstance, remedy: RemedyService): void {
  (app.io as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }).on(
    'remedy:approve',
    (payload, ack) => {
      const { tenderId, actor, reason } = payload as { tenderId: string; actor: Actor; reason: string };
      void remedy.approveHere(tenderId, actor, reason, { openInBackground: true }).then(
        (answer) => (ack as (a: Forwarded) => void)(answer),
        (error: unknown) =>
          (ack as (a: Forwarded) => void)({
            error: isAppError(error) ? { code: error.code, detail: error.detail } : { code: 'INTERNAL' },
          }),
      );
    },
  );
}
