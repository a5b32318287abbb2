/**
 * Per-route request limits (@fastify/rate-limit): off unless a route names its own (login, tickets).
 * Counted in Redis when the processes share one, so several processes hold one limit between them.
 */
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';

export default fp<{ redisPrefix: string }>(
  async (app, options) => {
    await app.register(rateLimit, {
      global: false,
      ...(app.redis ? { redis: app.redis, nameSpace: `${options.redisPrefix}:rate-limit:` } : {}),
    });
  },
  { name: 'rate-limit', dependencies: ['redis'] },
);
