import type { TenderView } from '@bidhall/shared';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { CreateTender } from '../tenders/CreateTender.tsx';
import { useFormat } from '../ui/format.ts';
import { Section } from '../ui/Section.tsx';

export function TenderList({ session, onOpen }: { session: Session; onOpen: (id: string) => void }) {
  const { t, error: describe } = useI18n();
  const format = useFormat();
  const [tenders, setTenders] = useState<TenderView[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [_version, setVersion] = useState(0);

  useEffect(() => {
    api<TenderView[]>('GET', '/api/tenders', { token: session.token }).then(
      (list) => setTenders([...list].sort((a, b) => b.deadline.localeCompare(a.deadline))),
      (error: unknown) => setProblem(describe(error)),
    );
  }, [session.token, describe]);

  return (
    <main className="page">
      <Section title={t('tenders')}>
        {problem && (
          <p role="alert" className="outcome error">
            {problem}
          </p>
        )}
        {tenders === null && !problem && <p className="muted">{t('loading')}</p>}
        {tenders?.length === 0 && <p className="muted">{t('noTenders')}</p>}
        <ul className="tender-list">
          {tenders?.map((tender) => (
            <li key={tender.id} className="tender-item">
              <div>
                <p className="muted">{tender.code}</p>
                <p className="tender-name">{tender.title}</p>
                <p className="muted">
                  {t('deadline')}: {format.time(tender.deadline)} ·{' '}
                  <span className={`badge status-${tender.status}`}>{t(`status_${tender.status}`)}</span>
                </p>
              </div>
              <button type="button" className="primary" onClick={() => onOpen(tender.id)}>
                {session.actor.role === 'host' ? t('openConsole') : t('enterHall')}
              </button>
            </li>
          ))}
        </ul>
      </Section>
      {session.actor.role === 'host' && (
        <CreateTender
          session={session}
          onCreated={(tender) => {
            setVersion((v) => v + 1);
            onOpen(tender.id);
          }}
        />
      )}
    </main>
  );
}
