/**
 * A tender's committees on its page for the host, supervisors and the tenderee: each with its status and
 * a link to its page; for the host, the set-up form when the bids have been read out and no committee is
 * running (a re-formed one stays listed, for the record).
 */
import { type CommitteeView, can, type TenderStatus } from '@bidhall/shared';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Section } from '../ui/Section.tsx';
import { CommitteeSetup } from './CommitteeSetup.tsx';

const readOut: readonly TenderStatus[] = ['announced', 'confirming', 'closed'];

export function committeeLink(id: string) {
  return `#/committee/${id}`;
}

export function TenderCommittees({
  session,
  tenderId,
  tenderStatus,
}: {
  session: Session;
  tenderId: string;
  tenderStatus: TenderStatus | null;
}) {
  const { t, error: describe } = useI18n();
  const [committees, setCommittees] = useState<CommitteeView[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const readable = can(session.actor.role, 'committee:read');
  useEffect(() => {
    if (!readable) return;
    api<CommitteeView[]>('GET', '/api/committees', { token: session.token }).then(
      (all) => setCommittees(all.filter((c) => c.tenderId === tenderId)),
      (error: unknown) => setProblem(describe(error)),
    );
  }, [session.token, tenderId, describe, readable]);
  const running = committees?.some((c) => c.status !== 're-formed');
  const canSetUp =
    session.actor.role === 'host' &&
    committees !== null &&
    !running &&
    tenderStatus &&
    readOut.includes(tenderStatus);
  if (!readable) return null;
  return (
    <>
      <Section title={t('evaluationCommittees')} id="committees">
        {problem && (
          <p role="alert" className="outcome error">
            {problem}
          </p>
        )}
        {committees?.length === 0 && <p className="muted">{t('noCommittee')}</p>}
        <ul className="tender-list">
          {committees?.map((c) => (
            <li key={c.id} className="tender-item">
              <div>
                <p className="tender-name">{c.title}</p>
                <p className="muted">{t(`committeeStatus_${c.status}`)}</p>
              </div>
              <a className="button primary" href={committeeLink(c.id)}>
                {t('openCommittee')}
              </a>
            </li>
          ))}
        </ul>
      </Section>
      {canSetUp && (
        <CommitteeSetup
          session={session}
          tenderId={tenderId}
          onCreated={(view) => {
            window.location.hash = committeeLink(view.id);
          }}
        />
      )}
    </>
  );
}
