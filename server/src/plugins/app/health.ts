/**
 * What operations ask of a server process: is it alive (`/health/live`: the process answers), is it
 * ready for traffic (`/health/ready`: the database, Redis when configured, the blob storage and every
 * configured SFU answer), is it overloaded (load shedding by @fastify/under-pressure: 503 SERVER_BUSY with
 * Retry-After while the event loop lags), and how is it doing (`/metrics`, Prometheus text by prom-client).
 * Metrics are read by the scraper with METRICS_TOKEN, or from this machine when none is set: they name
 * tenders and committees by id, nothing about a bid.
 */

import { constants } from 'node:fs';
import { access, statfs } from 'node:fs/promises';
import underPressure from '@fastify/under-pressure';
import { sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { rowsOf } from '../../db/client.ts';
import { AppError } from '../../errors.ts';

export interface HealthOptions {
  /** The configured SFU processes, by city. */
  readonly sfus: readonly { readonly city: string; readonly url: string }[];
  readonly minFreeDiskMb: number;
  /** Shed load (503 SERVER_BUSY) when the event loop lags longer than this. */
  readonly maxEventLoopDelayMs: number;
  /** The bearer token the metrics scraper sends; without one, /metrics answers this machine only. */
  readonly metricsToken: string | undefined;
}

type Check = 'ok' | 'absent' | `down: ${string}`;

/** Resolves `work` or says it took longer than `ms`: a readiness probe must answer promptly. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref(),
    ),
  ]);
}

const down = (error: unknown): Check => `down: ${(error as Error).message ?? String(error)}`;

/** The seconds a shed request is told to wait before it tries again. */
const retryAfterSeconds = 10;

/** Probes and the scraper are answered under pressure too: a busy process is still alive. */
const probe = { rateLimit: false, pressureHandler: () => undefined } as const;

const isLoopback = (address: string | undefined) =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

export default fp<HealthOptions>(
  async (app, options) => {
    await app.register(underPressure, {
      maxEventLoopDelay: options.maxEventLoopDelayMs,
      retryAfter: retryAfterSeconds,
      // A rejection reaches the app's error handler: the usual { code, message } in both languages.
      pressureHandler: (_request, reply) => {
        reply.header('retry-after', String(retryAfterSeconds));
        return Promise.reject(new AppError('SERVER_BUSY'));
      },
    });

    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'bidhall_' });
    const latency = new Histogram({
      name: 'bidhall_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    const auditAppend = new Histogram({
      name: 'bidhall_audit_append_seconds',
      help: 'Time to append one entry to the audit chain',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
    const uploadBytes = new Gauge({
      name: 'bidhall_upload_bytes_in_flight',
      help: 'Declared size (content-length) of the bid uploads being received',
      registers: [registry],
    });
    const shed = new Counter({
      name: 'bidhall_requests_shed_total',
      help: 'Requests answered 503 SERVER_BUSY while the process was overloaded',
      registers: [registry],
    });
    new Gauge({
      name: 'bidhall_socket_connections',
      help: 'Socket.IO connections to this process by namespace',
      labelNames: ['namespace'],
      registers: [registry],
      collect() {
        this.reset();
        for (const name of ['/hall', '/evaluation', '/'])
          this.set({ namespace: name }, app.io.of(name).sockets.size);
      },
    });
    new Gauge({
      name: 'bidhall_room_participants',
      help: 'Participants connected to this process per hall (tender) and per evaluation (committee)',
      labelNames: ['namespace', 'room'],
      registers: [registry],
      collect() {
        this.reset();
        // A socket's own room is named by its id; only the shared rooms are reported.
        for (const name of ['/hall', '/evaluation'])
          for (const [room, members] of app.io.of(name).adapter.rooms)
            if (!app.io.of(name).sockets.has(room)) this.set({ namespace: name, room }, members.size);
      },
    });
    new Gauge({
      name: 'bidhall_bids_by_opening_status',
      help: 'Submitted bids by their opening status (the decryption queue and what it has done)',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        this.reset();
        const rows = await app.db.execute<{ status: string; count: string }>(
          sql`select opening_status as status, count(*) as count from bids where status = 'submitted' group by 1`,
        );
        for (const row of rowsOf<{ status: string; count: string }>(rows))
          this.set({ status: row.status }, Number(row.count));
      },
    });
    new Gauge({
      name: 'bidhall_documents_decryptions_running',
      help: 'Documents decryptions holding a lease now (any process)',
      registers: [registry],
      async collect() {
        const rows = await app.db.execute<{ count: string }>(
          sql`select count(*) as count from bids where documents_lease_until > now()`,
        );
        this.set(Number(rowsOf<{ count: string }>(rows)[0]?.count ?? 0));
      },
    });

    app.audit.observeAppends((seconds) => auditAppend.observe(seconds));

    const started = new WeakMap<FastifyRequest, ReturnType<typeof latency.startTimer>>();
    const declared = new WeakMap<FastifyRequest, number>();
    app.addHook('onRequest', async (request) => {
      started.set(request, latency.startTimer({ method: request.method }));
      if (request.method === 'POST' && request.routeOptions.url === '/api/tenders/:tenderId/bids') {
        const bytes = Number(request.headers['content-length'] ?? 0);
        declared.set(request, bytes);
        uploadBytes.inc(bytes);
      }
    });
    app.addHook('onResponse', async (request, reply) => {
      started.get(request)?.({
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      });
      const bytes = declared.get(request);
      if (bytes !== undefined) uploadBytes.dec(bytes);
      if (reply.statusCode === 503 && reply.getHeader('retry-after')) shed.inc();
    });

    app.get('/health/live', { config: probe }, async () => ({ status: 'live' }));

    app.get('/health/ready', { config: probe }, async (_request, reply) => {
      const checks: Record<string, Check | Record<string, Check>> = {};
      const [database, redis, storage, sfus] = await Promise.all([
        within(2_000, app.db.execute(sql`select 1`)).then((): Check => 'ok', down),
        app.redis
          ? within(2_000, app.redis.ping()).then((): Check => 'ok', down)
          : Promise.resolve<Check>('absent'),
        within(2_000, storageCheck(app.blobs.root, options.minFreeDiskMb)).then((): Check => 'ok', down),
        Promise.all(options.sfus.map(async (sfu) => [sfu.city, await sfuCheck(sfu.url)] as const)).then(
          (entries) => Object.fromEntries(entries),
        ),
      ]);
      Object.assign(checks, { database, redis, storage, sfus });
      const ready =
        database === 'ok' &&
        (redis === 'ok' || redis === 'absent') &&
        storage === 'ok' &&
        Object.values(sfus).every((s) => s === 'ok');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
    });

    app.get('/metrics', { config: probe }, async (request, reply) => {
      const allowed = options.metricsToken
        ? request.headers.authorization === `Bearer ${options.metricsToken}`
        : isLoopback(request.socket.remoteAddress);
      if (!allowed) throw new AppError('METRICS_FORBIDDEN');
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  },
  { name: 'health', dependencies: ['database', 'audit', 'socket-io', 'bids'] },
);

/** The blob store's folder is writable and keeps the disk reserve free. */
async function storageCheck(root: string, minFreeDiskMb: number): Promise<void> {
  await access(root, constants.W_OK);
  const disk = await statfs(root);
  const free = disk.bavail * disk.bsize;
  if (free < minFreeDiskMb * 1024 * 1024) throw new Error(`${Math.floor(free / 1024 / 1024)} MB free`);
}

/** An SFU answers HTTP at its URL (any status: it is up and listening). */
async function sfuCheck(url: string): Promise<Check> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return 'ok';
  } catch (error) {
    return down((error as { cause?: unknown }).cause ?? error);
  }
}
