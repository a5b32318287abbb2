/**
 * The video rooms a host set up by hand before committees existed (POST /api/evaluations): kept until the
 * media test moves onto a committee's room (issue 14's note), then removed with that route.
 */
import type { EvaluationView } from '@bidhall/shared';
import { lazy, Suspense, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Section } from '../ui/Section.tsx';

const VideoRoom = lazy(() => import('../video/VideoRoom.tsx'));

export function HostBuiltRooms({ session }: { session: Session }) {
  const { t, error: describe } = useI18n();
  const [evaluations, setEvaluations] = useState<EvaluationView[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);

  useEffect(() => {
    api<EvaluationView[]>('GET', '/api/evaluations', { token: session.token }).then(
      (list) => {
        setEvaluations(list);
        if (list.length === 1) setChosen(list[0]!.id);
      },
      (error: unknown) => setProblem(describe(error)),
    );
  }, [session.token, describe]);

  const evaluation = evaluations?.find((e) => e.id === chosen);
  const myVenue = evaluation?.venues.find((v) => v.experts.some((e) => e.id === session.actor.id));

  return (
    <>
      <Section title={t('videoRooms')}>
        {problem && (
          <p role="alert" className="outcome error">
            {problem}
          </p>
        )}
        {evaluations === null && !problem && <p className="muted">{t('loading')}</p>}
        <ul className="tender-list">
          {evaluations?.map((e) => (
            <li key={e.id} className="tender-item">
              <div>
                <p className="tender-name">{e.title}</p>
                <p className="muted">
                  {e.venues
                    .map((v) => `${v.main ? t('mainVenue') : t('subVenue')} ${v.city} (${v.experts.length})`)
                    .join(' · ')}
                </p>
              </div>
              <button type="button" className="primary" onClick={() => setChosen(e.id)}>
                {t('enterEvaluation')}
              </button>
            </li>
          ))}
        </ul>
      </Section>
      {evaluation && myVenue && (
        <Suspense fallback={<p className="muted">{t('loading')}</p>}>
          <VideoRoom
            key={myVenue.venue}
            session={session}
            venue={myVenue.venue}
            title={`${evaluation.title} · ${myVenue.main ? t('mainVenue') : t('subVenue')} ${myVenue.city}`}
          />
        </Suspense>
      )}
    </>
  );
}
