/**
 * An expert's page (a tenderee's representative's too): the committees they sit on or are a reserve of,
 * each opening the expert room, where the day's work happens at the seat.
 */
import type { CommitteeView } from '@bidhall/shared';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { HostBuiltRooms } from '../evaluation/HostBuiltRooms.tsx';
import { committeeLink } from '../evaluation/TenderCommittees.tsx';
import { ownPlace } from '../evaluation/useCommittee.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { useFormat } from '../ui/format.ts';
import { Section } from '../ui/Section.tsx';

export function ExpertHome({ session }: { session: Session }) {
  const { t, error: describe } = useI18n();
  const format = useFormat();
  const [committees, setCommittees] = useState<CommitteeView[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    api<CommitteeView[]>('GET', '/api/committees', { token: session.token }).then(
      setCommittees,
      (error: unknown) => setProblem(describe(error)),
    );
  }, [session.token, describe]);

  return (
    <main className="page">
      <Section title={t('evaluations')}>
        {problem && (
          <p role="alert" className="outcome error">
            {problem}
          </p>
        )}
        {committees === null && !problem && <p className="muted">{t('loading')}</p>}
        {committees?.length === 0 && <p className="muted">{t('noEvaluations')}</p>}
        <ul className="tender-list">
          {committees?.map((c) => {
            const me = ownPlace(c);
            return (
              <li key={c.id} className="tender-item">
                <div>
                  <p className="tender-name">{c.title}</p>
                  <p className="muted">
                    {c.tenderCode} · {t(`committeeStatus_${c.status}`)}
                    {me ? ` · ${t(`memberState_${me.state}`)} · ${me.seat ?? ''}` : ''}
                    {me?.signInBy ? ` · ${t('signInBy', { at: format.time(me.signInBy) })}` : ''}
                  </p>
                </div>
                <a className="button primary" href={committeeLink(c.id)}>
                  {t('enterEvaluation')}
                </a>
              </li>
            );
          })}
        </ul>
      </Section>
      <HostBuiltRooms session={session} />
    </main>
  );
}
