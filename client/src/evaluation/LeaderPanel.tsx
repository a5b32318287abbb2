/**
 * The leader's controls in the expert room: each closed stage's outcome (who is still in, who was
 * rejected and why, the aggregated scores), the abnormal scores of the running detailed review with a
 * "send back with a note" per sheet, asking to reopen the last closed stage (a supervisor decides),
 * drafting a clarification question to one bidder (a supervisor approves it before the bidder sees it),
 * opening the "time is too short" vote, and, once the bids are ranked, having the report built for
 * signing. Stages close by themselves when every sheet is in and nothing is flagged.
 */
import {
  type CommitteeBidDocuments,
  type CommitteeClarification,
  type CommitteeView,
  type ReviewView,
  rejectionGroundWords,
} from '@bidhall/shared';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { Section } from '../ui/Section.tsx';
import { placeName } from './useCommittee.ts';

/** The outcome of every closed stage, as leader, members (once closed) and supervisors read it. */
export function StageResults({
  review,
  bidderOf,
}: {
  /** The review as it stands, or the report's copy of its outcome. */
  review: Pick<ReviewView, 'plan' | 'results' | 'ranking' | 'candidates'>;
  bidderOf: (bidId: string) => string;
}) {
  const { t, language } = useI18n();
  const plan = review.plan;
  if (!plan) return null;
  return (
    <>
      {review.results.map((result) => (
        <div key={result.stage} className="step" data-testid={`result-${result.stage}`}>
          <h3>{t('stageClosed', { stage: t(`stage_${result.stage}`) })}</h3>
          <p className="small">
            {t('stillIn')}: {result.passed.map(bidderOf).join('，') || '—'}
          </p>
          {result.rejected.map((r) => (
            <p key={r.bidId} className="small error">
              {t('rejectedBid', { bidder: bidderOf(r.bidId) })}:{' '}
              {r.grounds.map((g) => rejectionGroundWords[g][language]).join('；')}
              {r.reasons.length ? ` — ${r.reasons.join('；')}` : ''}
            </p>
          ))}
          {result.scores && (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('bidder')}</th>
                    {plan.criteria.map((c) => (
                      <th scope="col" key={c.key}>
                        {c.label[language]}
                      </th>
                    ))}
                    <th scope="col">{t('priceScore')}</th>
                    <th scope="col">{t('totalScore')}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.scores.map((s) => (
                    <tr key={s.bidId}>
                      <th scope="row">{bidderOf(s.bidId)}</th>
                      {plan.criteria.map((c) => (
                        <td key={c.key} className="number">
                          {s.criteria[c.key]}
                        </td>
                      ))}
                      <td className="number">{s.price}</td>
                      <td className="number">{s.total}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ))}
      {review.ranking && (
        <ol className="ranking" data-testid="ranking" aria-label={t('ranking')}>
          {review.ranking.map((bidId) => (
            <li key={bidId}>
              {bidderOf(bidId)}
              {review.candidates?.includes(bidId) ? ` · ${t('candidate')}` : ''}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

export function LeaderPanel({
  session,
  view,
  review,
  bids,
  reload,
  version,
}: {
  session: Session;
  view: CommitteeView;
  review: ReviewView;
  bids: readonly CommitteeBidDocuments[];
  reload: () => Promise<void>;
  version: number;
}) {
  const { t, language } = useI18n();
  const action = useAction();
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [question, setQuestion] = useState({ bidId: '', text: '', minutes: 60 });
  const [reopenReason, setReopenReason] = useState('');
  const [clarifications, setClarifications] = useState<CommitteeClarification[]>([]);
  useEffect(() => {
    void version;
    api<CommitteeClarification[]>('GET', `/api/committees/${view.id}/clarifications`, {
      token: session.token,
    }).then(setClarifications, () => undefined);
  }, [session.token, view.id, version]);
  const bidderOf = (bidId: string) => bids.find((b) => b.bidId === bidId)?.bidder ?? bidId.slice(0, 8);
  const post = (path: string, body: object, done: string) =>
    action.run(async () => {
      await api('POST', `/api/committees/${view.id}/${path}`, { token: session.token, body });
      await reload();
      return done;
    });
  const flaggedMembers = [...new Set(review.flags.map((f) => f.memberId))];
  const lastClosed = review.results.at(-1);
  const stillIn = bids.filter(
    (b) => !review.results.some((r) => r.rejected.some((x) => x.bidId === b.bidId)),
  );

  return (
    <Section title={t('leaderPanel')} id="leader-panel">
      <div data-testid="leader-panel">
        {review.stage && (
          <p>
            {t('currentStage')}: {t(`stage_${review.stage}`)} ·{' '}
            {t('sheetsIn', {
              count: review.sheets.filter((s) => s.stage === review.stage).length,
              members: view.members.filter((m) => m.state === 'declared').length,
            })}
          </p>
        )}
        {flaggedMembers.map((memberId) => (
          <div key={memberId} className="step flagged" data-testid="flagged-sheet">
            <p>
              {t('flaggedSheetOf', { member: placeName(view, memberId) })}
              {review.flags
                .filter((f) => f.memberId === memberId)
                .map((f) => (
                  <span key={`${f.bidId}|${f.key}`} className="badge warn">
                    {bidderOf(f.bidId)} ·{' '}
                    {review.plan?.criteria.find((c) => c.key === f.key)?.label[language] ?? f.key}: {f.score}
                    （{t('median')} {f.median}）
                  </span>
                ))}
            </p>
            <div className="inline-form">
              <label>
                {t('returnNote')}
                <input
                  type="text"
                  value={notes[memberId] ?? ''}
                  onChange={(e) => setNotes((n) => ({ ...n, [memberId]: e.target.value }))}
                />
              </label>
              <button
                type="button"
                disabled={action.busy}
                onClick={() =>
                  void post('sheets/return', { memberId, note: notes[memberId] ?? '' }, t('sheetReturned'))
                }
              >
                {t('returnSheet')}
              </button>
            </div>
          </div>
        ))}
        <StageResults review={review} bidderOf={bidderOf} />
        {lastClosed && !review.reopen && view.status !== 'signing' && view.status !== 'closed' && (
          <div className="inline-form">
            <label>
              {t('reopenReason', { stage: t(`stage_${lastClosed.stage}`) })}
              <input type="text" value={reopenReason} onChange={(e) => setReopenReason(e.target.value)} />
            </label>
            <button
              type="button"
              disabled={action.busy}
              onClick={() =>
                void post('reopen', { stage: lastClosed.stage, reason: reopenReason }, t('reopenAsked'))
              }
            >
              {t('askReopen')}
            </button>
          </div>
        )}
        {review.reopen && (
          <p className="notice">{t('reopenWaiting', { stage: t(`stage_${review.reopen.stage}`) })}</p>
        )}
        {view.status === 'reviewing' && (
          <>
            <fieldset className="step">
              <legend>{t('askClarification')}</legend>
              <label>
                {t('clarificationBidder')}
                <select
                  value={question.bidId}
                  onChange={(e) => setQuestion({ ...question, bidId: e.target.value })}
                >
                  <option value="">—</option>
                  {stillIn.map((b) => (
                    <option key={b.bidId} value={b.bidId}>
                      {b.bidder}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t('clarificationQuestion')}
                <textarea
                  rows={2}
                  value={question.text}
                  onChange={(e) => setQuestion({ ...question, text: e.target.value })}
                />
              </label>
              <label>
                {t('answerMinutes')}
                <input
                  type="number"
                  min={10}
                  value={question.minutes}
                  onChange={(e) => setQuestion({ ...question, minutes: Number(e.target.value) })}
                />
              </label>
              <button
                type="button"
                disabled={action.busy}
                onClick={() =>
                  void post(
                    'clarifications',
                    { bidId: question.bidId, question: question.text, answerMinutes: question.minutes },
                    t('clarificationDrafted'),
                  )
                }
              >
                {t('sendForApproval')}
              </button>
            </fieldset>
            {!review.timeVote && (
              <button
                type="button"
                disabled={action.busy}
                onClick={() => void post('time-votes', {}, t('timeVoteOpened'))}
              >
                {t('openTimeVote')}
              </button>
            )}
          </>
        )}
        {clarifications.length > 0 && (
          <ClarificationList clarifications={clarifications} bidderOf={bidderOf} />
        )}
        {view.status === 'reporting' && (
          <button
            type="button"
            className="primary"
            disabled={action.busy}
            onClick={() => void post('report', {}, t('reportBuilt'))}
          >
            {t('buildReport')}
          </button>
        )}
        <Outcome message={action.message} />
      </div>
    </Section>
  );
}

/** The committee's clarifications with their course: for the members and the supervisors. */
export function ClarificationList({
  clarifications,
  bidderOf,
}: {
  clarifications: readonly CommitteeClarification[];
  bidderOf: (bidId: string) => string;
}) {
  const { t } = useI18n();
  return (
    <ul className="clarifications" aria-label={t('clarifications')} data-testid="clarifications">
      {clarifications.map((c) => (
        <li key={c.id}>
          <strong>{bidderOf(c.bidId)}</strong> · {t(`clarificationStatus_${c.status}`)}
          <p className="quoted">{c.question}</p>
          {c.decision && !c.decision.approved && <p className="small error">{c.decision.reason}</p>}
          {c.answer && <p className="answer">{c.answer}</p>}
          {c.files.length > 0 && <p className="small muted">{c.files.map((f) => f.name).join('，')}</p>}
        </li>
      ))}
    </ul>
  );
}
