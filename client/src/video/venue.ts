/** A venue as people name it: 开标大厅, 主会场, 分会场 <city>. */
import { parseVenue, type VenuePlace } from '@bidhall/shared';
import type { TextKey } from '../i18n.tsx';

export function venueLabel(
  venue: string | null,
  t: (key: TextKey) => string,
  /** The place a city's venue is in, as people name it (an evaluation's trading centres). */
  placeOf?: (place: VenuePlace) => string | undefined,
): string {
  const place = venue ? parseVenue(venue) : null;
  if (!place) return '';
  const named = place.kind === 'hall' ? undefined : placeOf?.(place);
  if (place.kind === 'sub') return `${t('venueKind_sub')} ${named ?? place.city}`;
  return named ? `${t(`venueKind_${place.kind}`)} ${named}` : t(`venueKind_${place.kind}`);
}
