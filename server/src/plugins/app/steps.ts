/**
 * The process's one scheduler (steps/scheduler.ts). Each module's plugin registers its timed aggregate
 * and its background work with it; it starts once the whole app is ready and stops before anything it
 * would call (sockets, workers, the database) closes.
 */
import fp from 'fastify-plugin';
import type { Clock } from '../../clock.ts';
import { Scheduler } from '../../steps/scheduler.ts';

declare module 'fastify' {
  interface FastifyInstance {
    scheduler: Scheduler;
  }
}

export interface StepsOptions {
  readonly clock: Clock;
  /** How often the scheduler looks for steps scheduled by other processes. */
  readonly pollMs: number;
}

export default fp<StepsOptions>(
  async (app, options) => {
    const scheduler = new Scheduler({
      db: app.db,
      clock: options.clock,
      log: app.log,
      pollMs: options.pollMs,
    });
    app.decorate('scheduler', scheduler);
    app.addHook('onReady', async () => scheduler.start());
    app.addHook('preClose', async () => scheduler.stop());
  },
  { name: 'steps', dependencies: ['database'] },
);
