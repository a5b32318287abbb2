/**
 * The bidder's opening hall (不见面开标大厅): check in, test and then decrypt its own bid with keys that
 * stay in this page, follow every bid's decryption, see the summary table and the draw (and recompute
 * it), sign the record or object and see the answer, with a timeline of everything that happened.
 */
import { allowedIn, detailText, sealedFileNames } from '@bidhall/shared';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import {
  fromBase64,
  type Identity,
  isSignedData,
  KeyError,
  openEnvelope,
  ownRecipients,
  selfTestAnswer,
  toBase64,
  unwrapContentKey,
} from '../crypto.ts';
import { BidderClarifications } from '../evaluation/BidderClarifications.tsx';
import { Publicity } from '../evaluation/Publicity.tsx';
import { BackLink, HallError, HallLoading, type PageProps, useLeaveWarning } from '../hall/HallPage.tsx';
import { BidList } from '../hall/panels/BidList.tsx';
import { DrawPanel } from '../hall/panels/DrawPanel.tsx';
import { HallHeader } from '../hall/panels/HallHeader.tsx';
import { ObjectionList } from '../hall/panels/Objections.tsx';
import { RecordPanel } from '../hall/panels/RecordPanel.tsx';
import { SignRecord } from '../hall/panels/SignRecord.tsx';
import { SummaryTableView } from '../hall/panels/SummaryTable.tsx';
import { Timeline } from '../hall/panels/Timeline.tsx';
import { VideoSlot } from '../hall/panels/VideoSlot.tsx';
import { useHall, useOtherTab } from '../hall/useHall.ts';
import { useTender } from '../hall/useTender.ts';
import type { HallView } from '../hall-state.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { EncryptionKeyLoader } from '../ui/EncryptionKeyLoader.tsx';
import { useFormat } from '../ui/format.ts';
import { keyErrorText } from '../ui/key-error.ts';
import { Section } from '../ui/Section.tsx';

interface MyBid {
  readonly id: string;
  readonly status: string;
  readonly receivedAt: string;
  /** The summary fields changed after it was received: seal and upload again. */
  readonly resealNeeded: boolean;
}

/** The host's reason, as the hall heard it when the tender was cancelled. */
function cancelReason(view: HallView): string | null {
  const told = view.timeline.findLast(
    (e) => e.event.type === 'status' && e.event.data.status === 'cancelled',
  );
  return told?.event.type === 'status' ? told.event.data.reason : null;
}

