/** The opening record (开标记录): readable, with the exact signed text beside it, and who signed. */
import {
  amountInWords,
  groupThousands,
  isRecordFormat,
  type OpeningRecord,
  type SummaryField,
  type TenderView,
} from '@bidhall/shared';
import type { ReactNode } from 'react';
import type { HallView } from '../../hall-state.ts';
import { useI18n } from '../../i18n.tsx';
import { bidReason, FieldValue } from '../../ui/FieldValue.tsx';
import { useFormat } from '../../ui/format.ts';
import { Section } from '../../ui/Section.tsx';

export function parseRecord(text: string): OpeningRecord | null {
  try {
    const record = JSON.parse(text) as OpeningRecord;
    return isRecordFormat(record.format) ? record : null;
  } catch {
    return null;
  }
}

/** The opening record's facts and bids as people read them (the hall's record panel, the expert room). */
export function RecordReadable({
  record,
  fields,
}: {
  record: OpeningRecord;
  fields: readonly SummaryField[];
}) {
  const { t, language } = useI18n();
  const format = useFormat();
  const when = (iso: string | null) => (iso ? format.time(iso) : '—');
  const facts: [string, string | null | undefined][] = [
    [t('code'), `${record.tender.code} · ${record.tender.title}`],
    [t('lot'), record.tender.lot],
    [t('tenderee'), record.tender.tenderee],
    [t('agency'), record.tender.agency],
    [t('hostName'), record.staff?.host],
    [t('supervisorNames'), record.staff?.supervisors.join('、') || null],
    [t('openingVenue'), record.tender.venue],
    [t('deadline'), when(record.deadline)],
    [t('openedAt'), when(record.openedAt)],
    [t('decryptionStartedAt'), when(record.decryptionStartedAt)],
    [t('announcedAt'), when(record.announcedAt)],
    [
      t('ceilingPrice'),
      record.tender.ceilingPrice
        ? `${groupThousands(record.tender.ceilingPrice)}（${amountInWords(record.tender.ceilingPrice)}）`
        : null,
    ],
    [t('drawResult'), record.draw?.value],
  ];
  return (
    <div data-testid="record-readable">
      <dl className="record-facts">
        {facts
          .filter((fact): fact is [string, string] => Boolean(fact[1]))
          .map(([label, value]) => (
            <div key={label} className="fact">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
      {record.checkIns && (
        <p data-testid="record-check-ins">
          {t('checkIns')} ({record.checkIns.length}):{' '}
          {record.checkIns.map((c) => `${c.bidder} ${format.time(c.at)}`).join('；') || '—'}
        </p>
      )}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('bidder')}</th>
              <th scope="col">{t('decryption')}</th>
              {fields.map((f) => (
                <th scope="col" key={f.key}>
                  {f.label[language]}
                </th>
              ))}
              <th scope="col">{t('documentsHash')}</th>
            </tr>
          </thead>
          <tbody>
            {record.bids.map((bid) => (
              <tr key={bid.bidder.identity}>
                <td>{bid.bidder.name}</td>
                <td>
                  {t(`opening_${bid.openingStatus}`)}
                  {bidReason(bid, language) ? ` — ${bidReason(bid, language)}` : ''}
                </td>
                {fields.map((f) => (
                  <td key={f.key} className={f.type === 'text' ? '' : 'number'}>
                    {bid.summary ? <FieldValue field={f} value={bid.summary[f.key]} /> : '—'}
                  </td>
                ))}
                <td className="mono" title={bid.parts.documentsSha256}>
                  {bid.parts.documentsSha256.slice(0, 12)}…
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {record.recordings && (
        <div data-testid="record-recordings">
          <p>
            {t('recordRecordings')} ({record.recordings.length})
            {record.recordings.length === 0 ? `: ${t('noRecordings')}` : ''}
          </p>
          <ol>
            {record.recordings.map((r) => (
              <li key={r.segment}>
                {r.peer} · {when(r.startedAt)} – {when(r.endedAt)} · <code>SHA-256 {r.sha256}</code>
              </li>
            ))}
          </ol>
        </div>
      )}
      {record.outages.length > 0 && (
        <ul>
          {record.outages.map((o) => (
            <li key={o.from}>
              {t('recordOutage')}: {when(o.from)} – {when(o.to)} · {o.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * The opening record as people read it, with the exact text that is signed (canonical JSON) one click
 * away: what a bidder signs must be what it was shown.
 */
export function RecordPanel({
  view,
  tender,
  children,
}: {
  view: HallView;
  tender: TenderView | null;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  if (!view.record) return null;
  const record = parseRecord(view.record.text);
  return (
    <Section title={t('record')} id="record">
      <p className="no-print">
        <button type="button" onClick={() => window.print()} data-testid="print-record">
          {t('printRecord')}
        </button>
      </p>
      <div className="record-print">
        <h3 className="print-only">{t('recordTitle')}</h3>
        {record && <RecordReadable record={record} fields={tender?.summaryFields ?? []} />}
        {view.objections.length > 0 && (
          <ol className="print-only">
            {view.objections.map((o) => (
              <li key={o.id}>
                {o.bidderName}: {o.text} — {t('answer')}: {o.answer?.text ?? t('awaitingAnswer')}
              </li>
            ))}
          </ol>
        )}
        <p>
          {t('signedBy')}: {view.record.signedBy.length ? view.record.signedBy.join('、') : '—'}
        </p>
      </div>
      <details className="no-print">
        <summary>{t('signedText')}</summary>
        <p className="muted mono">SHA-256 {view.record.sha256}</p>
        <pre className="record-text" data-testid="record-text">
          {view.record.text}
        </pre>
      </details>
      {children}
    </Section>
  );
}
