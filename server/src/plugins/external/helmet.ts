/**
 * Security headers (@fastify/helmet). Pages open WebSockets to the SFUs of other cities: those origins
 * are allowed to connect, nothing else. Bid documents the committee reads (images, PDF pages) are shown
 * from blob: URLs the page makes of what it fetched, never from another origin.
 */
import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

export default fp<{ readonly sfuUrls: readonly string[] }>(
  async (app, options) => {
    const sfuOrigins = options.sfuUrls.flatMap((url) => {
      const origin = new URL(url).origin;
      return [origin, origin.replace(/^http/, 'ws')];
    });
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        directives: { connectSrc: ["'self'", ...sfuOrigins], imgSrc: ["'self'", 'data:', 'blob:'] },
      },
    });
  },
  { name: 'helmet' },
);
