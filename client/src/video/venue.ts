/** A venue as people name it: 开标大厅, 主会场, 分会场 <city>. */
import { parseVenue } from '@bidhall/shared';
import type { TextKey } from '../i18n.tsx';

export function venueLabel(venue: string | null, t: (key: TextKey) => string): string {
  const place = venue ? parseVenue(venue) : null;
  if (!place) return '';
  if (place.kind === 'sub') return `${t('venueKind_sub')} ${place.city}`;
  return t(`venueKind_${place.kind}`);
}
