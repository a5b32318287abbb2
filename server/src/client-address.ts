/**
 * The network address of whoever makes a request, as the audit log and the seat-network check need it.
 * Behind a reverse proxy, X-Forwarded-For says who the client is — but anyone can write that header, so
 * it is believed only for the hops the configuration names: the proxies' own addresses (or a number of
 * hops). Trusting every hop would let an expert at home claim an address inside the venue's network.
 * HTTP (Fastify's request.ip) and Socket.IO (the handshake) read it the same way.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/** TRUST_PROXY: off, a number of proxy hops, or the proxies' addresses and networks. */
export type TrustProxy = false | number | readonly string[];

type TrustFunction = (address: string, hop: number) => boolean;

function trustFunction(setting: number | readonly string[]): TrustFunction {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : proxyAddr.compile([...setting]);
}

/** The setting in the form Fastify's `trustProxy` takes. */
export function fastifyTrustProxy(setting: TrustProxy): false | TrustFunction {
  return setting === false ? false : trustFunction(setting);
}

export function clientAddress(request: IncomingMessage, setting: TrustProxy): string | null {
  if (setting === false) return request.socket.remoteAddress ?? null;
  return proxyAddr(request, trustFunction(setting));
}
