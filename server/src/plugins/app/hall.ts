/**
 * The opening hall over Socket.IO, attached to Fastify's HTTP server. Authenticated with the login token
 * at the handshake; one room per tender; every request validated (schemas from shared/), authorised
 * (role grants), rate-limited, executed and acked with a result or a coded error; every failure audited.
 * With REDIS_URL, the Redis Streams adapter carries broadcasts between server processes and keeps
 * connection-state recovery working across them.
 */
import {
  type Action,
  AnswerRequest,
  type ClientToServerEvents,
  can,
  DecryptRequest,
  ExtendRequest,
  errorCatalogue,
  type HallEvent,
  hallLimits,
  type InterServerEvents,
  isRole,
  JoinRequest,
  ObjectionRequest,
  OutageRequest,
  ProposalDecisionRequest,
  ReasonRequest,
  RenewRequest,
  type Result,
  SeedRequest,
  SelfTestRequest,
  type ServerToClientEvents,
  ShareSubmitRequest,
  SignRecordRequest,
  type SocketData,
  TenderRequest,
  TimeRequest,
  type TokenClaims,
  type WireError,
} from '@bidhall/shared';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { eq } from 'drizzle-orm';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { clientAddress, type TrustProxy } from '../../client-address.ts';
import type { Clock } from '../../clock.ts';
import { actors } from '../../db/schema/index.ts';
import { AppError, isAppError } from '../../errors.ts';
import { DecryptionService, DocumentJobs } from '../../opening/decryption.ts';
import { type Actor, type HallContext, tenderAggregate } from '../../opening/hall-action.ts';
import { activeBids } from '../../opening/hall-view.ts';
import { OpeningService } from '../../opening/opening-service.ts';
import { ProposalService } from '../../opening/proposals.ts';
import { buildRecordBundle } from '../../opening/record-bundle.ts';
import { RemedyService } from '../../opening/remedy.ts';
import { Scheduler, timed } from '../../steps/scheduler.ts';
import { findTender, requireTenderAccess } from '../../tenders/tender-service.ts';

type HallServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type HallSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

declare module 'fastify' {
  interface FastifyInstance {
    hall: {
      io: HallServer;
      opening: OpeningService;
      decryption: DecryptionService;
      remedy: RemedyService;
      scheduler: Scheduler;
      jobs: DocumentJobs;
    };
  }
}

export interface HallOptions {
  readonly clock: Clock;
  /** Which forwarded hops to believe for a connection's address (client-address.ts). */
  readonly trustProxy?: TrustProxy;
  /** How often an open connection's actor is looked up again (0: on every request). */
  readonly sessionRecheckSeconds?: number;
  readonly redisUrl: string | undefined;
  readonly schedulerPollMs: number;
  readonly decryptionThreads?: number;
  readonly decryptionLeaseSeconds?: number;
  readonly decryptionRetrySeconds?: number;
  readonly redisPrefix?: string;
}

const room = (tenderId: string) => `tender:${tenderId}`;

/** A validated request payload (its schema has been checked). */
type HallRequest = Record<string, unknown> & { tenderId?: string };

interface SocketState {
  readonly allow: () => boolean;
  lastRateAudit: number;
  /** Tenders this (host) socket was found allowed to act on. */
  readonly tenders: Set<string>;
}

function toWireError(error: unknown): WireError {
  if (isAppError(error)) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: errorCatalogue.INTERNAL.en };
}

