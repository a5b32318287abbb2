/**
 * The verifiable random draw (e.g. 下浮系数 / K值 drawn in public): its one formula, used by the server that
 * draws, the pages that recompute it, the record bundle's verifier and anyone with the published inputs.
 *
 *   input  = serverSeed + ":" + join(":", the revealed bidder seeds sorted by code point)
 *   digest = SHA-256( UTF-8(input) )
 *   index  = digest, read as an unsigned big-endian integer, modulo the number of options
 *
 * The colon after the server seed is always there, also when no bidder revealed one. Each seed is
 * checked against its commitment first: SHA-256 of the seed's UTF-8 text, as hex.
 */

export const drawFormat = 'bidhall-draw/1';

/** The text whose SHA-256 decides the draw. */
export function drawInput(serverSeed: string, bidderSeeds: readonly string[]): string {
  return `${serverSeed}:${[...bidderSeeds].sort().join(':')}`;
}

/** The option index a SHA-256 digest (hex) selects among `optionCount` options. */
export function drawIndexOf(digestHex: string, optionCount: number): number {
  return Number(BigInt(`0x${digestHex}`) % BigInt(optionCount));
}
