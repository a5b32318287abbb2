/**
 * After the report: the publicity of the candidates (公示, Art 54) and the five-party evaluation (五方评价),
 * on every page of a tender. Everyone reads the candidates and when publicity ends; a bidder objects
 * during publicity and reads the answers to its own objections; the host answers each objection; once
 * publicity has ended the committee's names are public and each party rates the project and the others
 * on its form, once per subject. Nothing shows before the candidates are published.
 */
import type { CandidatesView, RatingFormView } from '@bidhall/shared';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { useFormat } from '../ui/format.ts';
import { Section } from '../ui/Section.tsx';

type Subject = RatingFormView['targets'][number]['subjects'][number];
type Target = RatingFormView['targets'][number]['target'];
const scores = [1, 2, 3, 4, 5] as const;

function RatingForm({
  session,
  form,
  target,
  subject,
  onSent,
}: {
  session: Session;
  form: RatingFormView;
  target: Target;
  subject: Subject;
  onSent: (message: string) => void;
}) {
  const { t, language } = useI18n();
  const action = useAction();
  const [given, setGiven] = useState<Record<string, number>>({});
  const [comment, setComment] = useState('');
  const what = subject.name ? `${t(`ratingTarget_${target}`)} ${subject.name}` : t(`ratingTarget_${target}`);
  const complete = form.criteria.every((c) => given[c.key] !== undefined);
  const send = () =>
    action.run(async () => {
      await api('POST', `/api/committees/${form.committeeId}/ratings`, {
        token: session.token,
        body: {
          target,
          ...(subject.id ? { subjectId: subject.id } : {}),
          scores: given,
          comment: comment.trim(),
        },
      });
      onSent(t('ratingSent'));
      return undefined;
    });
  return (
    <fieldset className="step" data-testid="rating-form">
      <legend>{t('ratingOf', { target: what })}</legend>
      <div className="field-row">
        {form.criteria.map((c) => (
          <label key={c.key}>
            {c.label[language]}
            <select
              value={given[c.key] ?? ''}
              onChange={(e) => {
                const { [c.key]: _, ...rest } = given;
                setGiven(e.target.value ? { ...rest, [c.key]: Number(e.target.value) } : rest);
              }}
            >
              <option value="">{t('chooseScore')}</option>
              {scores.map((n) => (
                <option key={n} value={n}>
                  {t(`score${n}`)}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      <label>
        {t('ratingComment')}
        <input type="text" value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <button type="button" disabled={action.busy || !complete} onClick={() => void send()}>
        {t('submitRating')}
      </button>
      <Outcome message={action.message} />
    </fieldset>
  );
}

function FiveParty({
  session,
  form,
  onSent,
}: {
  session: Session;
  form: RatingFormView;
  onSent: () => void;
}) {
  const { t } = useI18n();
  const format = useFormat();
  const [message, setMessage] = useState('');
  if (!form.open)
    return <p className="muted">{t('fivePartyAfterPublicity', { at: format.time(form.publicityEndsAt) })}</p>;
  return (
    <div data-testid="five-party">
      <p className="muted small">{t('fivePartyHint', { party: t(`party_${form.party}`) })}</p>
      {message && (
        <p className="outcome ok" role="status">
          {message}
        </p>
      )}
      {form.targets.flatMap(({ target, subjects }) =>
        subjects.map((subject) =>
          subject.rated ? (
            <p key={`${target}|${subject.id}`} className="small" data-testid="rated">
              ✓ {t(`ratingTarget_${target}`)}
              {subject.name ? ` ${subject.name}` : ''} · {t('rated')}
            </p>
          ) : (
            <RatingForm
              key={`${target}|${subject.id}`}
              session={session}
              form={form}
              target={target}
              subject={subject}
              onSent={(sent) => {
                setMessage(sent);
                onSent();
              }}
            />
          ),
        ),
      )}
    </div>
  );
}

function Objections({
  session,
  view,
  committeeId,
  tenderId,
  onChange,
}: {
  session: Session;
  view: CandidatesView;
  committeeId: string | null;
  tenderId: string;
  onChange: () => void;
}) {
  const { t } = useI18n();
  const format = useFormat();
  const objecting = useAction();
  const answering = useAction();
  const [text, setText] = useState('');
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const role = session.actor.role;
  const object = () =>
    objecting.run(async () => {
      await api('POST', `/api/tenders/${tenderId}/candidate-objections`, {
        token: session.token,
        body: { text: text.trim() },
      });
      setText('');
      onChange();
      return t('objectionSent');
    });
  const answer = (objectionId: string) =>
    answering.run(async () => {
      await api('POST', `/api/committees/${committeeId}/candidate-objections/${objectionId}/answer`, {
        token: session.token,
        body: { text: (answers[objectionId] ?? '').trim() },
      });
      onChange();
      return t('objectionAnswered');
    });
  return (
    <>
      {view.objections.length > 0 && (
        <>
          <h3>{t('candidateObjections')}</h3>
          <ul className="clarifications" data-testid="candidate-objections">
            {view.objections.map((o) => (
              <li key={o.id}>
                <span className="muted small">{format.time(o.at)}</span>
                <p className="quoted">{o.text}</p>
                {o.answer ? (
                  <p className="answer">
                    {o.answer}{' '}
                    <span className="muted small">{o.answeredAt && format.time(o.answeredAt)}</span>
                  </p>
                ) : role === 'host' && committeeId ? (
                  <div className="inline-form">
                    <label>
                      {t('objectionAnswer')}
                      <input
                        type="text"
                        value={answers[o.id] ?? ''}
                        onChange={(e) => setAnswers({ ...answers, [o.id]: e.target.value })}
                      />
                    </label>
                    <button
                      type="button"
                      disabled={answering.busy || !(answers[o.id] ?? '').trim()}
                      onClick={() => void answer(o.id)}
                    >
                      {t('answerObjection')}
                    </button>
                  </div>
                ) : (
                  <p className="muted small">{t('awaitingObjectionAnswer')}</p>
                )}
              </li>
            ))}
          </ul>
          <Outcome message={answering.message} />
        </>
      )}
      {/* Until the server's publicity ends: a late objection is refused there, with the reason. */}
      {role === 'bidder' && !view.ended && (
        <div className="step">
          <label>
            {t('candidateObjectionText')}
            <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <button
            type="button"
            disabled={objecting.busy || text.trim().length < 2}
            onClick={() => void object()}
          >
            {t('objectToCandidates')}
          </button>
          <Outcome message={objecting.message} />
        </div>
      )}
    </>
  );
}

export function Publicity({
  session,
  tenderId,
  committeeId = null,
  version = 0,
  ratingOnly = false,
}: {
  session: Session;
  tenderId: string;
  /** Only the five-party form (a member of the committee, who read the candidates in the report). */
  ratingOnly?: boolean;
  /** The committee, where the page knows it (the host answers objections on it). */
  committeeId?: string | null;
  /** Bumped by the page when the committee changed (a live event), to read again. */
  version?: number;
}) {
  const { t } = useI18n();
  const format = useFormat();
  const [view, setView] = useState<CandidatesView | null>(null);
  const [form, setForm] = useState<RatingFormView | null>(null);
  const [changed, setChanged] = useState(0);
  const rates = session.actor.role !== 'custodian' && session.actor.role !== 'admin';
  useEffect(() => {
    void version;
    void changed;
    if (!ratingOnly)
      api<CandidatesView | null>('GET', `/api/tenders/${tenderId}/candidates`, { token: session.token }).then(
        setView,
        () => setView(null),
      );
    if (rates)
      api<RatingFormView | null>('GET', `/api/tenders/${tenderId}/rating-form`, {
        token: session.token,
      }).then(setForm, () => setForm(null));
  }, [session.token, tenderId, version, changed, rates, ratingOnly]);
  const reread = () => setChanged((n) => n + 1);
  if (ratingOnly)
    return form ? (
      <Section title={t('fiveParty')} id="five-party">
        <FiveParty session={session} form={form} onSent={reread} />
      </Section>
    ) : null;
  if (!view) return null;
  return (
    <Section title={t('publicity')} id="publicity">
      <p data-testid="publicity-state">
        {view.ended ? t('publicityEnded') : t('publicityUntil', { at: format.time(view.publicityEndsAt) })}
      </p>
      <ol className="ranking" data-testid="published-candidates" aria-label={t('candidatesTitle')}>
        {view.candidates.map((c) => (
          <li key={c.rank}>{c.bidder}</li>
        ))}
      </ol>
      <Objections
        session={session}
        view={view}
        committeeId={committeeId ?? form?.committeeId ?? null}
        tenderId={tenderId}
        onChange={reread}
      />
      {view.committee && (
        <>
          <h3>{t('committeeNamed')}</h3>
          <p data-testid="committee-named">
            {view.committee.map((m) => (m.code ? `${m.name}（${m.code}）` : m.name)).join('、')}
          </p>
        </>
      )}
      {form && (
        <>
          <h3>{t('fiveParty')}</h3>
          <FiveParty session={session} form={form} onSent={reread} />
        </>
      )}
    </Section>
  );
}
