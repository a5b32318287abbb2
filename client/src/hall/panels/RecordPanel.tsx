/** The opening record (开标记录): readable, with the exact signed text beside it, and who signed. */
import { isRecordFormat, type OpeningRecord, type TenderView } from '@bidhall/shared';
import type { ReactNode } from 'react';
import type { HallView } from '../../hall-state.ts';
import { useI18n } from '../../i18n.tsx';
import { useFormat } from '../../ui/format.ts';
import { Section } from '../../ui/Section.tsx';

function parseRecord(text: string): OpeningRecord | null {
  try {
    const record = JSON.parse(text) as OpeningRecord;
    return isRecordFormat(record.format) ? record : null;
  } catch {
    return null;
  }
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
  const { t, language } = useI18n();
  const format = useFormat();
  if (!view.record) return null;
  const record = parseRecord(view.record.text);
  const fields = tender?.summaryFields ?? [];
  const when = (iso: string | null) => (iso ? format.time(iso) : '—');
  return (
    <Section title={t('record')}>
      {record && (
        <div data-testid="record-readable">
          <dl className="record-facts">
            <dt>{t('code')}</dt>
            <dd>
              {record.tender.code} · {record.tender.title}
            </dd>
            <dt>{t('deadline')}</dt>
            <dd>{when(record.deadline)}</dd>
            <dt>{t('openedAt')}</dt>
            <dd>{when(record.openedAt)}</dd>
            <dt>{t('decryptionStartedAt')}</dt>
            <dd>{when(record.decryptionStartedAt)}</dd>
            <dt>{t('announcedAt')}</dt>
            <dd>{when(record.announcedAt)}</dd>
            {record.draw && (
              <>
                <dt>{t('drawResult')}</dt>
                <dd>{record.draw.value}</dd>
              </>
            )}
          </dl>
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
                      {bid.reason ? ` — ${bid.reason}` : ''}
                    </td>
                    {fields.map((f) => (
                      <td key={f.key} className={f.type === 'text' ? '' : 'number'}>
                        {bid.summary ? String(bid.summary[f.key] ?? '—') : '—'}
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
      )}
      <details>
        <summary>{t('signedText')}</summary>
        <p className="muted mono">SHA-256 {view.record.sha256}</p>
        <pre className="record-text" data-testid="record-text">
          {view.record.text}
        </pre>
      </details>
      <p>
        {t('signedBy')}: {view.record.signedBy.length ? view.record.signedBy.join('、') : '—'}
      </p>
      {children}
    </Section>
  );
}