export function BidderHall({ session, tenderId, onBack }: PageProps) {
  const { t, language } = useI18n();
  const format = useFormat();
  const hall = useHall(session.token, tenderId);
  const live = hall.view ? allowedIn('live', hall.view.status) : false;
  useLeaveWarning(live);
  const tender = useTender(session.token, tenderId);
  const otherTab = useOtherTab(`bidhall:${session.actor.id}:${tenderId}`);
  const [encryption, setEncryption] = useState<Identity | null>(null);
  const [myBids, setMyBids] = useState<MyBid[]>([]);
  const [decryptStep, setDecryptStep] = useState<string | null>(null);
  const loadMine = useCallback(
    () =>
      api<MyBid[]>('GET', `/api/tenders/${tenderId}/bids/mine`, { token: session.token }).then(
        setMyBids,
        () => undefined,
      ),
    [session.token, tenderId],
  );
  // Looked up again when the host changes the tender: the change may ask for the bid to be sealed again.
  const tenderChanges = hall.view?.timeline.filter((e) => e.event.type === 'tender').length ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new change is the reason to look again
  useEffect(() => void loadMine(), [loadMine, tenderChanges]);

  const checkIn = useAction();
  const selfTest = useAction();
  const decrypt = useAction();
  const seed = useAction();
  const objection = useAction();
  const [seedText, setSeedText] = useState('');
  const [checkedInAt, setCheckedInAt] = useState<string | null>(null);
  const [objectionText, setObjectionText] = useState('');

  const { view, client, connection, progress } = hall;
  if (hall.error) return <HallError error={hall.error} onBack={onBack} />;
  if (!view || !client) return <HallLoading />;

  const mine = view.bids.find((b) => b.bidderId === session.actor.id);
  const active = myBids.find((b) => b.status === 'submitted');
  // Before the deadline check-ins are not broadcast (who bid is confidential): the ack tells this page.
  const checkedIn = view.checkedIn.includes(session.actor.name) || checkedInAt !== null;
  const status = view.status;
  const requireKey = () => {
    if (!encryption) throw new Error(t('loadEncryptionFirst'));
    return encryption;
  };

  const runSelfTest = () =>
    selfTest.run(async () => {
      const keys = requireKey();
      const recipient = await client.request('hall:recipient', { tenderId });
      let summaryOk = false;
      try {
        summaryOk = isSignedData(await openEnvelope(fromBase64(recipient.sealedSummary), keys));
      } catch {
        summaryOk = false;
      }
      const challenge = await client.request('hall:self-test-challenge', { tenderId });
      let answer: Uint8Array = new Uint8Array(0);
      try {
        // Only the hash of a fresh 32-byte secret goes back: the page decrypts nothing else for the server.
        answer = await selfTestAnswer(await openEnvelope(fromBase64(challenge.envelope), keys));
      } catch {
        // A key that cannot open the challenge answers nothing; the server's message says what failed.
      }
      const result = await client.request('hall:self-test', {
        tenderId,
        challengeId: challenge.challengeId,
        answer: toBase64(answer),
        summaryOk,
      });
      const said = detailText(result.because, language);
      if (!result.passed) throw new Error(`${t('failedCheck')}: ${said}`);
      return `${t('selfTestPassed')} ${said}`;
    });

  const runDecrypt = () =>
    decrypt.run(async () => {
      const keys = requireKey();
      setDecryptStep(t('decryptStepFetch'));
      const recipient = await client.request('hall:recipient', { tenderId });
      let recipients: { summary: Uint8Array; documents: Uint8Array };
      try {
        recipients = await ownRecipients(recipient, tenderId, session.identity, keys);
      } catch (error) {
        throw error instanceof KeyError ? new Error(t(keyErrorText(error))) : error;
      }
      for (const part of ['summary', 'documents'] as const) {
        setDecryptStep(part === 'summary' ? t('decryptStepSummary') : t('decryptStepDocuments'));
        let key: Uint8Array;
        try {
          key = unwrapContentKey(recipients[part], keys);
        } catch (error) {
          throw error instanceof KeyError ? new Error(t(keyErrorText(error))) : error;
        }
        try {
          await client.request('hall:decrypt', { tenderId, part, contentKey: toBase64(key) });
        } catch (error) {
          // A part already opened (a second tab, or a retry) is not a failure.
          if ((error as { code?: string }).code !== 'DECRYPT_DONE') throw error;
        } finally {
          key.fill(0);
        }
      }
      setDecryptStep(null);
      return t('decryptDone');
    });

  const submitSeed = (event: FormEvent) => {
    event.preventDefault();
    void seed.run(async () => {
      await client.request('hall:reveal-seed', { tenderId, seed: seedText.trim().toLowerCase() });
      setSeedText('');
      return t('seedRevealed');
    });
  };

  const raiseObjection = (event: FormEvent) => {
    event.preventDefault();
    void objection.run(async () => {
      await client.request('hall:object', { tenderId, text: objectionText.trim() });
      setObjectionText('');
      return t('objectionRaised');
    });
  };

  const beforeDeadline = allowedIn('bidding', status);
  const documentsProgress = mine ? (progress[mine.bidId] ?? mine.documentsProgress) : 0;

  return (
    <main className="page hall" data-testid="bidder-hall">
      <BackLink onBack={onBack} live={live} />
      <HallHeader view={view} connection={connection} client={client} />
      {status === 'cancelled' && (
        <p className="notice" role="note" data-testid="tender-cancelled">
          {t('tenderCancelled', { reason: cancelReason(view) ?? tender?.cancelReason ?? '—' })}
        </p>
      )}
      {otherTab && (
        <p className="notice" role="note" data-testid="second-tab">
          {t('secondTab')}
        </p>
      )}
      <div className="columns">
        <div className="column">
          <Section title={t('myBid')}>
            {active ? (
              <>
                <p data-testid="my-bid">
                  {t('bidReceived')} {format.time(active.receivedAt)}
                </p>
                {active.resealNeeded && (
                  <>
                    <p className="outcome error" role="alert" data-testid="reseal-needed">
                      {t('resealMine')}
                    </p>
                    {beforeDeadline && (
                      <UploadBid
                        session={session}
                        tenderId={tenderId}
                        replace
                        onDone={() => void loadMine()}
                      />
                    )}
                  </>
                )}
              </>
            ) : beforeDeadline ? (
              <UploadBid session={session} tenderId={tenderId} onDone={() => void loadMine()} />
            ) : (
              <p className="muted">{t('noBidHere')}</p>
            )}
            {allowedIn('checkIn', status) && (
              <p>
                {checkedIn ? (
                  <span className="ok" data-testid="checked-in">
                    ✓ {t('checkedIn')}
                  </span>
                ) : (
                  <button
                    type="button"
                    className="primary"
                    disabled={checkIn.busy}
                    onClick={() =>
                      void checkIn.run(async () => {
                        setCheckedInAt((await client.request('hall:check-in', { tenderId })).checkedInAt);
                      })
                    }
                  >
                    {t('checkIn')}
                  </button>
                )}
              </p>
            )}
            <Outcome message={checkIn.message} />
            <EncryptionKeyLoader identity={encryption} owner={session.identity} onLoad={setEncryption} />
            {status === 'check-in' && (
              <div className="step">
                <h3>{t('selfTest')}</h3>
                <p className="muted small">{t('selfTestHint')}</p>
                <button
                  type="button"
                  onClick={() => void runSelfTest()}
                  disabled={selfTest.busy || !encryption}
                >
                  {t('selfTest')}
                </button>
                <Outcome message={selfTest.message} />
              </div>
            )}
            {allowedIn('deciding', status) && mine && (
              <p className="notice" data-testid="waiting-for-decryption">
                {t('waitingForDecryption')}
              </p>
            )}
            {allowedIn('decrypting', status) && mine && (
              <div className="step">
                <h3>{t('decrypt')}</h3>
                {mine.openingStatus === 'sealed' ? (
                  <button
                    type="button"
                    className="primary"
                    onClick={() => void runDecrypt()}
                    disabled={decrypt.busy || !encryption}
                  >
                    {decrypt.busy ? t('decrypting') : t('decrypt')}
                  </button>
                ) : (
                  <p className="ok">{t(`opening_${mine.openingStatus}`)}</p>
                )}
                {decryptStep && <p role="status">{decryptStep}</p>}
                {mine.openingStatus === 'summary-decrypted' && (
                  <p>
                    {t('documentsProgress')}{' '}
                    <progress max={1} value={documentsProgress} aria-label={t('documentsProgress')} />{' '}
                    {Math.round(documentsProgress * 100)}%
                  </p>
                )}
                <Outcome message={decrypt.message} />
              </div>
            )}
            {tender?.draw && allowedIn('beforeReading', status) && mine && (
              <form className="step" onSubmit={submitSeed}>
                <h3>{t('revealSeed')}</h3>
                <label>
                  {t('seedHint')} ({sealedFileNames.drawSeed})
                  <input
                    value={seedText}
                    onChange={(e) => setSeedText(e.target.value)}
                    pattern="[0-9a-fA-F]{64}"
                    required
                    className="mono"
                  />
                </label>
                <button type="submit" disabled={seed.busy}>
                  {t('revealSeed')}
                </button>
                <Outcome message={seed.message} />
              </form>
            )}
          </Section>
          <BidList view={view} progress={progress} alsoCheckedIn={checkedIn ? session.actor.name : null} />
          <SummaryTableView view={view} tender={tender} />
          <DrawPanel view={view} tender={tender} />
          <RecordPanel view={view} tender={tender}>
            {allowedIn('confirming', status) && mine && (
              <SignRecord view={view} client={client} session={session} />
            )}
          </RecordPanel>
          <ObjectionList view={view} />
          {mine && allowedIn('objections', status) && (
            <Section title={t('object')}>
              <p className="muted small">{t('objectionHint')}</p>
              <form onSubmit={raiseObjection} className="inline-form">
                <label>
                  {t('objectionText')}
                  <textarea
                    name="objection"
                    value={objectionText}
                    onChange={(e) => setObjectionText(e.target.value)}
                    maxLength={2000}
                    rows={3}
                    required
                  />
                </label>
                <button type="submit" disabled={objection.busy || !objectionText.trim()}>
                  {t('object')}
                </button>
                <Outcome message={objection.message} />
              </form>
            </Section>
          )}
        </div>
        <div className="column side">
          <Publicity session={session} tenderId={tenderId} />
          <BidderClarifications session={session} tenderId={tenderId} />
          <VideoSlot session={session} tenderId={tenderId} />
          <Timeline view={view} />
        </div>
      </div>
    </main>
  );
}

