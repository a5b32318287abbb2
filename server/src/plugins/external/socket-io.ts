/**
 * Socket.IO on Fastify's HTTP server, for every realtime contract the app serves (the hall's is on the
 * default namespace). With REDIS_URL, the Redis Streams adapter carries broadcasts between server
 * processes and keeps connection-state recovery working across them. Closed before the HTTP server:
 * late upgrades are turned away, every socket disconnected, the adapter and Redis closed.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import fp from 'fastify-plugin';
import { Server } from 'socket.io';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Socket.IO server; each realtime module types the namespace it serves. */
    io: Server;
  }
}

export interface SocketIoOptions {
  readonly redisPrefix?: string;
  /** The largest message a client may send (bigger: the connection is closed). */
  readonly maxPayloadBytes: number;
}

export default fp<SocketIoOptions>(
  async (app, options) => {
    const redis = app.redis;
    const prefix = options.redisPrefix ?? 'bidhall';
    const io = new Server(app.server, {
      serveClient: false,
      maxHttpBufferSize: options.maxPayloadBytes,
      // Broadcast frames are small; per-message compression would cost CPU on every delivery.
      perMessageDeflate: false,
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
      ...(redis
        ? {
            adapter: createAdapter(redis, {
              streamName: `${prefix}:socket.io`,
              sessionKeyPrefix: `${prefix}:sio:session:`,
            }),
          }
        : {}),
    });
    app.decorate('io', io);
    app.addHook('preClose', async () => {
      // Clients reconnect within a second; the HTTP server still accepts upgrades until the end of
      // close, and one late connection would hold the close open. Turn them away from now on.
      io.engine.on('connection', (connection: { close(): void }) => connection.close());
      // This process's sockets only: through the cluster adapter, io.disconnectSockets() would cut the
      // clients of every other process too. Each reconnects, through the load balancer, elsewhere.
      io.local.disconnectSockets(true);
      // Not io.close(): that would close Fastify's HTTP server under it.
      io.engine.close();
      await (io.of('/').adapter as { close?: () => Promise<void> | void }).close?.();
    });
  },
  { name: 'socket-io', dependencies: ['redis'] },
);
