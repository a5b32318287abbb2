/**
 * The expert's room (a tenderee's representative's too): one page for the whole day at the seat, with
 * the venue's video docked beside it. It shows only the step the committee is at — sign in, the pledge
 * and conflict declaration, the leader vote, then the documents and the sheet of the current stage, the
 * "time is too short" vote, the report to sign or dissent from — with every deadline on the server's
 * clock, and "reconnecting" while the connection is lost (drafts are kept as they are typed). The leader
 * has its panel in the same page.
 */
import {
  type CommitteeView,
  declarationText,
  dissentText,
  integrityPledge,
  type ReportView,
  type ReviewPlan,
  type ReviewView,
} from '@bidhall/shared';
import { lazy, Suspense, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { signDetached, toBase64 } from '../crypto.ts';
import { useTicker } from '../hall/useHall.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { formatDuration, useFormat } from '../ui/format.ts';
import { Section } from '../ui/Section.tsx';
import { Documents, useBidDocuments } from './Documents.tsx';
import { LeaderPanel } from './LeaderPanel.tsx';
import { Publicity } from './Publicity.tsx';
import { ReportReadable } from './ReportReadable.tsx';
import { ScoringSheet } from './ScoringSheet.tsx';
import { centreOf, ownPlace, placeName, useCommittee, venueOfCity } from './useCommittee.ts';

const readingStatuses: readonly CommitteeView['status'][] = [
  'declaring',
  'electing',
  'reviewing',
  'reporting',
  'signing',
];

const VideoRoom = lazy(() => import('../video/VideoRoom.tsx'));

const sign = (session: Session, text: string) =>
  toBase64(signDetached(session.identity, new TextEncoder().encode(text)));

function Countdown({ label, until, offsetMs }: { label: string; until: string; offsetMs: number }) {
  const now = useTicker(1000) + offsetMs;
  const left = Date.parse(until) - now;
  return (
    <span className="countdown" data-testid="countdown">
      {label} {formatDuration(left)}
    </span>
  );
}

function Declaration({
  session,
  view,
  reload,
}: {
  session: Session;
  view: CommitteeView;
  reload: () => Promise<void>;
}) {
  const { t, language } = useI18n();
  const action = useAction();
  const [conflict, setConflict] = useState<boolean | null>(null);
  const [statement, setStatement] = useState('');
  const declare = () =>
    action.run(async () => {
      if (conflict === null) throw new Error(t('chooseConflict'));
      const text = declarationText({
        committeeId: view.id,
        tenderCode: view.tenderCode,
        memberId: view.you ?? '',
        bidders: view.bidders ?? [],
        conflict,
        statement,
      });
      await api('POST', `/api/committees/${view.id}/declaration`, {
        token: session.token,
        body: { conflict, statement, signature: sign(session, text) },
      });
      await reload();
      return t('declared');
    });
  return (
    <Section title={t('declarationTitle')} id="declaration">
      <blockquote className="quoted" lang="zh-CN">
        {integrityPledge.zh}
      </blockquote>
      {language === 'en' && <p className="muted small">{integrityPledge.en}</p>}
      <p>{t('biddersEvaluated')}</p>
      <ul data-testid="bidders">
        {(view.bidders ?? []).map((b) => (
          <li key={b}>{b}</li>
        ))}
      </ul>
      <fieldset>
        <legend>{t('conflictQuestion')}</legend>
        <label className="check">
          <input
            type="radio"
            name="conflict"
            checked={conflict === false}
            onChange={() => setConflict(false)}
          />
          {t('noConflict')}
        </label>
        <label className="check">
          <input
            type="radio"
            name="conflict"
            checked={conflict === true}
            onChange={() => setConflict(true)}
          />
          {t('hasConflict')}
        </label>
      </fieldset>
      <label>
        {conflict ? t('conflictStatement') : t('declarationRemark')}
        <textarea value={statement} onChange={(e) => setStatement(e.target.value)} rows={2} />
      </label>
      <button type="button" className="primary" disabled={action.busy} onClick={() => void declare()}>
        {t('signDeclaration')}
      </button>
      <Outcome message={action.message} />
    </Section>
  );
}

function LeaderVote({
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
  const round = view.election.at(-1);
  const [choice, setChoice] = useState('');
  const [votedIn, setVotedIn] = useState<number | null>(null);
  if (!round) return null;
  const running = round.counts === null;
  const vote = () =>
    action.run(async () => {
      if (!choice) throw new Error(t('chooseCandidate'));
      await api('POST', `/api/committees/${view.id}/vote`, {
        token: session.token,
        body: { round: round.round, candidateId: choice },
      });
      setVotedIn(round.round);
      await reload();
      return t('voted');
    });
  return (
    <Section title={t('leaderVote', { round: round.round })} id="vote">
      <p className="muted">{t('votedCount', { voted: round.voted, voters: round.voters })}</p>
      {running && votedIn !== round.round ? (
        <>
          <fieldset>
            <legend>{t('voteFor')}</legend>
            {round.candidates.map((id) => (
              <label className="check" key={id}>
                <input
                  type="radio"
                  name={`round-${round.round}`}
                  checked={choice === id}
                  onChange={() => setChoice(id)}
                />
                {placeName(view, id)}
                {id === view.you ? ` (${t('you')})` : ''}
              </label>
            ))}
          </fieldset>
          <button type="button" className="primary" disabled={action.busy} onClick={() => void vote()}>
            {t('castVote')}
          </button>
        </>
      ) : running ? (
        <p className="ok">{t('votedWaiting')}</p>
      ) : null}
      {view.election
        .filter((r) => r.counts)
        .map((r) => (
          <p key={r.round} className="small" data-testid="round-counts">
            {t('roundCounts', { round: r.round })}:{' '}
            {r.counts!.map((c) => `${placeName(view, c.memberId)} ${c.votes}`).join('，')}
          </p>
        ))}
      <Outcome message={action.message} />
    </Section>
  );
}

function TimeVote({
  session,
  view,
  review,
  reload,
}: {
  session: Session;
  view: CommitteeView;
  review: ReviewView;
  reload: () => Promise<void>;
}) {
  const { t } = useI18n();
  const action = useAction();
  const [answered, setAnswered] = useState<number | null>(null);
  const vote = review.timeVote;
  if (!vote) return null;
  const answer = (tooShort: boolean) =>
    action.run(async () => {
      await api('POST', `/api/committees/${view.id}/time-votes/answer`, {
        token: session.token,
        body: { round: vote.round, tooShort },
      });
      setAnswered(vote.round);
      await reload();
      return t('timeVoteAnswered');
    });
  return (
    <Section title={t('timeVoteTitle')} id="time-vote">
      <p>{t('timeVoteQuestion', { voted: vote.voted, members: vote.members })}</p>
      {answered !== vote.round && (
        <div className="actions">
          <button type="button" disabled={action.busy} onClick={() => void answer(true)}>
            {t('timeTooShort')}
          </button>
          <button type="button" disabled={action.busy} onClick={() => void answer(false)}>
            {t('timeEnough')}
          </button>
        </div>
      )}
      <Outcome message={action.message} />
    </Section>
  );
}

function ReportSigning({
  session,
  view,
  version,
  offsetMs,
  plan,
}: {
  session: Session;
  view: CommitteeView;
  version: number;
  offsetMs: number;
  plan: ReviewPlan | null;
}) {
  const { t } = useI18n();
  const action = useAction();
  const [report, setReport] = useState<ReportView | null>(null);
  const [dissenting, setDissenting] = useState(false);
  const [statement, setStatement] = useState('');
  useEffect(() => {
    void version;
    api<ReportView>('GET', `/api/committees/${view.id}/report`, { token: session.token }).then(
      setReport,
      () => setReport(null),
    );
  }, [session.token, view.id, version]);
  if (!report) return null;
  const mine = report.stances.find((s) => s.memberId === view.you);
  const signReport = () =>
    action.run(async () => {
      await api('POST', `/api/committees/${view.id}/report/sign`, {
        token: session.token,
        body: { signature: sign(session, report.text) },
      });
      return t('reportSigned');
    });
  const dissent = () =>
    action.run(async () => {
      const text = dissentText({ reportSha256: report.sha256, memberId: view.you ?? '', statement });
      await api('POST', `/api/committees/${view.id}/report/dissent`, {
        token: session.token,
        body: { statement, signature: sign(session, text) },
      });
      return t('dissentRecorded');
    });
  return (
    <Section title={t('reportTitle')} id="report">
      {view.status === 'signing' && (
        <Countdown label={t('signingEndsIn')} until={report.signingEndsAt} offsetMs={offsetMs} />
      )}
      <p className="muted small">
        SHA-256 <span className="mono">{report.sha256}</span>
      </p>
      <ReportReadable text={report.text} view={view} plan={plan} />
      {mine ? (
        <p className="ok" data-testid="report-stance">
          ✓ {t(`stance_${mine.stance}`)}
        </p>
      ) : (
        view.status === 'signing' && (
          <>
            <div className="actions">
              <button
                type="button"
                className="primary"
                disabled={action.busy}
                onClick={() => void signReport()}
              >
                {t('signReport')}
              </button>
              <button type="button" onClick={() => setDissenting((d) => !d)} aria-expanded={dissenting}>
                {t('dissent')}
              </button>
            </div>
            {dissenting && (
              <div className="step">
                <label>
                  {t('dissentReasons')}
                  <textarea value={statement} onChange={(e) => setStatement(e.target.value)} rows={3} />
                </label>
                <button
                  type="button"
                  className="danger"
                  disabled={action.busy}
                  onClick={() => void dissent()}
                >
                  {t('signDissent')}
                </button>
              </div>
            )}
          </>
        )
      )}
      <Outcome message={action.message} />
    </Section>
  );
}

export function ExpertRoom({
  session,
  committeeId,
  onBack,
}: {
  session: Session;
  committeeId: string;
  onBack: () => void;
}) {
  const { t } = useI18n();
  const format = useFormat();
  const live = useCommittee(session.token, committeeId);
  const { view, review, connection, offsetMs, reload, version } = live;
  const me = view ? ownPlace(view) : null;
  const sitting = me?.state === 'signed-in' || me?.state === 'declared';
  // The documents open to the members from the declarations to the signing (the server's rule).
  const readable = sitting && !!view && readingStatuses.includes(view.status);
  const documents = useBidDocuments(session, committeeId, readable);
  const signIn = useAction();
  if (live.error)
    return (
      <main className="page">
        <p role="alert" className="outcome error">
          {t('committeeUnavailable')}
        </p>
        <button type="button" onClick={onBack}>
          {t('back')}
        </button>
      </main>
    );
  if (!view || !me) return <p className="muted">{t('loading')}</p>;
  const status = view.status;
  const reviewing = status === 'reviewing' && review?.plan && review.stage;
  const venue = me.venue ? venueOfCity(view, me.venue) : null;

  return (
    <main className="page expert-room" data-testid="expert-room">
      <button type="button" className="link back" onClick={onBack}>
        ← {t('evaluations')}
      </button>
      <header className="hall-header">
        <div>
          <h1 className="tender-title">{view.title}</h1>
          <p className="muted">
            {view.tenderCode} · {t('yourSeat')}: {me.seat ?? '—'} · {t(`memberState_${me.state}`)}
            {me.leader ? ` · ${t('leader')}` : ''}
          </p>
        </div>
        <div className="hall-clocks">
          <span className="badge" data-testid="committee-status">
            {t(`committeeStatus_${status}`)}
          </span>
          <span className={`connection ${connection}`} role="status">
            {connection === 'reconnecting'
              ? t('reconnecting')
              : connection === 'online'
                ? t('connected')
                : t('loading')}
          </span>
          {me.state === 'awaiting' && me.signInBy && (
            <Countdown label={t('signInEndsIn')} until={me.signInBy} offsetMs={offsetMs} />
          )}
          {status === 'reviewing' && review?.endsAt && (
            <Countdown label={t('reviewEndsIn')} until={review.endsAt} offsetMs={offsetMs} />
          )}
        </div>
      </header>
      {view.fault && (
        <p className="notice" role="alert" data-testid="fault">
          {t('committeeSuspended', { reason: view.fault.reason, since: format.time(view.fault.since) })}
        </p>
      )}
      <div className="room-columns">
        <div className="column">
          {me.state === 'awaiting' && (
            <Section title={t('signInTitle')} id="sign-in">
              <p className="muted">
                {t('signInWindow', {
                  from: format.time(view.signInOpensAt),
                  to: format.time(me.signInBy ?? view.signInClosesAt),
                })}
              </p>
              <button
                type="button"
                className="primary"
                disabled={signIn.busy}
                onClick={() =>
                  void signIn.run(async () => {
                    await api('POST', `/api/committees/${committeeId}/sign-in`, {
                      token: session.token,
                      body: {},
                    });
                    await reload();
                    return t('signedIn');
                  })
                }
              >
                {t('signInAtSeat')}
              </button>
              <Outcome message={signIn.message} />
            </Section>
          )}
          {me.state === 'signed-in' && status === 'declaring' && (
            <Declaration session={session} view={view} reload={reload} />
          )}
          {me.state === 'signed-in' && status !== 'declaring' && (
            <p className="muted">{t('waitingForOthers')}</p>
          )}
          {me.state === 'declared' && status === 'electing' && view.leaderMode === 'vote' && (
            <LeaderVote session={session} view={view} reload={reload} />
          )}
          {me.state === 'declared' && status === 'electing' && view.leaderMode === 'tenderee' && (
            <p className="muted">{t('tendereeNamesLeader')}</p>
          )}
          {(me.state === 'withdrawn' || me.state === 'absent') && <p className="notice">{t('placeEnded')}</p>}
          {me.leader && review && (
            <LeaderPanel
              session={session}
              view={view}
              review={review}
              bids={documents.bids ?? []}
              reload={reload}
              version={version}
            />
          )}
          {reviewing && me.state === 'declared' && documents.bids && (
            <ScoringSheet
              key={review.stage}
              session={session}
              committeeId={committeeId}
              memberId={me.id}
              review={review}
              bids={documents.bids}
              reload={reload}
            />
          )}
          {status === 'reviewing' && review && me.state === 'declared' && (
            <TimeVote session={session} view={view} review={review} reload={reload} />
          )}
          {(status === 'signing' || status === 'closed' || status === 'published') &&
            me.state === 'declared' && (
              <ReportSigning
                session={session}
                view={view}
                version={version}
                offsetMs={offsetMs}
                plan={review?.plan ?? null}
              />
            )}
          {status === 'published' && me.state === 'declared' && (
            <Publicity session={session} tenderId={view.tenderId} version={version} ratingOnly />
          )}
          {documents.problem && (
            <p role="alert" className="outcome error">
              {documents.problem}
            </p>
          )}
          {readable && documents.bids && (
            <Documents session={session} committeeId={committeeId} bids={documents.bids} />
          )}
        </div>
        <aside className="column video-dock" aria-label={t('venueVideo')}>
          {venue && sitting ? (
            <Suspense fallback={<p className="muted">{t('loading')}</p>}>
              <VideoRoom
                session={session}
                venue={venue}
                title={`${view.title} · ${view.venues.find((v) => v.city === me.venue)?.centre ?? me.venue}`}
                placeOf={(place) => centreOf(view, place)}
                compact
              />
            </Suspense>
          ) : (
            <p className="muted">{t('videoAfterSignIn')}</p>
          )}
        </aside>
      </div>
    </main>
  );
}
