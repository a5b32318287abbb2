/** A venue as people name it: 开标大厅, 主会场, 分会场 <city>. */
import type { TextKey } from '../i18n.tsx';

export function venueLabel(venue: string | null, t: (key: TextKey) => string): string {
  if (!venue) return '';
  if (venue.startsWith('hall:')) return t('venueKind_hall');
  const [, , place, city] = venue.split(':');
  return place === 'main' ? t('venueKind_main') : `${t('venueKind_sub')} ${city ?? ''}`;
}
