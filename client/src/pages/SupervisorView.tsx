/**
 * The supervisor's view (监督): read-only. Everything bidders and the host see, the tender's audit
 * trail as it grows (each entry's hash re-computed in this page), and two checks on demand: the whole
 * audit chain, and the opening-record bundle with every signature in it.
 */
import { allowedIn, detailText, type ErrorDetail } from '@bidhall/shared';
import { api } from '../api.ts';
import { TenderCommittees } from '../evaluation/TenderCommittees.tsx';
import { BackLink, HallError, HallLoading, type PageProps } from '../hall/HallPage.tsx';
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
import { AuditFeed } from '../supervision/AuditFeed.tsx';
import { Outcome, useAction } from '../ui/action.tsx';
import { useFormat } from '../ui/format.ts';
import { ReasonAction } from '../ui/ReasonAction.tsx';
import { Section } from '../ui/Section.tsx';

interface ChainReport {
  readonly ok: boolean;
  readonly entries: number;
  readonly seq?: number;
  readonly message?: string;
}

interface BundleReport {
  readonly ok: boolean;
  readonly recordSha256: string;
  readonly signed: string[];
  readonly unsigned: string[];
  /** What is wrong, as catalogue details (shown in the reader's language). */
  readonly findings: ErrorDetail[];
  readonly objections: number;
  readonly unanswered: number;
}

export function SupervisorView({ session, tenderId, onBack }: PageProps) {
  const { t, language } = useI18n();
  const _format = useFormat();
  const hall = useHall(session.token, tenderId);
  const tender = useTender(session.token, tenderId);
  const chain = useAction();
  const bundle = useAction();
  const canAudit = session.actor.role === 'supervisor' || session.actor.role === 'admin';

  const { view, client, connection, progress } = hall;
  if (hall.error) return <HallError error={hall.error} onBack={onBack} />;
  if (!view || !client) return <HallLoading />;

  return (
    <main className="page hall" data-testid="supervisor-view">
      <BackLink onBack={onBack} />
      <HallHeader view={view} connection={connection} client={client} />
      <RecordingAlarm view={view} client={client} host={false} />
      <p className="notice">{t('supervisorView')}</p>
      <div className="columns">
        <div className="column">
          <BidList view={view} progress={progress} />
          <ProposalsPanel view={view} client={client} role={session.actor.role} />
          <ObjectionList view={view} />
          <SummaryTableView view={view} tender={tender} />
          <DrawPanel view={view} tender={tender} />
          <RecordPanel view={view} tender={tender}>
            {allowedIn('staffSigning', view.status) && (
              <SignRecord view={view} client={client} session={session} />
            )}
          </RecordPanel>
          {canAudit && (
            <Section title={t('checks')}>
              <div className="actions">
                <button
                  type="button"
                  disabled={chain.busy}
                  onClick={() =>
                    void chain.run(async () => {
                      const report = await api<ChainReport>('POST', '/api/audit/verify', {
                        token: session.token,
                      });
                      if (!report.ok)
                        throw new Error(`${t('chainBroken')} #${report.seq}: ${report.message}`);
                      return `${t('chainIntact')} (${report.entries})`;
                    })
                  }
                >
                  {t('verifyAudit')}
                </button>
                <button
                  type="button"
                  disabled={bundle.busy || !view.record}
                  onClick={() =>
                    void bundle.run(async () => {
                      const report = await api<BundleReport>(
                        'POST',
                        `/api/tenders/${tenderId}/record-bundle/verify`,
                        { token: session.token },
                      );
                      if (!report.ok)
                        throw new Error(
                          `${t('bundleBroken')}: ${report.findings.map((f) => detailText(f, language)).join('；')}`,
                        );
                      return `${t('bundleIntact')} · ${t('signedBy')} ${report.signed.join('、') || '—'} · ${t('unsigned')} ${report.unsigned.join('、') || '—'} · ${t('objections')} ${report.objections} (${t('unanswered')} ${report.unanswered})`;
                    })
                  }
                >
                  {t('verifyRecord')}
                </button>
              </div>
              <div data-testid="chain-result">
                <Outcome message={chain.message} />
              </div>
              <div data-testid="bundle-result">
                <Outcome message={bundle.message} />
              </div>
            </Section>
          )}
          {view.remedy &&
            session.actor.role === 'supervisor' &&
            !view.remedy.approved &&
            view.remedy.sharesReceived >= view.remedy.quorum && (
              <Section title={t('remedy')}>
                <ReasonAction
                  label={t('approveRemedy')}
                  onSubmit={async (reason) =>
                    void (await client.request('hall:approve-remedy', { tenderId, reason }))
                  }
                />
              </Section>
            )}
        </div>
        <div className="column side">
          <VideoSlot session={session} tenderId={tenderId} />
          <TenderCommittees session={session} tenderId={tenderId} tenderStatus={view.status} />
          <AuditFeed session={session} tenderId={tenderId} code={view.code} />
          <Timeline view={view} />
        </div>
      </div>
    </main>
  );
}
