/** How a participant's link is described: the words people read for a 0–10 consumer score. */
export const linkQualities = ['good', 'fair', 'poor', 'unknown'] as const;
export type LinkQuality = (typeof linkQualities)[number];

export function linkQuality(score: number | undefined): LinkQuality {
  if (score === undefined) return 'unknown';
  return score >= 8 ? 'good' : score >= 5 ? 'fair' : 'poor';
}
