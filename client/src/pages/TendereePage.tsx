/**
 * The tenderee's (招标人) page for one of its tenders: the opening as a watcher sees it (status, bids,
 * the summary and the record once read out) and the tender's evaluation committees, where it names its
 * representatives and, when the tender says so, the leader. It reads no audit feed: that is for
 * supervisors.
 */

import { TenderCommittees } from '../evaluation/TenderCommittees.tsx';
import { BackLink, HallError, HallLoading, type PageProps } from '../hall/HallPage.tsx';
import { BidList } from '../hall/panels/BidList.tsx';
import { HallHeader } from '../hall/panels/HallHeader.tsx';
import { RecordPanel } from '../hall/panels/RecordPanel.tsx';
import { SummaryTableView } from '../hall/panels/SummaryTable.tsx';
import { Timeline } from '../hall/panels/Timeline.tsx';
import { useHall } from '../hall/useHall.ts';
import { useTender } from '../hall/useTender.ts';

export function TendereePage({ session, tenderId, onBack }: PageProps) {
  const hall = useHall(session.token, tenderId);
  const tender = useTender(session.token, tenderId);
  const { view, client, connection, progress } = hall;
  if (hall.error) return <HallError error={hall.error} onBack={onBack} />;
  if (!view || !client) return <HallLoading />;
  return (
    <main className="page hall" data-testid="tenderee-page">
      <BackLink onBack={onBack} />
      <HallHeader view={view} connection={connection} client={client} />
      <div className="columns">
        <div className="column">
          <BidList view={view} progress={progress} />
          <SummaryTableView view={view} tender={tender} />
          <RecordPanel view={view} tender={tender} />
        </div>
        <div className="column side">
          <TenderCommittees session={session} tenderId={tenderId} tenderStatus={view.status} />
          <Timeline view={view} />
        </div>
      </div>
    </main>
  );
}
