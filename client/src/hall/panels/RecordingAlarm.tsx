/**
 * The alarm when an opening runs unrecorded (财政部87号令 Art 39 wants it recorded in full): shown to the
 * host and the supervisors from the moment the bids open until the record is signed, once the hall has
 * gone a few seconds without a recording (a recording takes seconds to start after the camera does).
 */
import { allowedIn } from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import { useRef } from 'react';
import type { HallView } from '../../hall-state.ts';
import { useI18n } from '../../i18n.tsx';
import { useTicker } from '../useHall.ts';

/** How long a hall may be unrecorded before the alarm: the camera joining and ffmpeg starting. */
const graceMs = 15_000;

/** Since when the hall has been unrecorded in the phase that must be recorded, or null if it is recorded. */
function unrecordedSince(view: HallView): number | null {
  if (!allowedIn('recorded', view.status) || view.recording?.recording) return null;
  const opened = Date.parse(view.deadline);
  return Math.max(opened, view.recording ? Date.parse(view.recording.since) : opened);
}

export function RecordingAlarm({
  view,
  client,
  host,
}: {
  view: HallView;
  client: HallClient;
  host: boolean;
}) {
  const { t } = useI18n();
  const now = useTicker(1000);
  const since = unrecordedSince(view);
  // How long it has been unrecorded: by the server's clock (the state's times are the server's), or
  // since this page saw it, whichever is longer (a clock estimate made long ago may have drifted).
  const seen = useRef<{ since: number; at: number } | null>(null);
  if (since === null) seen.current = null;
  else if (seen.current?.since !== since) seen.current = { since, at: now };
  if (since === null || !seen.current) return null;
  const unrecordedMs = Math.max(client.serverNow() - since, now - seen.current.at);
  if (unrecordedMs < graceMs) return null;
  return (
    <p className="outcome error recording-alarm" role="alert" data-testid="unrecorded">
      {t(host ? 'unrecordedHost' : 'unrecordedAlarm')}
    </p>
  );
}
