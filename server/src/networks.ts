/**
 * Seat networks: the CIDR a seat joins from, and whether a client's address is in one of them (experts
 * act only from their seats). Used by audio/video tickets and the seat catalogue.
 */
import { BlockList, isIP } from 'node:net';

/** A CIDR network as node:net takes it, or null. */
export function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText = ''] = cidr.split('/');
  const version = isIP(address);
  const prefix = Number(prefixText);
  if (version === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (version === 4 ? 32 : 128))
    return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether `ip` is in one of the seat networks (or the venue has none registered). */
export function fromSeat(networks: readonly string[], ip: string | null): boolean {
  if (networks.length === 0) return true;
  if (!ip) return false;
  const seats = new BlockList();
  for (const network of networks) {
    const parsed = parseCidr(network);
    if (parsed) seats.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  return seats.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
}
