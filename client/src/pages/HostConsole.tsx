/**
 * The host's console (主持人): runs the opening step by step. Every step that the law wants explained
 * (pausing, extending, confirming a failure, recording an outage) asks for the reason, which goes into
 * the record. The host sees what bidders see, answers objections on the spot, closes and exports.
 */
import { allowedIn, bidIn, type TenderView } from '@bidhall/shared';
import { useEffect, useState } from 'react';
import { download } from '../api.ts';
import { TenderCommittees } from '../evaluation/TenderCommittees.tsx';
import { BackLink, HallError, HallLoading, type PageProps, useLeaveWarning } from '../hall/HallPage.tsx';
import { BidList } from '../hall/panels/BidList.tsx';
import { DrawPanel } from '../hall/panels/DrawPanel.tsx';
import { HallHeader } from '../hall/panels/HallHeader.tsx';
import { ObjectionList } from '../hall/panels/Objections.tsx';
import { ProposalsPanel } from '../hall/panels/ProposalsPanel.tsx';
import { RecordingAlarm } from '../hall/panels/RecordingAlarm.tsx';
import { RecordPanel } from '../hall/panels/RecordPanel.tsx';
import { SignRecord } from '../hall/panels/SignRecord.tsx';
import { SummaryTableView } from '../hall/panels/SummaryTable.tsx';
import { Timeline } from '../hall/panels/Timeline.tsx';
import { VideoSlot } from '../hall/panels/VideoSlot.tsx';
import { useHall } from '../hall/useHall.ts';
import { useTender } from '../hall/useTender.ts';
import { useI18n } from '../i18n.tsx';
import { EditTender } from '../tenders/EditTender.tsx';
import { Outcome, useAction } from '../ui/action.tsx';
import { NumberField } from '../ui/fields.tsx';
import { ReasonAction } from '../ui/ReasonAction.tsx';
import { Section } from '../ui/Section.tsx';

