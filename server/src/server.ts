/**
 * Boots the server: configuration, the app, dev seeding on embedded defaults, graceful shutdown. What
 * runs beside it in the same process (the SFU without SFU_URLS) is handed in by the composition root
 * (bin/), so the server itself never depends on the SFU's code.
 */
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { TenderView } from '@bidhall/shared';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { type Config, repositoryRoot } from './config.ts';
import { ensureDemoEvaluation, ensureDemoTender, runDemo } from './dev/demo.ts';
import { seedDevActors } from './dev/seed.ts';
import { startSummary } from './dev/summary.ts';

const pkiDir = join(repositoryRoot, 'certs', 'out');
/** How long open connections get to finish at shutdown before they are cut. */
const shutdownGraceMs = 3_000;

/** Something started beside the server in this process, closed before the server at shutdown. */
export interface Companion {
  close(): Promise<void>;
}

export interface StartOptions {
  /** Without SFU_URLS: starts an SFU in this process for the app reachable at `ownUrl`. */
  readonly localSfu?: (app: FastifyInstance, config: Config, ownUrl: string) => Promise<Companion | null>;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp({ config });
  await app.ready();
  let demo: TenderView | null = null;
  if (config.usesDevPki) {
    // Embedded defaults: register the dev PKI's staff and keep a demo tender going, so a newcomer can log
    // in (DEMO=false keeps the staff and leaves the demo out, for processes that share a test's data).
    const actors = await seedDevActors(app.db, app.trust, pkiDir, new Date());
    if (config.demo) {
      demo = await ensureDemoTender(app, actors);
      await ensureDemoEvaluation(app, actors, demo);
      app.log.info({ tender: demo.code, deadline: demo.deadline }, 'demo tender open for bids');
    }
  }
  await app.listen({ host: config.host, port: config.port });
  const sfu =
    config.sfus.length === 0 && options.localSfu
      ? await options.localSfu(app, config, ownUrl(app, config))
      : null;
  // Every socket, upgraded ones too: the HTTP server's close waits for all of them, and a WebSocket caught
  // half-way through its upgrade at shutdown would otherwise hold it open.
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const demoRun = new AbortController();
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        app.log.error('shutdown took longer than 10 s; exiting anyway');
        process.exit(1);
      }, 10_000);
      force.unref();
      // The demo's simulated bidders are clients of this server: stop them before it closes.
      demoRun.abort();
      const stragglers = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, shutdownGraceMs);
      stragglers.unref();
      // The SFU first: it finalises its recordings and hands them to the server before that closes.
      void (sfu?.close() ?? Promise.resolve())
        .catch((error: unknown) => app.log.error({ err: error }, 'the SFU did not close cleanly'))
        .then(() => app.close())
        .then(() => process.exit(0));
    });
  }
  const bidder = demo
    ? await runDemo(demo, {
        url: ownUrl(app, config),
        pkiDir,
        dataDir: config.dataDir,
        log: (message) => app.log.info(message),
        signal: demoRun.signal,
      }).catch((error: unknown) => {
        app.log.warn({ err: error }, 'the demo could not be prepared');
        return null;
      })
    : null;
  // A person at a terminal reads a summary; a log collector keeps the JSON lines above.
  if (process.stdout.isTTY)
    process.stdout.write(
      startSummary({ url: ownUrl(app, config), demo, bidder, pkiDir, root: repositoryRoot }),
    );
  return app;
}

/** The address this process reaches itself at (the demo's bidders, the in-process SFU's uploads). */
export function ownUrl(app: FastifyInstance, config: Config): string {
  const scheme = config.tlsCertFile ? 'https' : 'http';
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return `${scheme}://${host}:${port}`;
}
