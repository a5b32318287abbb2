/**
 * The reference for the hall broadcast benchmark: a plain `ws` server that, when any client sends
 * "broadcast", sends one JSON text frame to every connected client. What a broadcast costs with nothing
 * but WebSocket framing. Prints its port on stdout.
 */
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
let seq = 0;
server.on('connection', (socket) => {
  socket.on('message', () => {
    seq += 1;
    const frame = JSON.stringify({
      type: 'window',
      seq,
      at: new Date().toISOString(),
      data: { endsAt: new Date().toISOString(), pausedRemainingMs: null, reason: 'benchmark broadcast' },
    });
    for (const client of server.clients) client.send(frame);
  });
});
server.on('listening', () => console.log((server.address() as { port: number }).port));
