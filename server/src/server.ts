/** Boots the server: configuration, the app, dev seeding on embedded defaults, graceful shutdown. */
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { TenderView } from '@bidhall/shared';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { type Config, repositoryRoot } from './config.ts';
import { ensureDemoTender, runDemo } from './dev/demo.ts';
import { seedDevActors } from './dev/seed.ts';

const pkiDir = join(repositoryRoot, 'certs', 'out');
/** How long open connections get to finish at shutdown before they are cut. */
const shutdownGraceMs = 3_000;

export async function startServer(config: Config): Promise<FastifyInstance> {
  const app = await buildApp({ config });
  await app.ready();
  let demo: TenderView | null = null;
  if (config.usesDevPki) {
    // Embedded defaults: register the dev PKI's staff and keep a demo tender going, so a newcomer can log in.
    const actors = await seedDevActors(app.db, app.trust, pkiDir, new Date());
    demo = await ensureDemoTender(app, actors);
    app.log.info({ tender: demo.code, deadline: demo.deadline }, 'demo tender open for bids');
  }
  await app.listen({ host: config.host, port: config.port });
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
      void app.close().then(() => process.exit(0));
    });
  }
  if (demo) {
    const scheme = config.tlsCertFile ? 'https' : 'http';
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    await runDemo(demo, {
      url: `${scheme}://${host}:${config.port}`,
      pkiDir,
      dataDir: config.dataDir,
      log: (message) => app.log.info(message),
      signal: demoRun.signal,
    }).catch((error: unknown) => app.log.warn({ err: error }, 'the demo could not be prepared'));
  }
  return app;
}
