/**
 * Serves the built browser client (client/dist) and answers any other page address with its index.html,
 * so a reload on /hall/… works. API and Socket.IO addresses keep their JSON 404s. When the client has not
 * been built, pages say how to build it instead of failing obscurely.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WireError } from '@bidhall/shared';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

export interface ClientOptions {
  readonly distDir: string;
}

const isApi = (url: string) => url.startsWith('/api/') || url.startsWith('/socket.io/');

export default fp<ClientOptions>(
  async (app, options) => {
    const built = existsSync(join(options.distDir, 'index.html'));
    if (built) {
      await app.register(fastifyStatic, {
        root: options.distDir,
        wildcard: false,
        // Vite names assets by content hash: they never change, so browsers may keep them.
        setHeaders: (reply, path) => {
          reply.setHeader(
            'cache-control',
            path.includes(`${join('dist', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
        },
      });
    }
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (request.method === 'GET' && !isApi(path) && !/\.[a-z0-9]+$/i.test(path)) {
        if (built) return reply.header('cache-control', 'no-cache').sendFile('index.html');
        return reply
          .status(503)
          .type('text/plain; charset=utf-8')
          .send('bidhall: the browser client is not built yet. Run `npm run build`.\n');
      }
      const body: WireError = { code: 'NOT_FOUND', message: `no route ${request.method} ${path}` };
      return reply.status(404).send(body);
    });
  },
  { name: 'client', dependencies: ['errors'] },
);
