/** The hall's live audio/video, loaded only when a page shows it (mediasoup-client is large). */
import { venueOf } from '@bidhall/shared';
import { lazy, Suspense } from 'react';
import { useI18n } from '../../i18n.tsx';
import type { Session } from '../../session.ts';

const VideoRoom = lazy(() => import('../../video/VideoRoom.tsx'));

/** The opening hall's live audio/video (the host publishes, everybody else watches). */
export function VideoSlot({ session, tenderId }: { session: Session; tenderId: string }) {
  const { t } = useI18n();
  return (
    <Suspense fallback={<div className="video-slot">{t('loading')}</div>}>
      <VideoRoom session={session} venue={venueOf({ kind: 'hall', tenderId })} title={t('liveVideo')} />
    </Suspense>
  );
}
