/**
 * The assessment of each expert after the project (一项目一考评, Regulation Art 71), for the host, the
 * tenderee and the supervisors once the report is signed: per expert the checklist of what was observed,
 * a verdict and a note, sent once. Experts appear as the reader may see them: by name for supervisors, by
 * seat for the host and the tenderee (names stay sealed to them until publicity ends).
 */
import {
  type AssessmentItem,
  type AssessmentVerdict,
  assessmentItems,
  assessmentVerdicts,
  type CommitteeMemberView,
  type CommitteeView,
  type OwnAssessment,
} from '@bidhall/shared';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { useFormat } from '../ui/format.ts';
import { Section } from '../ui/Section.tsx';
import { placeName } from './useCommittee.ts';

function AssessmentForm({
  session,
  view,
  member,
  onSent,
}: {
  session: Session;
  view: CommitteeView;
  member: CommitteeMemberView;
  /** Called with what to tell the assessor: the form goes away once its assessment is in. */
  onSent: (message: string) => void;
}) {
  const { t } = useI18n();
  const format = useFormat();
  const action = useAction();
  const [observed, setObserved] = useState<AssessmentItem[]>([]);
  const [verdict, setVerdict] = useState<AssessmentVerdict | ''>('');
  const [note, setNote] = useState('');
  const who = placeName(view, member.id);
  const send = () =>
    action.run(async () => {
      const { suspendedUntil } = await api<{ suspendedUntil: string | null }>(
        'POST',
        `/api/committees/${view.id}/assessments`,
        { token: session.token, body: { memberId: member.id, observed, verdict, note: note.trim() } },
      );
      onSent(
        suspendedUntil ? t('assessedSuspended', { until: format.time(suspendedUntil) }) : t('assessmentSent'),
      );
      return undefined;
    });
  return (
    <fieldset className="step" data-testid="assessment-form">
      <legend>
        {who}
        {member.specialty ? ` · ${member.specialty}` : ''}
      </legend>
      <fieldset className="plain">
        <legend className="small">{t('observed')}</legend>
        <div className="checks">
          {assessmentItems.map((item) => (
            <label className="check" key={item}>
              <input
                type="checkbox"
                checked={observed.includes(item)}
                onChange={(e) =>
                  setObserved(e.target.checked ? [...observed, item] : observed.filter((x) => x !== item))
                }
              />
              {t(`assessmentItem_${item}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <label>
        {t('verdict')}
        <select value={verdict} onChange={(e) => setVerdict(e.target.value as AssessmentVerdict | '')}>
          <option value="">{t('chooseScore')}</option>
          {assessmentVerdicts.map((v) => (
            <option key={v} value={v}>
              {t(`verdict_${v}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('assessmentNote')}
        <textarea rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="button" disabled={action.busy || !verdict} onClick={() => void send()}>
        {t('submitAssessment')}
      </button>
      <Outcome message={action.message} />
    </fieldset>
  );
}

export function Assessments({
  session,
  view,
  version,
}: {
  session: Session;
  view: CommitteeView;
  version: number;
}) {
  const { t } = useI18n();
  const format = useFormat();
  const [mine, setMine] = useState<OwnAssessment[] | null>(null);
  const [sent, setSent] = useState<{ count: number; message: string }>({ count: 0, message: '' });
  useEffect(() => {
    void version;
    void sent;
    api<OwnAssessment[]>('GET', `/api/committees/${view.id}/assessments`, { token: session.token }).then(
      setMine,
      () => setMine(null),
    );
  }, [session.token, view.id, version, sent]);
  if (!mine) return null;
  const experts = view.members.filter((m) => m.kind === 'expert' && m.state === 'declared');
  return (
    <Section title={t('assessExperts')} id="assessments">
      <p className="muted small">{t('assessHint')}</p>
      {session.actor.role === 'supervisor' && <p className="notice small">{t('assessIncompetentHint')}</p>}
      {experts.length === 0 && <p className="muted">{t('noExpertsToAssess')}</p>}
      {sent.message && (
        <p className="outcome ok" role="status">
          {sent.message}
        </p>
      )}
      {experts.map((member) => {
        const done = mine.find((a) => a.memberId === member.id);
        return done ? (
          <p key={member.id} data-testid="assessed">
            <strong>{placeName(view, member.id)}</strong> · {t(`verdict_${done.verdict}`)} ·{' '}
            <span className="muted">{t('assessedAt', { at: format.time(done.at) })}</span>
            {done.observed.length > 0 && (
              <span className="small">
                {' '}
                — {done.observed.map((item) => t(`assessmentItem_${item}`)).join('；')}
              </span>
            )}
          </p>
        ) : (
          <AssessmentForm
            key={member.id}
            session={session}
            view={view}
            member={member}
            onSent={(message) => setSent((s) => ({ count: s.count + 1, message }))}
          />
        );
      })}
    </Section>
  );
}
