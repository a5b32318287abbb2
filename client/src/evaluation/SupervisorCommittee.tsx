/**
 * The supervisor's evaluation wall for one committee: every venue's video side by side, started without a
 * click (watched, never seen); the draw with the supervisor's half of the seed, chosen in this page and
 * checked against the platform's published commitment; the members by name with where they signed in
 * from; every sheet live with its abnormal scores; clarifications and reopenings waiting for a decision;
 * faults (pause and resume, with reasons); and the tender's audit feed with names and words.
 */
import {
  type CommitteeClarification,
  type CommitteeDrawView,
  type CommitteeView,
  exclusionReasons,
  type ReviewView,
} from '@bidhall/shared';
import { lazy, Suspense, useEffect, useState } from 'react';
import { api, sha256Hex } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { AuditFeed } from '../supervision/AuditFeed.tsx';
import { Outcome, useAction } from '../ui/action.tsx';
import { ReasonAction } from '../ui/ReasonAction.tsx';
import { Section } from '../ui/Section.tsx';
import { Assessments } from './Assessments.tsx';
import { CommitteeHeader, FaultControls } from './CommitteeHeader.tsx';
import { CommitteeMembers } from './CommitteeMembers.tsx';
import { ClarificationList, StageResults } from './LeaderPanel.tsx';
import { Publicity } from './Publicity.tsx';
import { centreOf, placeName, useCommittee, venueOfCity } from './useCommittee.ts';

const VideoRoom = lazy(() => import('../video/VideoRoom.tsx'));

const isExclusionReason = (r: string): r is (typeof exclusionReasons)[number] =>
  (exclusionReasons as readonly string[]).includes(r);

