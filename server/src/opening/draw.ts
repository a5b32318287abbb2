/**
 * The verifiable random draw, server side: commit-reveal. The platform's seed is committed when the
 * tender is created (tenders/draw-seed.ts derives it from a secret the database never holds), each
 * bidder's in its signed manifest; bidders reveal theirs until the decryption window ends; the platform
 * reveals its own at the reading of bids. The formula is shared/src/draw.ts, the one every checker uses.
 * A bidder who has not revealed by the end of the window is left out; its commitment stays published,
 * so leaving out is visible, and nobody can know beforehand what leaving out would change, because the
 * platform's seed is secret until then.
 */
import { createHash } from 'node:crypto';
import { drawIndexOf, drawInput } from '@bidhall/shared';

export function seedCommitment(seed: string): string {
  return createHash('sha256').update(seed, 'utf8').digest('hex');
}

export function drawIndex(serverSeed: string, bidderSeeds: readonly string[], optionCount: number): number {
  const digest = createHash('sha256').update(drawInput(serverSeed, bidderSeeds), 'utf8').digest('hex');
  return drawIndexOf(digest, optionCount);
}
