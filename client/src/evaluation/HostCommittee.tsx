/**
 * The agency's (host's) page for one committee: the draw's result as commitments, never names; the
 * review plan, editable until the review starts; the progress (which stage, no score, sheet or ranking:
 * those are the committee's until the report); faults; and, once the report is signed, publishing the
 * candidates (at least three days, Art 54).
 */
import { useState } from 'react';
import { api } from '../api.ts';
import { useTender } from '../hall/useTender.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { NumberField } from '../ui/fields.tsx';
import { Section } from '../ui/Section.tsx';
import { Assessments } from './Assessments.tsx';
import { CommitteeHeader, FaultControls } from './CommitteeHeader.tsx';
import { CommitteeMembers } from './CommitteeMembers.tsx';
import { PlanEditor } from './PlanEditor.tsx';
import { Publicity } from './Publicity.tsx';
import { useCommittee } from './useCommittee.ts';

const beforeReview = ['drawing', 'formed', 'signing-in', 'declaring', 'electing', 'suspended'];
const afterReport = ['closed', 'published'];

export function HostCommittee({
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
  const { view, review, reload, version } = live;
  const tender = useTender(session.token, view?.tenderId ?? '');
  const publish = useAction();
  const [days, setDays] = useState(3);
  if (live.error)
    return (
      <main className="page">
        <p role="alert" className="outcome error">
          {t('committeeUnavailable')}
        </p>
      </main>
    );
  if (!view) return <p className="muted">{t('loading')}</p>;
  return (
    <main className="page" data-testid="host-committee">
      <CommitteeHeader view={view} connection={live.connection} onBack={onBack} />
      <div className="columns">
        <div className="column">
          <Section title={t('committeeMembers')} id="members">
            <p className="muted small">
              {t('platformCommitment')}: <span className="mono">{view.platformSeedCommitment}</span>
            </p>
            <CommitteeMembers view={view} />
          </Section>
          {review?.stage && (
            <Section title={t('reviewProgress')} id="progress">
              <p data-testid="review-stage">
                {t('currentStage')}: {t(`stage_${review.stage}`)}
              </p>
              <p className="muted small">{t('hostSeesNoScores')}</p>
            </Section>
          )}
          {view.status === 'closed' && (
            <Section title={t('publishCandidates')} id="publish">
              <NumberField label={t('publicityDays')} value={days} min={3} max={30} onChange={setDays} />
              <button
                type="button"
                className="primary"
                disabled={publish.busy}
                onClick={() =>
                  void publish.run(async () => {
                    await api('POST', `/api/committees/${view.id}/publish`, {
                      token: session.token,
                      body: { days },
                    });
                    await reload();
                    return t('candidatesPublished');
                  })
                }
              >
                {t('publishCandidates')}
              </button>
              <Outcome message={publish.message} />
            </Section>
          )}
          <Publicity session={session} tenderId={view.tenderId} committeeId={view.id} version={version} />
          {afterReport.includes(view.status) && (
            <Assessments session={session} view={view} version={version} />
          )}
          <FaultControls session={session} view={view} reload={reload} />
        </div>
        <div className="column">
          {beforeReview.includes(view.status) && tender && review && (
            <PlanEditor
              session={session}
              committeeId={view.id}
              plan={review.plan}
              moneyFields={tender.summaryFields.filter((f) => f.type === 'money')}
              onSaved={() => void reload()}
            />
          )}
          {!beforeReview.includes(view.status) && review?.plan && <p className="muted">{t('planFixed')}</p>}
        </div>
      </div>
    </main>
  );
}