/** A token bucket per socket: `eventsPerSecond` sustained, `burst` at once. */
function rateLimiter() {
  let tokens: number = hallLimits.burst;
  let last = Date.now();
  return (): boolean => {
    const now = Date.now();
    tokens = Math.min(hallLimits.burst, tokens + ((now - last) / 1000) * hallLimits.eventsPerSecond);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

export default fp<HallOptions>(
  async (app, options) => {
    const redis = options.redisUrl ? new Redis(options.redisUrl, { maxRetriesPerRequest: 3 }) : null;
    const io: HallServer = new Server(app.server, {
      serveClient: false,
      maxHttpBufferSize: hallLimits.maxPayloadBytes,
      // Broadcast frames are small; per-message compression would cost CPU on every delivery.
      perMessageDeflate: false,
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
      ...(redis
        ? {
            adapter: createAdapter(redis, {
              streamName: `${options.redisPrefix ?? 'bidhall'}:socket.io`,
              sessionKeyPrefix: `${options.redisPrefix ?? 'bidhall'}:sio:session:`,
            }),
          }
        : {}),
    });

    const context: HallContext = {
      db: app.db,
      clock: options.clock,
      publish: (events: readonly HallEvent[]) => {
        for (const event of events) io.to(room(event.tenderId)).emit('hall:event', event);
      },
      poke: (reason) => scheduler.poke(reason),
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
    });
    const proposals = new ProposalService({ ...context, onSettled: (id) => remedy.drop(id) });
    const opening = new OpeningService({
      ...context,
      trust: app.trust,
      drawSecret: app.drawSecret,
      remedyState: (id) => remedy.state(id),
    });
    const jobs = new DocumentJobs(decryptionDeps, decryption, {
      threads: options.decryptionThreads,
      leaseMs: (options.decryptionLeaseSeconds ?? 60) * 1000,
      retryMs: (options.decryptionRetrySeconds ?? 30) * 1000,
    });
    const scheduler = new Scheduler({
      db: app.db,
      clock: options.clock,
      timed: [timed(tenderAggregate, (id) => opening.runDueStep(id))],
      work: [{ name: 'documents decryption', tick: () => jobs.tick() }],
      log: app.log,
      pollMs: options.schedulerPollMs,
    });
    app.decorate('hall', { io, opening, decryption, remedy, scheduler, jobs });

    /** The client's address, read through the trusted proxies as HTTP requests are. */
    const addressOf = (socket: HallSocket) => clientAddress(socket.request, options.trustProxy ?? false);

    /** The claims of a login token, or the coded reason it is refused. */
    const claimsOf = (token: unknown): TokenClaims & { exp: number } => {
      if (typeof token !== 'string') throw new AppError('UNAUTHENTICATED');
      let claims: TokenClaims & { exp: number };
      try {
        claims = app.jwt.verify<TokenClaims & { exp: number }>(token);
      } catch (error) {
        const expired = ['FAST_JWT_EXPIRED', 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED'].includes(
          (error as { code?: string }).code ?? '',
        );
        throw new AppError(expired ? 'TOKEN_EXPIRED' : 'UNAUTHENTICATED');
      }
      if (!isRole(claims.role)) throw new AppError('UNAUTHENTICATED');
      return claims;
    };
    const adopt = (socket: HallSocket, claims: TokenClaims & { exp: number }) => {
      socket.data.actor = {
        sub: claims.sub,
        role: claims.role,
        name: claims.name,
        identity: claims.identity,
        org: claims.org ?? null,
        fp: claims.fp ?? null,
      };
      socket.data.expiresAt = claims.exp * 1000;
      socket.data.actorCheckedAt = Date.now();
    };

    io.use((socket, next) => {
      try {
        adopt(socket, claimsOf((socket.handshake.auth as { token?: unknown }).token));
        next();
      } catch (error) {
        const code = isAppError(error) ? error.code : 'UNAUTHENTICATED';
        const refusal = new Error(errorCatalogue[code].en) as Error & { data: WireError };
        refusal.data = { code, message: errorCatalogue[code].en };
        next(refusal);
      }
    });

    /**
     * An open connection lives no longer than its token: requests after the expiry are refused and the
     * connection is closed then (a client renews before, with hall:renew). The person behind it is looked
     * up again every half minute: re-registered with another certificate, or no longer in that role, the
     * connection ends.
     */
    const actorRecheckMs = (options.sessionRecheckSeconds ?? 30) * 1000;
    async function checkSession(socket: HallSocket): Promise<void> {
      if (Date.now() >= socket.data.expiresAt) throw new AppError('TOKEN_EXPIRED');
      if (actorRecheckMs > 0 && Date.now() - socket.data.actorCheckedAt < actorRecheckMs) return;
      const { sub, role, fp } = socket.data.actor;
      const [row] = await app.db
        .select({ role: actors.role, fingerprint: actors.signingFingerprint })
        .from(actors)
        .where(eq(actors.id, sub));
      const appointed = role !== 'bidder';
      if (!row || row.role !== role || (appointed && fp !== null && row.fingerprint !== fp)) {
        throw new AppError('UNAUTHENTICATED', 'this login is no longer valid: log in again');
      }
      socket.data.actorCheckedAt = Date.now();
    }
    const sessionTimers = new WeakMap<HallSocket, NodeJS.Timeout>();
    const armExpiry = (socket: HallSocket) => {
      clearTimeout(sessionTimers.get(socket));
      // setTimeout takes at most 2^31-1 ms; tokens live minutes to hours.
      const timer = setTimeout(
        () => socket.disconnect(true),
        Math.min(2 ** 31 - 1, Math.max(0, socket.data.expiresAt - Date.now())),
      );
      timer.unref();
      sessionTimers.set(socket, timer);
    };

    /**
     * Every hall request, compiled once: its grant, its payload schema, whether it needs the tender's hall
     * joined, and what it does. One table instead of a listener per event per socket: at thousands of
     * connections that is the difference between one closure and two dozen per socket.
     */
    type Run = (request: HallRequest, who: Actor, socket: HallSocket) => Promise<unknown>;
    const requests = new Map<
      string,
      { action: Action; validator: ReturnType<typeof Compile>; scoped: boolean; run: Run }
    >();
    const define = (
      event: keyof ClientToServerEvents,
      action: Action,
      schema: TSchema,
      run: Run,
      scoped = true,
    ) => requests.set(event, { action, validator: Compile(schema), scoped, run });
    type R<T> = T & { tenderId: string };

    define(
      'hall:join',
      'hall:join',
      JoinRequest,
      async (request, who, socket) => {
        const { tenderId, afterSeq } = request as R<{ afterSeq?: number }>;
        const result = await opening.join(tenderId, who, afterSeq);
        await socket.join(room(tenderId));
        return result;
      },
      false,
    );
    define(
      'hall:time',
      'hall:join',
      TimeRequest,
      async () => ({ serverTime: options.clock.now().getTime() }),
      false,
    );
    define(
      'hall:renew',
      'hall:join',
      RenewRequest,
      async (request, who, socket) => {
        const claims = claimsOf(request.token);
        if (claims.sub !== who.actorId || claims.role !== who.role)
          throw new AppError('UNAUTHENTICATED', 'a renewed token must be of the same person and role');
        adopt(socket, claims);
        armExpiry(socket);
        return { expiresAt: new Date(socket.data.expiresAt).toISOString() };
      },
      false,
    );
    define('hall:check-in', 'hall:check-in', TenderRequest, (r, who) => opening.checkIn(r.tenderId!, who));
    define('hall:recipient', 'hall:recipient', TenderRequest, (r, who) =>
      decryption.recipientPackage(r.tenderId!, who),
    );
    define('hall:self-test-challenge', 'hall:self-test-challenge', TenderRequest, (r, who) =>
      decryption.selfTestChallenge(r.tenderId!, who),
    );
    define('hall:self-test', 'hall:self-test', SelfTestRequest, (r, who) => {
      const { tenderId, challengeId, answer, summaryOk } = r as R<{
        challengeId: string;
        answer: string;
        summaryOk: boolean;
      }>;
      return decryption.selfTest(tenderId, who, challengeId, Buffer.from(answer, 'base64'), summaryOk);
    });
    define('hall:decrypt', 'hall:decrypt', DecryptRequest, (r, who) => {
      const { tenderId, part, contentKey } = r as R<{ part: 'summary' | 'documents'; contentKey: string }>;
      return decryption.submitKey(tenderId, who, part, Buffer.from(contentKey, 'base64'));
    });
    define('hall:start-decryption', 'hall:start-decryption', TenderRequest, (r, who) =>
      opening.startDecryption(r.tenderId!, who),
    );
    define('hall:pause', 'hall:pause', ReasonRequest, (r, who) =>
      opening.pause(r.tenderId!, who, r.reason as string),
    );
    define('hall:resume', 'hall:resume', ReasonRequest, (r, who) =>
      opening.resume(r.tenderId!, who, r.reason as string),
    );
    define('hall:extend', 'hall:extend', ExtendRequest, (r, who) =>
      opening.extend(r.tenderId!, who, r.minutes as number, r.reason as string),
    );
    define('hall:confirm-failure', 'hall:confirm-failure', ReasonRequest, (r, who) =>
      opening.confirmFailure(r.tenderId!, who, r.reason as string),
    );
    define('hall:record-outage', 'hall:record-outage', OutageRequest, (r, who) =>
      proposals.proposeOutage(r.tenderId!, who, {
        from: new Date(r.from as string),
        to: new Date(r.to as string),
        reason: r.reason as string,
        bidIds: r.bidIds as string[],
      }),
    );
    define('hall:settle', 'hall:settle', ReasonRequest, (r, who) =>
      proposals.proposeSettlement(r.tenderId!, who, r.reason as string),
    );
    define('hall:confirm', 'hall:confirm', ProposalDecisionRequest, (r, who) =>
      proposals.confirm(r.tenderId!, who, r.proposalId as string, r.reason as string),
    );
    define('hall:reject', 'hall:reject', ProposalDecisionRequest, (r, who) =>
      proposals.reject(r.tenderId!, who, r.proposalId as string, r.reason as string),
    );
    define('hall:share-fetch', 'hall:share-fetch', TenderRequest, (r, who) =>
      remedy.fetchShare(r.tenderId!, who),
    );
    define('hall:share-submit', 'hall:share-submit', ShareSubmitRequest, (r, who) =>
      remedy.submitShare(r.tenderId!, who, Buffer.from(r.signedShare as string, 'base64')),
    );
    define('hall:approve-remedy', 'hall:approve-remedy', ReasonRequest, (r, who) =>
      remedy.approve(r.tenderId!, who, r.reason as string),
    );
    define('hall:reveal-seed', 'hall:reveal-seed', SeedRequest, (r, who) =>
      opening.revealSeed(r.tenderId!, who, r.seed as string),
    );
    define('hall:announce', 'hall:announce', TenderRequest, (r, who) => opening.announce(r.tenderId!, who));
    define('hall:open-record', 'hall:open-record', TenderRequest, (r, who) =>
      opening.openRecord(r.tenderId!, who),
    );
    define('hall:sign-record', 'hall:sign-record', SignRecordRequest, (r, who) =>
      opening.signRecord(r.tenderId!, who, Buffer.from(r.signature as string, 'base64')),
    );
    define('hall:object', 'hall:object', ObjectionRequest, (r, who) =>
      opening.object(r.tenderId!, who, r.text as string),
    );
    define('hall:answer', 'hall:answer', AnswerRequest, (r, who) =>
      opening.answer(r.tenderId!, who, r.objectionId as string, r.text as string),
    );
    define('hall:close', 'hall:close', TenderRequest, (r, who) => opening.close(r.tenderId!, who));

    /** One request: rate-limit, authorise, validate, check the hall was joined, run, ack; audit a failure. */
    async function serve(
      socket: HallSocket,
      state: SocketState,
      event: string,
      payload: unknown,
      reply: (r: Result<unknown>) => void,
    ) {
      const definition = requests.get(event);
      const actor = socket.data.actor;
      let sessionOver = false;
      try {
        if (!state.allow()) throw new AppError('RATE_LIMITED');
        await checkSession(socket).catch((error: unknown) => {
          sessionOver = true;
          throw error;
        });
        if (!definition) throw new AppError('VALIDATION_FAILED', `unknown request ${event}`);
        if (!can(actor.role as never, definition.action)) {
          throw new AppError('FORBIDDEN_ROLE', `role ${actor.role} may not ${definition.action}`);
        }
        if (!definition.validator.Check(payload)) {
          const first = [...definition.validator.Errors(payload)][0];
          throw new AppError(
            'VALIDATION_FAILED',
            `${first?.instancePath || '/'} ${first?.message ?? 'invalid'}`,
          );
        }
        const request = payload as HallRequest;
        if (definition.scoped && request.tenderId && !socket.rooms.has(room(request.tenderId))) {
          throw new AppError('HALL_NOT_JOINED');
        }
        // A host drives only its own agency's openings: checked once per tender and socket.
        if (actor.role === 'host' && request.tenderId && !state.tenders.has(request.tenderId)) {
          requireTenderAccess(actor, await findTender(app.db, request.tenderId));
          state.tenders.add(request.tenderId);
        }
        const who: Actor = {
          actorId: actor.sub,
          role: actor.role,
          ip: addressOf(socket),
          name: actor.name,
          identity: actor.identity,
        };
        reply({ ok: true, data: await definition.run(request, who, socket) });
      } catch (error) {
        const wire = toWireError(error);
        if (wire.code === 'INTERNAL') app.log.error({ err: error, event }, 'hall request failed');
        reply({ ok: false, error: wire });
        // A session that is over ends the connection; a refused renewal alone does not.
        if (sessionOver) socket.disconnect(true);
        // A flood is audited once per ten seconds per socket, not once per refused packet.
        const now = Date.now();
        if (wire.code === 'RATE_LIMITED' && now - state.lastRateAudit < 10_000) return;
        if (wire.code === 'RATE_LIMITED') state.lastRateAudit = now;
        const tenderId = (payload as { tenderId?: unknown } | null)?.tenderId;
        await app.audit
          .append({
            actorId: actor.sub,
            role: actor.role,
            ip: addressOf(socket),
            action: event.replace(':', '.').slice(0, 64),
            tenderId: typeof tenderId === 'string' && /^[0-9a-f-]{36}$/i.test(tenderId) ? tenderId : null,
            outcome: wire.code,
            detail: { message: wire.message.slice(0, 300) },
          })
          .catch(() => undefined);
      }
    }

    io.on('connection', (socket: HallSocket) => {
      const state: SocketState = { allow: rateLimiter(), lastRateAudit: 0, tenders: new Set() };
      armExpiry(socket);
      socket.once('disconnect', () => clearTimeout(sessionTimers.get(socket)));
      socket.onAny((event: string, payload: unknown, ack: unknown) => {
        // Every request is acked; a packet without an ack function is not a request and is dropped.
        if (typeof ack !== 'function') return;
        void serve(socket, state, event, payload, ack as (r: Result<unknown>) => void);
      });
    });

    app.get(
      '/api/tenders/:tenderId/record-bundle',
      { onRequest: app.requireGrant('record:export'), config: { auditAction: 'record.export' } },
      async (request, reply) => {
        const { tenderId } = request.params as { tenderId: string };
        if (request.actor!.role === 'bidder') {
          const own = (await activeBids(app.db, tenderId)).some((b) => b.bidderId === request.actor!.sub);
          if (!own) throw new AppError('HALL_NO_BID');
        }
        requireTenderAccess(request.actor!, await findTender(app.db, tenderId));
        const bundle = await buildRecordBundle(app.db, tenderId, app.platformSigner, options.clock.now());
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

    app.addHook('onReady', async () => scheduler.start());
    app.addHook('preClose', async () => {
      await scheduler.stop();
      // Clients reconnect within a second; the HTTP server still accepts upgrades until the end of
      // close, and one late connection would hold the close open. Turn them away from now on.
      io.engine.on('connection', (connection: { close(): void }) => connection.close());
      io.disconnectSockets(true);
      // Not io.close(): that would close Fastify's HTTP server under it.
      io.engine.close();
      await (io.of('/').adapter as { close?: () => Promise<void> | void }).close?.();
    });
    app.addHook('onClose', async () => {
      await jobs.close();
      if (redis) await redis.quit();
    });
  },
  { name: 'hall', dependencies: ['auth', 'pki', 'audit', 'bids', 'tenders'] },
);
