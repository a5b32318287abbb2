/** Boots the server: configuration, the app, dev seeding on embedded defaults, graceful shutdown. */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { type Config, repositoryRoot } from './config.ts';
import { ensureDemoTender } from './dev/demo.ts';
import { seedDevActors } from './dev/seed.ts';

export async function startServer(config: Config): Promise<FastifyInstance> {
  const app = await buildApp({ config });
  await app.ready();
  if (config.usesDevPki) {
    // Embedded defaults: register the dev PKI's staff and keep a demo tender open, so a newcomer can log in.
    const actors = await seedDevActors(app.db, app.trust, join(repositoryRoot, 'certs', 'out'), new Date());
    const demo = await ensureDemoTender(app, actors);
    app.log.info({ tender: demo.code, deadline: demo.deadline }, 'demo tender open for bids');
  }
  await app.listen({ host: config.host, port: config.port });
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      void app.close().then(() => process.exit(0));
    });
  }
  return app;
}
