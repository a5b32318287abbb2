/**
 * The Redis connection the server processes share (REDIS_URL): the Socket.IO adapter's broadcasts and
 * the request limits, so a bidder's limit is one limit whichever process its requests reach. Without
 * REDIS_URL a single process keeps both in memory.
 */
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Redis connection the processes share (REDIS_URL), or null for a single process. */
    redis: Redis | null;
  }
}

export interface RedisOptions {
  readonly redisUrl: string | undefined;
}

export default fp<RedisOptions>(
  async (app, options) => {
    const redis = options.redisUrl ? new Redis(options.redisUrl, { maxRetriesPerRequest: 3 }) : null;
    if (redis) {
      // Redis away: ioredis reconnects by itself; say so once in a while, not for every retry of every
      // connection (the Socket.IO adapter duplicates this one for its blocking reads).
      let lastWarned = 0;
      const onError = (error: Error) => {
        if (Date.now() - lastWarned < 10_000) return;
        lastWarned = Date.now();
        app.log.warn({ err: error }, 'Redis unavailable; reconnecting');
      };
      redis.on('error', onError);
      const duplicate = redis.duplicate.bind(redis);
      redis.duplicate = (...args: Parameters<Redis['duplicate']>) => duplicate(...args).on('error', onError);
    }
    app.decorate('redis', redis);
    app.addHook('onClose', async () => {
      if (redis) await redis.quit();
    });
  },
  { name: 'redis' },
);
