/**
 * bidhall's server as one Fastify plugin tree. `server.ts` boots it; tests build it with `buildApp`.
 * Third-party wiring lives in plugins/external, domain services in plugins/app.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hallLimits } from '@bidhall/shared';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { fastifyTrustProxy } from './client-address.ts';
import { type Clock, systemClock } from './clock.ts';
import { type Config, repositoryRoot } from './config.ts';
import type { DatabaseHandle } from './db/client.ts';
import actors from './plugins/app/actors.ts';
import audit from './plugins/app/audit.ts';
import auth from './plugins/app/auth.ts';
import bids from './plugins/app/bids.ts';
import evaluation from './plugins/app/evaluation.ts';
import hall from './plugins/app/hall.ts';
import health from './plugins/app/health.ts';
import media from './plugins/app/media.ts';
import pki from './plugins/app/pki.ts';
import steps from './plugins/app/steps.ts';
import supervision from './plugins/app/supervision.ts';
import tenders from './plugins/app/tenders.ts';
import client from './plugins/external/client.ts';
import database from './plugins/external/database.ts';
import errors from './plugins/external/errors.ts';
import helmet from './plugins/external/helmet.ts';
import jwt from './plugins/external/jwt.ts';
import rateLimit from './plugins/external/rate-limit.ts';
import redis from './plugins/external/redis.ts';
import socketIo from './plugins/external/socket-io.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the application, as registered (method and URL pattern): what tests walk. */
    readonly routeList: readonly { readonly method: string; readonly url: string }[];
  }
}

export interface AppOptions {
  readonly config: Config;
  readonly clock?: Clock;
  /** An already opened database (tests); otherwise opened from the configuration. */
  readonly database?: DatabaseHandle;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      ...(process.stdout.isTTY && config.logLevel !== 'silent'
        ? { transport: { target: 'pino-pretty' } }
        : {}),
    },
    // Internal errors are logged by the app's error handler either way (plugins/external/errors.ts).
    logController: new LogController({ disableRequestLogging: !config.requestLogs }),
    trustProxy: fastifyTrustProxy(config.trustProxy),
    bodyLimit: 1024 * 1024,
    // A field the schema does not have is refused (FIELD_UNKNOWN), never silently dropped: a host who
    // sends summaryFields to change them must hear that they cannot, not see a success.
    ajv: { customOptions: { removeAdditional: false } },
    ...(config.tlsCertFile && config.tlsKeyFile
      ? { https: { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) } }
      : {}),
  }) as unknown as FastifyInstance;

  const routeList: { method: string; url: string }[] = [];
  app.decorate('routeList', routeList);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routeList.push({ method, url: route.url });
  });

  // Third-party wiring first (plugins/external), then the domain (plugins/app).
  await app.register(helmet, { sfuUrls: config.sfus.map((sfu) => sfu.url) });
  await app.register(database, {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    handle: options.database,
  });
  await app.register(pki, { ...config, clock });
  await app.register(audit);
  await app.register(errors);
  await app.register(jwt, {
    tokenSecret: config.tokenSecret,
    tokenTtlMinutes: config.tokenTtlMinutes,
    dataDir: config.dataDir,
  });
  await app.register(redis, { redisUrl: config.redisUrl });
  await app.register(rateLimit, { redisPrefix: config.redisPrefix });
  await app.register(socketIo, {
    redisPrefix: config.redisPrefix,
    maxPayloadBytes: hallLimits.maxPayloadBytes,
  });
  await app.register(auth, {
    tokenTtlMinutes: config.tokenTtlMinutes,
    platformName: config.platformName,
    clock,
    loginRateLimitPerMinute: config.loginRateLimitPerMinute,
  });
  await app.register(actors, { clock });
  await app.register(tenders, {
    clock,
    platformName: config.platformName,
    dataDir: config.dataDir,
    drawSecret: config.drawSecret,
  });
  await app.register(bids, {
    clock,
    dataDir: config.dataDir,
    maxSummaryBytes: config.maxSummaryBytes,
    maxDocumentsBytes: config.maxDocumentsBytes,
    uploadIdleTimeoutSeconds: config.uploadIdleTimeoutSeconds,
    uploadConcurrencyPerBidder: config.uploadConcurrencyPerBidder,
    minFreeDiskMb: config.minFreeDiskMb,
  });
  await app.register(steps, { clock, pollMs: config.schedulerPollMs });
  const print = { heading: config.centreName, font: config.recordFont };
  await app.register(hall, {
    clock,
    print,
    trustProxy: config.trustProxy,
    sessionRecheckSeconds: config.sessionRecheckSeconds,
    decryptionThreads: config.decryptionThreads,
    decryptionLeaseSeconds: config.decryptionLeaseSeconds,
    decryptionRetrySeconds: config.decryptionRetrySeconds,
    decryptionShutdownGraceSeconds: config.decryptionShutdownGraceSeconds,
  });
  await app.register(supervision, { print });
  await app.register(media, {
    clock,
    dataDir: config.dataDir,
    mediaTicketSecret: config.mediaTicketSecret,
    sfus: config.sfus,
    handPickedRooms: config.usesDevPki,
  });
  await app.register(evaluation, {
    clock,
    trustProxy: config.trustProxy,
    sessionRecheckSeconds: config.sessionRecheckSeconds,
  });
  await app.register(health, {
    sfus: config.sfus,
    minFreeDiskMb: config.minFreeDiskMb,
    maxEventLoopDelayMs: config.maxEventLoopDelayMs,
    metricsToken: config.metricsToken,
  });
  await app.register(client, { distDir: join(repositoryRoot, 'client', 'dist') });
  app.get('/api/health', async () => ({ ok: true, time: clock.now().toISOString() }));
  return app;
}
