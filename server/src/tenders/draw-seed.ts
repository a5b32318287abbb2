/**
 * The platform's seed for a tender's random draw. It is derived from the draw secret (DRAW_SECRET, or one
 * generated into the data folder) and the tender id, so that it exists nowhere at rest: the database holds
 * only its commitment until the reading of bids reveals it. Someone able to read the database before the
 * opening — and so every bidder's revealed seed — still cannot compute the draw, nor tell a bidder
 * whether withholding its seed would change the result.
 */
import { createHash, createHmac } from 'node:crypto';
import { drawFormat } from '@bidhall/shared';

export function serverSeedFor(drawSecret: string, tenderId: string): string {
  return createHmac('sha256', drawSecret).update(`${drawFormat}:${tenderId}`, 'utf8').digest('hex');
}

export function serverSeedCommitmentFor(drawSecret: string, tenderId: string): string {
  return createHash('sha256').update(serverSeedFor(drawSecret, tenderId), 'utf8').digest('hex');
}