function randomSeed(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function DrawPanel({
  session,
  view,
  reload,
}: {
  session: Session;
  view: CommitteeView;
  reload: () => Promise<void>;
}) {
  const { t } = useI18n();
  const action = useAction();
  const [seed, setSeed] = useState('');
  const [inputs, setInputs] = useState<CommitteeDrawView | null>(null);
  const [commitmentHolds, setCommitmentHolds] = useState<boolean | null>(null);
  useEffect(() => {
    if (!view.drawnAt) return;
    api<CommitteeDrawView>('GET', `/api/committees/${view.id}/draw`, { token: session.token }).then(
      setInputs,
      () => undefined,
    );
  }, [session.token, view.id, view.drawnAt]);
  useEffect(() => {
    if (inputs)
      void sha256Hex(inputs.platformSeed).then((h) =>
        setCommitmentHolds(h === inputs.platformSeedCommitment),
      );
  }, [inputs]);
  const representativesNamed =
    view.members.filter((m) => m.kind === 'representative').length === view.representatives;
  return (
    <Section title={t('drawTitle')} id="draw">
      <dl className="draw-inputs">
        <dt>{t('platformCommitment')}</dt>
        <dd className="mono small">{view.platformSeedCommitment}</dd>
        {inputs && (
          <>
            <dt>{t('platformSeed')}</dt>
            <dd className="mono small">{inputs.platformSeed}</dd>
            <dt>{t('supervisorSeed')}</dt>
            <dd className="mono small">{inputs.supervisorSeed}</dd>
            <dt>{t('snapshotHash')}</dt>
            <dd className="mono small">{inputs.snapshotSha256}</dd>
            <dt>{t('excludedExperts')}</dt>
            <dd>
              {inputs.exclusions
                .map(
                  (e) =>
                    `${e.code}（${e.reasons.map((r) => (isExclusionReason(r) ? t(`exclusion_${r}`) : r)).join('，')}）`,
                )
                .join('；') || '—'}
            </dd>
          </>
        )}
      </dl>
      {commitmentHolds !== null && (
        <p className={commitmentHolds ? 'ok' : 'error'} data-testid="commitment-check">
          {commitmentHolds ? `✓ ${t('commitmentHolds')}` : t('commitmentBroken')}
        </p>
      )}
      {view.status === 'drawing' &&
        (representativesNamed ? (
          <div className="step">
            <p className="muted small">{t('drawHint')}</p>
            <div className="actions">
              <button type="button" onClick={() => setSeed(randomSeed())}>
                {t('chooseSeed')}
              </button>
              {seed && (
                <span className="mono small" data-testid="supervisor-seed">
                  {seed}
                </span>
              )}
            </div>
            <button
              type="button"
              className="primary"
              disabled={!seed || action.busy}
              onClick={() =>
                void action.run(async () => {
                  setInputs(
                    await api<CommitteeDrawView>('POST', `/api/committees/${view.id}/draw`, {
                      token: session.token,
                      body: { seed },
                    }),
                  );
                  await reload();
                  return t('drawDone');
                })
              }
            >
              {t('runDraw')}
            </button>
          </div>
        ) : (
          <p className="muted">{t('drawWaitsForRepresentatives')}</p>
        ))}
      <Outcome message={action.message} />
    </Section>
  );
}

/** Every member's sheet of the running stage, live, with its abnormal scores. */
function LiveSheets({ view, review }: { view: CommitteeView; review: ReviewView }) {
  const { t } = useI18n();
  if (!review.plan) return null;
  const bidderOf = (bidId: string) => review.bids.find((b) => b.bidId === bidId)?.bidder ?? bidId.slice(0, 8);
  // Once the last stage has closed, the wall keeps what the stages decided.
  if (!review.stage) return <StageResults review={review} bidderOf={bidderOf} />;
  const sitting = view.members.filter((m) => m.state === 'declared');
  return (
    <div className="table-wrap">
      <table data-testid="live-sheets">
        <caption className="muted small">
          {t('liveSheetsHint', { stage: t(`stage_${review.stage}`) })}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('memberName')}</th>
            <th scope="col">{t('sheetStatusColumn')}</th>
            {review.bids.map((b) => (
              <th scope="col" key={b.bidId}>
                {b.bidder}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sitting.map((m) => {
            const sheet = review.sheets.find((s) => s.memberId === m.id && s.stage === review.stage);
            return (
              <tr key={m.id}>
                <th scope="row">{placeName(view, m.id)}</th>
                <td>{sheet ? t(`sheetStatus_${sheet.status}`) : t('sheetNotIn')}</td>
                {review.bids.map((b) => {
                  const marks = sheet?.marks.filter((x) => x.bidId === b.bidId) ?? [];
                  const flagged = review.flags.filter((f) => f.memberId === m.id && f.bidId === b.bidId);
                  const cell =
                    review.stage === 'detailed'
                      ? marks.reduce((sum, x) => sum + (x.score ?? 0), 0)
                      : marks.filter((x) => x.pass === false).length
                        ? t('markFail')
                        : marks.length
                          ? t('markPass')
                          : '—';
                  return (
                    <td
                      key={b.bidId}
                      className={flagged.length ? 'flagged number' : 'number'}
                      title={flagged.map((f) => `${f.key} ${f.score}/${f.median}`).join(' ')}
                    >
                      {sheet ? cell : '—'}
                      {flagged.length > 0 && <span className="badge warn">{t('abnormal')}</span>}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      <StageResults review={review} bidderOf={bidderOf} />
    </div>
  );
}

function Decisions({
  session,
  view,
  review,
  version,
  reload,
}: {
  session: Session;
  view: CommitteeView;
  review: ReviewView | null;
  version: number;
  reload: () => Promise<void>;
}) {
  const { t } = useI18n();
  const [clarifications, setClarifications] = useState<CommitteeClarification[]>([]);
  useEffect(() => {
    void version;
    api<CommitteeClarification[]>('GET', `/api/committees/${view.id}/clarifications`, {
      token: session.token,
    }).then(setClarifications, () => undefined);
  }, [session.token, view.id, version]);
  const bidderOf = (bidId: string) =>
    review?.bids.find((b) => b.bidId === bidId)?.bidder ?? bidId.slice(0, 8);
  const waiting = clarifications.filter((c) => c.status === 'awaiting-approval');
  const decide = (path: string, approve: boolean, reason: string) =>
    api('POST', `/api/committees/${view.id}/${path}`, {
      token: session.token,
      body: { approve, reason },
    }).then(async () => {
      await reload();
      return approve ? t('approved') : t('rejected');
    });
  return (
    <Section title={t('decisions')} id="decisions">
      {waiting.length === 0 && !review?.reopen && <p className="muted">{t('nothingWaiting')}</p>}
      {waiting.map((c) => (
        <div key={c.id} className="step" data-testid="clarification-waiting">
          <p>{t('clarificationTo', { bidder: bidderOf(c.bidId), asked: placeName(view, c.askedBy) })}</p>
          <p className="quoted">{c.question}</p>
          <div className="columns">
            <ReasonAction
              label={t('approveClarification')}
              onSubmit={(reason) => decide(`clarifications/${c.id}/decision`, true, reason)}
            />
            <ReasonAction
              label={t('rejectClarification')}
              danger
              onSubmit={(reason) => decide(`clarifications/${c.id}/decision`, false, reason)}
            />
          </div>
        </div>
      ))}
      {review?.reopen && (
        <div className="step" data-testid="reopen-waiting">
          <p>
            {t('reopenAskedFor', { stage: t(`stage_${review.reopen.stage}`) })}: {review.reopen.reason}
          </p>
          <div className="columns">
            <ReasonAction
              label={t('approveReopen')}
              onSubmit={(reason) => decide('reopen/decision', true, reason)}
            />
            <ReasonAction
              label={t('rejectReopen')}
              danger
              onSubmit={(reason) => decide('reopen/decision', false, reason)}
            />
          </div>
        </div>
      )}
      {clarifications.length > 0 && <ClarificationList clarifications={clarifications} bidderOf={bidderOf} />}
    </Section>
  );
}

export function SupervisorCommittee({
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
  if (live.error)
    return (
      <main className="page">
        <p role="alert" className="outcome error">
          {t('committeeUnavailable')}
        </p>
      </main>
    );
  if (!view) return <p className="muted">{t('loading')}</p>;
  const main = view.venues.find((v) => v.main);
  const videoLive = !['drawing', 'formed', 're-formed'].includes(view.status) && main;
  return (
    <main className="page evaluation-wall" data-testid="supervisor-committee">
      <CommitteeHeader view={view} connection={live.connection} onBack={onBack} />
      <div className="room-columns">
        <div className="column">
          <DrawPanel session={session} view={view} reload={reload} />
          <Section title={t('committeeMembers')} id="members">
            <CommitteeMembers view={view} />
          </Section>
          {review && (
            <Section title={t('reviewLive')} id="review">
              <LiveSheets view={view} review={review} />
            </Section>
          )}
          <Decisions session={session} view={view} review={review} version={version} reload={reload} />
          <Publicity session={session} tenderId={view.tenderId} committeeId={view.id} version={version} />
          {(view.status === 'closed' || view.status === 'published') && (
            <Assessments session={session} view={view} version={version} />
          )}
          <FaultControls session={session} view={view} reload={reload} />
        </div>
        <aside className="column video-dock" aria-label={t('venueVideo')}>
          {videoLive ? (
            <Suspense fallback={<p className="muted">{t('loading')}</p>}>
              {/* Joining the main venue shows every venue of the evaluation, grouped side by side. */}
              <VideoRoom
                session={session}
                venue={venueOfCity(view, main.city)}
                title={t('allVenues')}
                placeOf={(place) => centreOf(view, place)}
                watchOnly
                compact
                autoJoin
              />
            </Suspense>
          ) : (
            <p className="muted">{t('videoAfterSignIn')}</p>
          )}
        </aside>
      </div>
      <AuditFeed session={session} tenderId={view.tenderId} code={view.tenderCode} />
    </main>
  );
}
