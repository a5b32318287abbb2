/**
 * The tenderee's page for one committee: it names its representatives (业主评委) by name and ID number
 * (they log in as committee members with their own certificates and sit in the expert room), and where
 * the tender says so it names the leader among the declared members. Members are commitments to it, as
 * to the host: the tenderee sees no drawn expert's name.
 */
import { useMemo, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { TextField } from '../ui/fields.tsx';
import { rowId } from '../ui/ScrollText.tsx';
import { Section } from '../ui/Section.tsx';
import { Assessments } from './Assessments.tsx';
import { CommitteeHeader } from './CommitteeHeader.tsx';
import { CommitteeMembers } from './CommitteeMembers.tsx';
import { Publicity } from './Publicity.tsx';
import { useCommittee } from './useCommittee.ts';

export function TendereeCommittee({
  session,
  committeeId,
  onBack,
}: {
  session: Session;
  committeeId: string;
  onBack: () => void;
}) {
  const { t } = useI18n();
  const live = useCommittee(session.token, committeeId);
  const { view, reload, version } = live;
  const action = useAction();
  const [people, setPeople] = useState<{ uid: number; name: string; identity: string }[]>([]);
  const [leader, setLeader] = useState('');
  // The empty rows keep their keys across renders: a live event re-rendering the page must not remount
  // the fields (and lose what is being typed, or the focus) before the first keystroke is kept.
  const representatives = view?.representatives ?? 0;
  const blank = useMemo(
    () => Array.from({ length: representatives }, () => ({ uid: rowId(), name: '', identity: '' })),
    [representatives],
  );
  if (live.error)
    return (
      <main className="page">
        <p role="alert" className="outcome error">
          {t('committeeUnavailable')}
        </p>
      </main>
    );
  if (!view) return <p className="muted">{t('loading')}</p>;
  const named = view.members.filter((m) => m.kind === 'representative').length;
  const rows = people.length ? people : blank;
  const declared = view.members.filter((m) => m.state === 'declared');
  return (
    <main className="page" data-testid="tenderee-committee">
      <CommitteeHeader view={view} connection={live.connection} onBack={onBack} />
      {view.status === 'drawing' && view.representatives > 0 && named < view.representatives && (
        <Section title={t('nameRepresentatives')} id="representatives">
          <p className="muted small">{t('nameRepresentativesHint', { count: view.representatives })}</p>
          {rows.map((row, i) => (
            <div className="field-row" key={row.uid}>
              <TextField
                label={t('representativeName', { n: i + 1 })}
                value={row.name}
                onChange={(name) => setPeople(rows.map((r, j) => (j === i ? { ...r, name } : r)))}
              />
              <TextField
                label={t('representativeIdentity', { n: i + 1 })}
                value={row.identity}
                onChange={(identity) => setPeople(rows.map((r, j) => (j === i ? { ...r, identity } : r)))}
              />
            </div>
          ))}
          <button
            type="button"
            className="primary"
            disabled={action.busy}
            onClick={() =>
              void action.run(async () => {
                await api('POST', `/api/committees/${view.id}/representatives`, {
                  token: session.token,
                  body: {
                    representatives: rows.map((r) => ({ name: r.name.trim(), identity: r.identity.trim() })),
                  },
                });
                await reload();
                return t('representativesNamed');
              })
            }
          >
            {t('nameRepresentatives')}
          </button>
        </Section>
      )}
      {view.status === 'electing' && view.leaderMode === 'tenderee' && (
        <Section title={t('nameLeader')} id="leader">
          <label>
            {t('leader')}
            <select value={leader} onChange={(e) => setLeader(e.target.value)}>
              <option value="">—</option>
              {declared.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name ?? `${m.specialty ?? t('memberKind_representative')} · ${m.seat ?? ''}`}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="primary"
            disabled={!leader || action.busy}
            onClick={() =>
              void action.run(async () => {
                await api('POST', `/api/committees/${view.id}/leader`, {
                  token: session.token,
                  body: { memberId: leader },
                });
                await reload();
                return t('leaderNamed');
              })
            }
          >
            {t('nameLeader')}
          </button>
        </Section>
      )}
      <Outcome message={action.message} />
      <Publicity session={session} tenderId={view.tenderId} committeeId={view.id} version={version} />
      {(view.status === 'closed' || view.status === 'published') && (
        <Assessments session={session} view={view} version={version} />
      )}
      <Section title={t('committeeMembers')} id="members">
        <CommitteeMembers view={view} />
      </Section>
    </main>
  );
}