export function HostConsole({ session, tenderId, onBack }: PageProps) {
  const { t } = useI18n();
  const hall = useHall(session.token, tenderId);
  const live = hall.view ? allowedIn('live', hall.view.status) : false;
  useLeaveWarning(live);
  const fetched = useTender(session.token, tenderId);
  const [edited, setEdited] = useState<TenderView | null>(null);
  const tender = edited ?? fetched;
  const step = useAction();
  const exporter = useAction();
  // What a step said at one stage (a refusal, a success) no longer holds at the next.
  const stage = hall.view?.status;
  const { setMessage: setStepMessage } = step;
  useEffect(() => {
    if (stage) setStepMessage(null);
  }, [stage, setStepMessage]);
  const [minutes, setMinutes] = useState(10);
  const [outage, setOutage] = useState({ from: '', to: '' });

  const { view, client, connection, progress } = hall;
  if (hall.error) return <HallError error={hall.error} onBack={onBack} />;
  if (!view || !client) return <HallLoading />;
  const status = view.status;
  const stepButton = (label: string, run: () => Promise<unknown>) => (
    <button
      type="button"
      className="primary"
      disabled={step.busy}
      onClick={() => void step.run(async () => void (await run()))}
    >
      {label}
    </button>
  );

  return (
    <main className="page hall" data-testid="host-console">
      <BackLink onBack={onBack} live={live} />
      <HallHeader view={view} connection={connection} client={client} />
      <RecordingAlarm view={view} client={client} host />
      <div className="columns">
        <div className="column">
          {/* Keyed by the stage: what a step said at one stage (an error, a success) is gone at the next. */}
          <Section title={t('hostConsole')} key={status}>
            <p className="muted small">{t(`hostHint_${status}`)}</p>
            <div className="actions">
              {allowedIn('deciding', status) &&
                stepButton(t('startDecryption'), () => client.request('hall:start-decryption', { tenderId }))}
              {allowedIn('decrypting', status) &&
                stepButton(t('announce'), () => client.request('hall:announce', { tenderId }))}
              {allowedIn('announced', status) &&
                stepButton(t('openRecord'), () => client.request('hall:open-record', { tenderId }))}
              {allowedIn('confirming', status) &&
                stepButton(t('close'), () => client.request('hall:close', { tenderId }))}
            </div>
            <Outcome message={step.message} />
            {allowedIn('bidding', status) && tender && (
              <EditTender session={session} tender={tender} onSaved={setEdited} />
            )}
            {allowedIn('bidding', status) && (
              <ReasonAction
                danger
                label={t('cancelTender')}
                extra={<p className="muted small">{t('cancelTenderHint')}</p>}
                onSubmit={async (reason) => void (await client.request('hall:cancel', { tenderId, reason }))}
              />
            )}
            {allowedIn('deciding', status) && (
              <ReasonAction
                danger
                label={t('confirmFailure')}
                onSubmit={async (reason) =>
                  void (await client.request('hall:confirm-failure', { tenderId, reason }))
                }
              />
            )}
            {allowedIn('decrypting', status) && (
              <>
                {view.window?.pausedRemainingMs === null ? (
                  <ReasonAction
                    label={t('pause')}
                    onSubmit={async (reason) =>
                      void (await client.request('hall:pause', { tenderId, reason }))
                    }
                  />
                ) : (
                  <ReasonAction
                    label={t('resume')}
                    onSubmit={async (reason) =>
                      void (await client.request('hall:resume', { tenderId, reason }))
                    }
                  />
                )}
                <ReasonAction
                  label={t('extend')}
                  extra={
                    <NumberField
                      label={t('minutes')}
                      value={minutes}
                      onChange={setMinutes}
                      min={1}
                      max={240}
                    />
                  }
                  onSubmit={async (reason) =>
                    void (await client.request('hall:extend', { tenderId, minutes, reason }))
                  }
                />
                <ReasonAction
                  label={t('recordOutage')}
                  extra={
                    <>
                      <label>
                        {t('outageFrom')}
                        <input
                          type="datetime-local"
                          step={1}
                          value={outage.from}
                          onChange={(e) => setOutage({ ...outage, from: e.target.value })}
                          required
                        />
                      </label>
                      <label>
                        {t('outageTo')}
                        <input
                          type="datetime-local"
                          step={1}
                          value={outage.to}
                          onChange={(e) => setOutage({ ...outage, to: e.target.value })}
                          required
                        />
                      </label>
                    </>
                  }
                  onSubmit={async (reason) =>
                    void (await client.request('hall:record-outage', {
                      tenderId,
                      from: new Date(outage.from).toISOString(),
                      to: new Date(outage.to).toISOString(),
                      reason,
                      // The bids still without an outcome; the supervisor confirms (or rejects) the list.
                      bidIds: view.bids.filter((b) => !bidIn('final', b.openingStatus)).map((b) => b.bidId),
                    }))
                  }
                />
              </>
            )}
            {view.remedy && (
              <p data-testid="remedy">
                {t('remedy')}: {t('shares')} {view.remedy.sharesReceived}/{view.remedy.quorum}
                {view.remedy.approved ? ` · ${t('remedyApproved')}` : ''}
              </p>
            )}
            {allowedIn('recordOut', status) && view.record && (
              <p>
                <button
                  type="button"
                  disabled={exporter.busy}
                  onClick={() =>
                    void exporter.run(async () => {
                      const bytes = await download(
                        `/api/tenders/${tenderId}/record-bundle`,
                        session.token,
                        `opening-record-${view.code}.tar`,
                      );
                      return `${t('downloaded')} (${Math.ceil(bytes / 1024)} KiB)`;
                    })
                  }
                >
                  {t('exportRecord')}
                </button>
              </p>
            )}
            <Outcome message={exporter.message} />
          </Section>
          <BidList view={view} progress={progress} />
          <SummaryTableView view={view} tender={tender} />
          <DrawPanel view={view} tender={tender} />
          <RecordPanel view={view} tender={tender}>
            {allowedIn('staffSigning', status) && (
              <SignRecord view={view} client={client} session={session} />
            )}
          </RecordPanel>
          <ProposalsPanel view={view} client={client} role={session.actor.role} />
          <ObjectionList
            view={view}
            onAnswer={
              allowedIn('objections', status)
                ? async (objectionId, text) =>
                    void (await client.request('hall:answer', { tenderId, objectionId, text }))
                : undefined
            }
          />
        </div>
        <div className="column side">
          <VideoSlot
            session={session}
            tenderId={tenderId}
            autoJoin={allowedIn('recorded', status)}
            shareScreen
          />
          <TenderCommittees session={session} tenderId={tenderId} tenderStatus={status} />
          <Timeline view={view} />
        </div>
      </div>
    </main>
  );
}
