/**
 * The verifiable random draw (e.g. 下浮系数 / K值 drawn in public): commit-reveal. The server's seed is
 * committed at tender creation, each bidder's seed in its signed manifest at submission, all before any
 * bid could be read. After the opening the bidders reveal their seeds and the server reveals its own;
 * anyone recomputes the result from the published inputs:
 *
 *   digest = SHA-256( UTF-8( serverSeed + ":" + join(":", sorted revealed bidder seeds) ) )
 *   index  = digest (as an unsigned big-endian integer) mod number of options
 *
 * A bidder who does not reveal is left out; its commitment stays published, so leaving out is visible.
 */
import { createHash } from 'node:crypto';

export function seedCommitment(seed: string): string {
  return createHash('sha256').update(seed, 'utf8').digest('hex');
}

export function drawIndex(serverSeed: string, bidderSeeds: readonly string[], optionCount: number): number {
  const input = [serverSeed, ...[...bidderSeeds].sort()].join(':');
  const digest = createHash('sha256').update(input, 'utf8').digest('hex');
  return Number(BigInt(`0x${digest}`) % BigInt(optionCount));
}