/** Uploads a sealed bid folder written by `bidhall bid seal` (the four files, picked together). */
function UploadBid({
  session,
  tenderId,
  replace = false,
  onDone,
}: {
  session: Session;
  tenderId: string;
  /** Replaces the bid already submitted (the same bidder's newer sealing). */
  replace?: boolean;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const [files, setFiles] = useState<File[]>([]);
  const action = useAction();
  const parts = ['manifest', 'manifestSignature', 'summary', 'documents'] as const;
  const byName = new Map(files.map((f) => [f.name, f]));
  const missing = parts.filter((p) => !byName.has(sealedFileNames[p]));
  return (
    <form
      className="step"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run(async () => {
          const form = new FormData();
          for (const part of parts)
            form.append(part, byName.get(sealedFileNames[part])!, sealedFileNames[part]);
          await api('POST', `/api/tenders/${tenderId}/bids${replace ? '?replace=true' : ''}`, {
            token: session.token,
            body: form,
          });
          onDone();
          return t('bidUploaded');
        });
      }}
    >
      <h3>{t('uploadBid')}</h3>
      <label>
        {t('uploadHint')}
        <input type="file" multiple onChange={(e) => setFiles([...(e.target.files ?? [])])} />
      </label>
      {files.length > 0 && missing.length > 0 && (
        <p className="outcome error" role="alert">
          {t('missingFiles')}: {missing.map((p) => sealedFileNames[p]).join(', ')}
        </p>
      )}
      <button type="submit" disabled={action.busy || files.length === 0 || missing.length > 0}>
        {action.busy ? t('uploading') : t('upload')}
      </button>
      <Outcome message={action.message} />
    </form>
  );
}
