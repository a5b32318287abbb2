/**
 * The centre's record of its experts (for the pool's readers: supervisors and the administrator): every
 * per-project assessment (一项目一考评) and the five-party ratings summed up, over a period or for one
 * expert's pool number, each exportable as the spreadsheet the server writes.
 */
import { type AssessmentView, can, defaultRatingForms, isRole, type RatingSummary } from '@bidhall/shared';
import { useEffect, useState } from 'react';
import { api, download } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { useFormat } from '../ui/format.ts';
import { Section } from '../ui/Section.tsx';

/** The default forms' criteria in words (a tender's own criteria show by their keys). */
const criterionWords: Readonly<Record<string, { zh: string; en: string }>> = Object.fromEntries(
  Object.values(defaultRatingForms).flatMap((form) => form.criteria.map((c) => [c.key, c.label])),
);

interface Filter {
  from: string;
  to: string;
  expert: string;
}

function query(filter: Filter, format?: 'csv'): string {
  const params = new URLSearchParams();
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  if (filter.expert.trim()) params.set('expert', filter.expert.trim());
  if (format) params.set('format', format);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function ExpertHistory({ session }: { session: Session }) {
  const { t, language } = useI18n();
  const format = useFormat();
  const action = useAction();
  const [filter, setFilter] = useState<Filter>({ from: '', to: '', expert: '' });
  const [shown, setShown] = useState<{ assessments: AssessmentView[]; ratings: RatingSummary[] } | null>(
    null,
  );
  const search = (current: Filter) =>
    action.run(async () => {
      const [assessments, ratings] = await Promise.all([
        api<AssessmentView[]>('GET', `/api/assessments${query(current)}`, { token: session.token }),
        api<RatingSummary[]>('GET', `/api/ratings${query(current)}`, { token: session.token }),
      ]);
      setShown({ assessments, ratings });
      return undefined;
    });
  // biome-ignore lint/correctness/useExhaustiveDependencies: the first search, with no filter, on opening
  useEffect(() => {
    void search(filter);
  }, []);
  /** The server's spreadsheet, saved through the page (the request carries the session's token). */
  const exportCsv = (path: 'assessments' | 'ratings') =>
    action.run(async () => {
      await download(`/api/${path}${query(filter, 'csv')}`, session.token, `${path}.csv`);
      return undefined;
    });
  if (!can(session.actor.role, 'pool:read')) return null;
  return (
    <main className="page" data-testid="expert-history">
      <h1>{t('expertHistory')}</h1>
      <p className="muted small">{t('historyHint')}</p>
      <form
        className="field-row"
        onSubmit={(e) => {
          e.preventDefault();
          void search(filter);
        }}
      >
        <label>
          {t('periodFrom')}
          <input
            type="date"
            value={filter.from}
            onChange={(e) => setFilter({ ...filter, from: e.target.value })}
          />
        </label>
        <label>
          {t('periodTo')}
          <input
            type="date"
            value={filter.to}
            onChange={(e) => setFilter({ ...filter, to: e.target.value })}
          />
        </label>
        <label>
          {t('expertCode')}
          <input
            type="text"
            value={filter.expert}
            onChange={(e) => setFilter({ ...filter, expert: e.target.value })}
          />
        </label>
        <button type="submit" className="primary" disabled={action.busy}>
          {t('search')}
        </button>
      </form>
      <Outcome message={action.message} />
      {shown && (
        <>
          <Section title={t('assessmentsTitle')} id="history-assessments">
            <p>
              <button type="button" onClick={() => void exportCsv('assessments')} disabled={action.busy}>
                {t('exportCsv')}
              </button>
            </p>
            {shown.assessments.length === 0 ? (
              <p className="muted">{t('nothingFound')}</p>
            ) : (
              <div className="table-wrap">
                <table data-testid="history-assessments">
                  <thead>
                    <tr>
                      <th scope="col">{t('expertCode')}</th>
                      <th scope="col">{t('memberName')}</th>
                      <th scope="col">{t('tenderCodeColumn')}</th>
                      <th scope="col">{t('assessor')}</th>
                      <th scope="col">{t('verdict')}</th>
                      <th scope="col">{t('observed')}</th>
                      <th scope="col">{t('assessmentNote')}</th>
                      <th scope="col">{t('ratingAt')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.assessments.map((a) => (
                      <tr key={`${a.expertCode}|${a.tenderCode}|${a.assessorRole}|${a.at}`}>
                        <td className="mono">{a.expertCode}</td>
                        <td>{a.expertName}</td>
                        <td className="mono">{a.tenderCode}</td>
                        <td>{isRole(a.assessorRole) ? t(`roles_${a.assessorRole}`) : a.assessorRole}</td>
                        <td>{t(`verdict_${a.verdict}`)}</td>
                        <td>{a.observed.map((item) => t(`assessmentItem_${item}`)).join('；') || '—'}</td>
                        <td>{a.note || '—'}</td>
                        <td>{format.time(a.at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
          <Section title={t('ratingsTitle')} id="history-ratings">
            <p>
              <button type="button" onClick={() => void exportCsv('ratings')} disabled={action.busy}>
                {t('exportCsv')}
              </button>
            </p>
            {shown.ratings.length === 0 ? (
              <p className="muted">{t('nothingFound')}</p>
            ) : (
              <div className="table-wrap">
                <table data-testid="history-ratings">
                  <thead>
                    <tr>
                      <th scope="col">{t('tenderCodeColumn')}</th>
                      <th scope="col">{t('ratingTarget')}</th>
                      <th scope="col">{t('ratingSubject')}</th>
                      <th scope="col">{t('ratingMeans')}</th>
                      <th scope="col">{t('ratingCount')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.ratings.map((r) => (
                      <tr key={`${r.tenderCode}|${r.target}|${r.subject}`}>
                        <td className="mono">{r.tenderCode}</td>
                        <td>{t(`ratingTarget_${r.target}`)}</td>
                        <td>{r.subject ?? '—'}</td>
                        <td>
                          {Object.entries(r.means)
                            .map(([key, mean]) => `${criterionWords[key]?.[language] ?? key} ${mean}`)
                            .join('；')}
                        </td>
                        <td className="number">{r.ratings}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
        </>
      )}
    </main>
  );
}
