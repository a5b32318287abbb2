/**
 * The supervisor's media pages. The wall: every venue being held (opening halls, main and sub evaluation
 * venues) side by side, watched without being seen. Playback: a room's recorded segments, each checked
 * against the hash in the audit log (intact, tampered, missing), played beside the room's audit events;
 * choosing an event moves the video to that moment.
 */
import type { PlaybackView, RecordedRoom, RecordingSegmentView, WatchableVenue } from '@bidhall/shared';
import { auditActionWords, isAuditAction, isVenue } from '@bidhall/shared';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { ScrollList } from '../ui/ScrollText.tsx';
import { Section } from '../ui/Section.tsx';
import { venueLabel } from '../video/venue.ts';

const VideoRoom = lazy(() => import('../video/VideoRoom.tsx'));

function useVenues(session: Session) {
  const { error: describe } = useI18n();
  const [venues, setVenues] = useState<WatchableVenue[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    api<WatchableVenue[]>('GET', '/api/media/venues', { token: session.token }).then(
      setVenues,
      (error: unknown) => setProblem(describe(error)),
    );
  }, [session.token, describe]);
  return { venues, problem };
}

export function SupervisorWall({ session }: { session: Session }) {
  const { t } = useI18n();
  const { venues, problem } = useVenues(session);
  return (
    <main className="page">
      <Section title={t('supervisorWall')}>
        <p className="muted">{t('supervisorWallHint')}</p>
        {problem && (
          <p role="alert" className="outcome error">
            {problem}
          </p>
        )}
        {venues?.length === 0 && <p className="muted">{t('noVenues')}</p>}
      </Section>
      <div className="wall">
        <Suspense fallback={<p className="muted">{t('loading')}</p>}>
          {/* One room per hall or evaluation: a supervisor in an evaluation's main venue sees every
              venue of it, grouped side by side, so its sub venues are not joined a second time. */}
          {venues
            ?.filter((v) => v.kind !== 'sub')
            .map((v) => (
              <VideoRoom
                key={v.venue}
                session={session}
                venue={v.venue}
                title={`${v.kind === 'hall' ? t('venueKind_hall') : t('wallEvaluation')} · ${v.label}`}
                watchOnly
                compact
                autoJoin
              />
            ))}
        </Suspense>
      </div>
    </main>
  );
}

const integrityClass = { intact: 'ok', tampered: 'error', missing: 'error' } as const;

export function Playback({ session }: { session: Session }) {
  const { t, error: describe, language } = useI18n();
  const [rooms, setRooms] = useState<RecordedRoom[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  /** Bumped by the refresh button: segments keep arriving while and after venues are in session. */
  const [version, setVersion] = useState(0);
  useEffect(() => {
    void version;
    api<RecordedRoom[]>('GET', '/api/recordings/rooms', { token: session.token }).then(
      setRooms,
      (error: unknown) => setProblem(describe(error)),
    );
  }, [session.token, describe, version]);
  const [room, setRoom] = useState<string | null>(null);
  const [view, setView] = useState<PlaybackView | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [playing, setPlaying] = useState<RecordingSegmentView | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const actionLabel = (action: string) =>
    isAuditAction(action) ? auditActionWords[action][language] : action;

  useEffect(() => {
    void version;
    if (!room) return;
    setPlaying(null);
    api<PlaybackView>('GET', `/api/recordings?room=${encodeURIComponent(room)}`, {
      token: session.token,
    }).then(setView, (error: unknown) => setFailure(describe(error)));
  }, [room, session.token, describe, version]);

  const seekTo = (at: string) => {
    const segment = view?.segments.find((s) => s.startedAt <= at && at <= s.endedAt);
    if (!segment) return;
    setPlaying(segment);
    const offset = (Date.parse(at) - Date.parse(segment.startedAt)) / 1000;
    requestAnimationFrame(() => {
      if (video.current) video.current.currentTime = offset;
    });
  };

  return (
    <main className="page">
      <Section title={t('playback')}>
        {(problem || failure) && (
          <p role="alert" className="outcome error">
            {problem ?? failure}
          </p>
        )}
        <label>
          {t('chooseRoom')}
          <select value={room ?? ''} onChange={(e) => setRoom(e.target.value || null)}>
            <option value="">—</option>
            {rooms.map((r) => (
              <option key={r.room} value={r.room}>
                {r.label} · {new Date(r.lastAt).toLocaleString()} · {r.segments}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setVersion((v) => v + 1)}>
          {t('refresh')}
        </button>
      </Section>
      {view && (
        <div className="columns">
          <div className="column">
            <Section title={t('segments')}>
              {view.segments.length === 0 && <p className="muted">{t('noRecordings')}</p>}
              <ul className="segments">
                {view.segments.map((s) => (
                  <li key={s.id} data-testid="segment" data-integrity={s.integrity}>
                    <span>
                      {venueLabel(s.venue, t)} · {s.peerName} · {new Date(s.startedAt).toLocaleTimeString()}–
                      {new Date(s.endedAt).toLocaleTimeString()} · {(s.bytes / 1024).toFixed(0)} KiB
                    </span>
                    <span className={`badge ${integrityClass[s.integrity]}`}>
                      {t(`integrity_${s.integrity}`)}
                    </span>
                    <button type="button" disabled={s.integrity === 'missing'} onClick={() => setPlaying(s)}>
                      {t('play')}
                    </button>
                  </li>
                ))}
              </ul>
              {playing && (
                <figure className="player">
                  {/* biome-ignore lint/a11y/useMediaCaption: recordings of live venues have no captions */}
                  <video ref={video} key={playing.id} src={playing.mediaUrl} controls autoPlay />
                  <figcaption>
                    {playing.peerName} · SHA-256 {playing.sha256.slice(0, 16)}… · {t('auditSeq')}{' '}
                    {playing.auditSeq}
                  </figcaption>
                </figure>
              )}
            </Section>
          </div>
          <div className="column side">
            <Section title={t('auditTimeline')}>
              <ScrollList className="timeline" label={t('auditTimeline')}>
                {view.events.map((e) => {
                  const inPlaying = playing && playing.startedAt <= e.at && e.at <= playing.endedAt;
                  return (
                    <li key={e.seq} className={inPlaying ? 'current' : undefined}>
                      <button type="button" className="link" onClick={() => seekTo(e.at)}>
                        {new Date(e.at).toLocaleTimeString()}
                      </button>{' '}
                      {actionLabel(e.action)}
                      {e.outcome === 'ok' ? '' : ` → ${describe({ code: e.outcome })}`}
                      {e.target && isVenue(e.target) ? ` · ${venueLabel(e.target, t)}` : ''}
                    </li>
                  );
                })}
              </ScrollList>
            </Section>
          </div>
        </div>
      )}
    </main>
  );
}
