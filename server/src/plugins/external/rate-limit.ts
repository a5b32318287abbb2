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
      // Redis away for a moment lets requests through rather than refusing every login meanwhile.
      ...(app.redis
        ? { redis: app.redis, nameSpace: `${options.redisPrefix}:rate-limit:`, skipOnError: true }
        : {}),
    });
  },
  { name: 'rate-limit', dependencies: ['redis'] },
);
