/**
 * The supervisor's view (监督): read-only. Everything bidders and the host see, the tender's audit
 * trail as it grows (each entry's hash re-computed in this page), and two checks on demand: the whole
 * audit chain, and the opening-record bundle with every signature in it.
 */
import { allowedIn } from '@bidhall/shared';
import { useEffect, useState } from 'react';
import { api, sha256Hex } from '../api.ts';
import { BackLink, HallError, HallLoading, type PageProps } from '../hall/HallPage.tsx';
import { BidList } from '../hall/panels/BidList.tsx';
import { DrawPanel } from '../hall/panels/DrawPanel.tsx';
import { HallHeader } from '../hall/panels/HallHeader.tsx';
import { ObjectionList } from '../hall/panels/Objections.tsx';
import { ProposalsPanel } from '../hall/panels/ProposalsPanel.tsx';
import { RecordPanel } from '../hall/panels/RecordPanel.tsx';
import { SignRecord } from '../hall/panels/SignRecord.tsx';
import { SummaryTableView } from '../hall/panels/SummaryTable.tsx';
import { Timeline } from '../hall/panels/Timeline.tsx';
import { VideoSlot } from '../hall/panels/VideoSlot.tsx';
import { useHall } from '../hall/useHall.ts';
import { useTender } from '../hall/useTender.ts';
import { useI18n } from '../i18n.tsx';
import { Outcome, useAction } from '../ui/action.tsx';
import { useFormat } from '../ui/format.ts';
import { ReasonAction } from '../ui/ReasonAction.tsx';
import { Section } from '../ui/Section.tsx';

interface FeedEntry {
  readonly entry: {
    seq: number;
    at: string;
    role: string | null;
    action: string;
    outcome: string;
    detail: Record<string, unknown>;
  };
  readonly text: string;
  readonly prevHash: string;
  readonly hash: string;
  /** Whether SHA-256(prevHash + text) equals the stored hash, computed here. */
  readonly intact?: boolean;
}

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
  readonly problems: string[];
  readonly objections: number;
  readonly unanswered: number;
}

/**
 * The tender's audit trail, polled. Before the bids are opened the server withholds what bidders did
 * and says how many entries it holds back; once it holds none back, the feed is read again from the start
 * so that those entries appear in their place in the chain.
 */
function useAuditFeed(token: string, tenderId: string): { entries: FeedEntry[]; sealed: number | null } {
  const [feed, setFeed] = useState<{ entries: FeedEntry[]; sealed: number | null }>({
    entries: [],
    sealed: null,
  });
  useEffect(() => {
    let last = 0;
    let sealedBefore: number | null = null;
    let stopped = false;
    const poll = async () => {
      try {
        const page = await api<{ entries: FeedEntry[]; sealed: number | null }>(
          'GET',
          `/api/tenders/${tenderId}/audit?after=${last}`,
          { token },
        );
        const reread = (sealedBefore ?? 0) > 0 && page.sealed === 0 && last > 0;
        if (reread) {
          last = 0;
          sealedBefore = 0;
          if (!stopped) setFeed({ entries: [], sealed: 0 });
          return void poll();
        }
        sealedBefore = page.sealed;
        const checked = await Promise.all(
          page.entries.map(async (e) => ({
            ...e,
            intact: (await sha256Hex(e.prevHash + e.text)) === e.hash,
          })),
        );
        if (!stopped) {
          if (checked.length) last = checked[checked.length - 1]!.entry.seq;
          setFeed((current) => ({ entries: [...current.entries, ...checked], sealed: page.sealed }));
        }
      } catch {
        // The next poll tries again; the hall's connection badge shows whether the server is reachable.
      }
      if (!stopped) timer = setTimeout(() => void poll(), 2000);
    };
    let timer = setTimeout(() => void poll(), 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [token, tenderId]);
  return feed;
}

export function SupervisorView({ session, tenderId, onBack }: PageProps) {
  const { t } = useI18n();
  const format = useFormat();
  const hall = useHall(session.token, tenderId);
  const tender = useTender(session.token, tenderId);
  const feed = useAuditFeed(session.token, tenderId);
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
                      if (!report.ok) throw new Error(`${t('bundleBroken')}: ${report.problems.join('; ')}`);
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
          <Section title={t('auditFeed')}>
            {!!feed.sealed && (
              <p className="muted small" data-testid="audit-sealed">
                {t('auditSealed', { count: feed.sealed })}
              </p>
            )}
            <ol className="audit-feed" data-testid="audit-feed" aria-live="polite">
              {[...feed.entries]
                .reverse()
                .slice(0, 200)
                .map((e) => (
                  <li key={e.entry.seq} className={e.intact === false ? 'error' : ''}>
                    <span className="mono">#{e.entry.seq}</span>{' '}
                    <time dateTime={e.entry.at}>{format.time(e.entry.at)}</time>{' '}
                    <strong>{e.entry.action}</strong> {e.entry.role ?? ''}{' '}
                    {e.entry.outcome === 'ok' ? '' : `→ ${e.entry.outcome}`}
                    {e.intact === false && ` ⚠ ${t('hashMismatch')}`}
                  </li>
                ))}
            </ol>
          </Section>
          <Timeline view={view} />
        </div>
      </div>
    </main>
  );
}
