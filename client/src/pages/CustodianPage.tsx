/**
 * The key custodian's page (密钥保管人): when bids could not be decrypted because of the platform and the
 * remedy is invoked, the custodian loads its encryption certificate here, unseals its share of the
 * tender's opening key in this page and submits the platform-signed share. The key never leaves the page.
 */
import { useState } from 'react';
import { fromBase64, type Identity, openEnvelope, toBase64 } from '../crypto.ts';
import { BackLink, HallError, HallLoading, type PageProps } from '../hall/HallPage.tsx';
import { BidList } from '../hall/panels/BidList.tsx';
import { HallHeader } from '../hall/panels/HallHeader.tsx';
import { Timeline } from '../hall/panels/Timeline.tsx';
import { useHall } from '../hall/useHall.ts';
import { useI18n } from '../i18n.tsx';
import { Outcome, useAction } from '../ui/action.tsx';
import { EncryptionKeyLoader } from '../ui/EncryptionKeyLoader.tsx';
import { Section } from '../ui/Section.tsx';

export function CustodianPage({ session, tenderId, onBack }: PageProps) {
  const { t } = useI18n();
  const hall = useHall(session.token, tenderId);
  const [encryption, setEncryption] = useState<Identity | null>(null);
  const submit = useAction();

  const { view, client, connection, progress } = hall;
  if (hall.error) return <HallError error={hall.error} onBack={onBack} />;
  if (!view || !client) return <HallLoading />;

  const remedyOpen = view.bids.some((b) => b.openingStatus === 'remedy-pending');
  return (
    <main className="page hall" data-testid="custodian-page">
      <BackLink onBack={onBack} />
      <HallHeader view={view} connection={connection} client={client} />
      <div className="columns">
        <div className="column">
          <Section title={t('custodianPage')}>
            <p className="muted">{t('custodianHint')}</p>
            <p data-testid="remedy">
              {!remedyOpen
                ? t('remedyNotNeeded')
                : view.remedy
                  ? `${t('shares')} ${view.remedy.sharesReceived}/${view.remedy.quorum}${view.remedy.approved ? ` · ${t('remedyApproved')}` : ''}`
                  : t('remedyOpen')}
            </p>
            <EncryptionKeyLoader identity={encryption} owner={session.identity} onLoad={setEncryption} />
            <button
              type="button"
              className="primary"
              disabled={submit.busy || !encryption || !remedyOpen}
              onClick={() =>
                void submit.run(async () => {
                  const { sealedShare } = await client.request('hall:share-fetch', { tenderId });
                  const signedShare = await openEnvelope(fromBase64(sealedShare), encryption!);
                  const { sharesReceived } = await client.request('hall:share-submit', {
                    tenderId,
                    signedShare: toBase64(signedShare),
                  });
                  return `${t('shareSubmitted')} (${sharesReceived})`;
                })
              }
            >
              {t('submitShare')}
            </button>
            <Outcome message={submit.message} />
          </Section>
          <BidList view={view} progress={progress} />
        </div>
        <div className="column side">
          <Timeline view={view} />
        </div>
      </div>
    </main>
  );
}
