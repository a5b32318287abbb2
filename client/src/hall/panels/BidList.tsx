/** The bids of the tender and how far each one's decryption has gone (names only after the deadline). */
import { biddersSealed } from '@bidhall/shared';
import type { HallView } from '../../hall-state.ts';
import { useI18n } from '../../i18n.tsx';
import { bidReason } from '../../ui/FieldValue.tsx';
import { useFormat } from '../../ui/format.ts';
import { Section } from '../../ui/Section.tsx';

export function BidList({
  view,
  progress,
  alsoCheckedIn,
}: {
  view: HallView;
  progress: Readonly<Record<string, number>>;
  /** A bidder's own check-in before the deadline, known from its ack (check-ins are not broadcast then). */
  alsoCheckedIn?: string | null;
}) {
  const checkedIn = alsoCheckedIn ? [...view.checkedIn, alsoCheckedIn] : view.checkedIn;
  const { t, language } = useI18n();
  const format = useFormat();
  if (view.bids.length === 0) {
    return (
      <Section title={t('bidders')}>
        <p className="muted">{biddersSealed(view.status) ? t('biddersHidden') : t('noBids')}</p>
        {view.checkedIn.length > 0 && (
          <p>
            {t('checkedInCount')}: {view.checkedIn.length}
          </p>
        )}
      </Section>
    );
  }
  return (
    <Section title={`${t('bidders')} (${view.bids.length})`}>
      <div className="table-wrap">
        <table data-testid="bids">
          <thead>
            <tr>
              <th scope="col">{t('bidder')}</th>
              <th scope="col">{t('receivedAt')}</th>
              <th scope="col">{t('checkedIn')}</th>
              <th scope="col">{t('decryption')}</th>
            </tr>
          </thead>
          <tbody>
            {view.bids.map((bid) => {
              const documents = progress[bid.bidId] ?? bid.documentsProgress;
              return (
                <tr key={bid.bidId}>
                  <td>{bid.bidderName}</td>
                  <td>{format.time(bid.receivedAt)}</td>
                  <td>{checkedIn.includes(bid.bidderName) ? '✓' : '—'}</td>
                  <td>
                    <span className={`badge opening-${bid.openingStatus}`}>
                      {t(`opening_${bid.openingStatus}`)}
                    </span>
                    {bid.openingStatus === 'summary-decrypted' && (
                      <progress max={1} value={documents} aria-label={`${bid.bidderName} ${t('progress')}`} />
                    )}
                    {bidReason(bid, language) && (
                      <span className="muted" title={bid.reason ?? undefined}>
                        {' '}
                        — {bidReason(bid, language)}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
