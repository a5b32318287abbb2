import fp from 'fastify-plugin';
import type { Database, DatabaseHandle } from '../../db/client.ts';
import { openDatabase } from '../../db/client.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    /** The handle behind `db`, for streaming reads (COPY) such as the audit verifier's. */
    database: DatabaseHandle;
  }
}

/** The database (PostgreSQL or embedded PGlite), migrated on start and closed with the server. */
export default fp<{ databaseUrl: string | undefined; dataDir: string; handle?: DatabaseHandle }>(
  async (app, options) => {
    const handle =
      options.handle ??
      (await openDatabase({
        url: options.databaseUrl,
        dataDir: options.dataDir,
        onIdleError: (error) => app.log.warn({ err: error }, 'idle database connection failed'),
      }));
    app.decorate('db', handle.db);
    app.decorate('database', handle);
    app.log.info({ database: handle.kind }, 'database ready');
    // A handle passed in by the caller (tests sharing a database) is the caller's to close.
    if (!options.handle) app.addHook('onClose', () => handle.close());
  },
  { name: 'database' },
);
