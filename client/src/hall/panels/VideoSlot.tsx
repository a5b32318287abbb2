/** The hall's live audio/video, loaded only when a page shows it (mediasoup-client is large). */
import { venueOf } from '@bidhall/shared';
import { lazy, Suspense } from 'react';
import { useI18n } from '../../i18n.tsx';
import type { Session } from '../../session.ts';

const VideoRoom = lazy(() => import('../../video/VideoRoom.tsx'));

/**
 * The opening hall's live audio/video (the host publishes, everybody else watches). `autoJoin`: join
 * without a click — the host's console from the moment the bids open, since its camera is the opening's
 * recording.
 */
export function VideoSlot({
  session,
  tenderId,
  autoJoin = false,
  shareScreen = false,
}: {
  session: Session;
  tenderId: string;
  autoJoin?: boolean;
  /** The host may share the console's screen too, recorded with the opening. */
  shareScreen?: boolean;
}) {
  const { t } = useI18n();
  return (
    <Suspense fallback={<div className="video-slot">{t('loading')}</div>}>
      <VideoRoom
        session={session}
        venue={venueOf({ kind: 'hall', tenderId })}
        title={t('liveVideo')}
        autoJoin={autoJoin}
        shareScreen={shareScreen}
      />
    </Suspense>
  );
}
