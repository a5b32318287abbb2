/**
 * The evaluation report (评标报告) as a member reads it before signing: the committee, each stage's
 * outcome, every member's detailed scores, the clarifications and the candidates. The exact text that is
 * signed (canonical JSON) and its SHA-256 stay one click away: what a member signs must be what it read.
 */
import type { CommitteeView, EvaluationReport, MemberKind, ReviewPlan } from '@bidhall/shared';
import { useI18n } from '../i18n.tsx';
import { useFormat } from '../ui/format.ts';
import { ScrollText } from '../ui/ScrollText.tsx';
import { StageResults } from './LeaderPanel.tsx';

export function ReportReadable({
  text,
  view,
  plan,
}: {
  text: string;
  view: CommitteeView;
  plan: ReviewPlan | null;
}) {
  const { t } = useI18n();
  const format = useFormat();
  const report = JSON.parse(text) as EvaluationReport;
  const bidderOf = (bidId: string) => report.bids.find((b) => b.bidId === bidId)?.bidder ?? bidId.slice(0, 8);
  const centreOf = (city: string | null) => view.venues.find((v) => v.city === city)?.centre ?? city ?? '—';
  const detailed = report.sheets.filter((s) => s.stage === 'detailed');
  return (
    <div className="report" data-testid="report-readable">
      <p>
        {report.tender.code} · {report.tender.title} ·{' '}
        {t('reportGeneratedAt', { at: format.time(report.generatedAt) })}
      </p>
      <h3>{t('committeeMembers')}</h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('memberName')}</th>
              <th scope="col">{t('memberKind')}</th>
              <th scope="col">{t('specialty')}</th>
              <th scope="col">{t('venue')}</th>
            </tr>
          </thead>
          <tbody>
            {report.members.map((m) => (
              <tr key={m.memberId}>
                <th scope="row">
                  {m.name}
                  {m.leader ? ` · ${t('leader')}` : ''}
                </th>
                <td>{t(`memberKind_${m.kind as MemberKind}`)}</td>
                <td>{m.specialty ?? '—'}</td>
                <td>{centreOf(m.venue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <StageResults
        review={{
          plan,
          results: report.stages,
          ranking: report.ranking,
          candidates: report.candidates.map((c) => c.bidId),
        }}
        bidderOf={bidderOf}
      />
      {detailed.length > 0 && (
        <>
          <h3>{t('memberScores')}</h3>
          <div className="table-wrap">
            <table data-testid="report-member-scores">
              <thead>
                <tr>
                  <th scope="col">{t('memberName')}</th>
                  {report.bids.map((b) => (
                    <th scope="col" key={b.bidId}>
                      {b.bidder}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {detailed.map((sheet) => (
                  <tr key={sheet.memberId}>
                    <th scope="row">{report.members.find((m) => m.memberId === sheet.memberId)?.name}</th>
                    {report.bids.map((b) => {
                      const marks = sheet.marks.filter((x) => x.bidId === b.bidId);
                      return (
                        <td key={b.bidId} className="number">
                          {marks.length ? marks.reduce((sum, x) => sum + (x.score ?? 0), 0) : '—'}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {report.clarifications.length > 0 && (
        <>
          <h3>{t('clarifications')}</h3>
          <ul className="clarifications">
            {report.clarifications.map((c) => (
              <li key={`${c.bidId}|${c.question}`}>
                <strong>{bidderOf(c.bidId)}</strong> · {t(`clarificationStatus_${c.status}`)}
                <p className="quoted">{c.question}</p>
                {c.answer && <p className="answer">{c.answer}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>{t('candidatesTitle')}</h3>
      <ol data-testid="report-candidates">
        {report.candidates.map((c) => (
          <li key={c.bidId}>{c.bidder}</li>
        ))}
      </ol>
      <details>
        <summary>{t('reportText')}</summary>
        <ScrollText text={text} label={t('reportText')} testId="report-text" />
      </details>
    </div>
  );
}
