/**
 * The hall as the page shows it: a snapshot with every later event applied, in sequence order. Pure, so
 * a reconnecting page (which gets a snapshot plus what it missed) ends up where the others are.
 */
import type { HallEvent, HallSnapshot } from '@bidhall/shared';

export interface TimelineEntry {
  readonly seq: number;
  readonly at: string;
  readonly event: HallEvent;
}

export interface HallView extends HallSnapshot {
  readonly timeline: readonly TimelineEntry[];
}

export function fromSnapshot(snapshot: HallSnapshot): HallView {
  return { ...snapshot, timeline: [] };
}

/**
 * Whether an event says something new to a reader of the timeline: a bid event whose outcome is the one
 * the bid already had (its documents key came in, say) changes the table, not the story.
 */
function worthTelling(view: HallView, event: HallEvent): boolean {
  if (event.type !== 'bid') return true;
  const before = view.bids.find((b) => b.bidId === event.data.bidId);
  return before?.openingStatus !== event.data.openingStatus || before.reason !== event.data.reason;
}

export function applyEvent(view: HallView, event: HallEvent): HallView {
  if (event.seq <= view.seq) return view;
  const next: HallView = {
    ...view,
    seq: event.seq,
    timeline: worthTelling(view, event)
      ? [...view.timeline, { seq: event.seq, at: event.at, event }]
      : view.timeline,
  };
  switch (event.type) {
    case 'status':
      return { ...next, status: event.data.status };
    case 'checked-in':
      return next.checkedIn.includes(event.data.bidderName)
        ? next
        : { ...next, checkedIn: [...next.checkedIn, event.data.bidderName] };
    case 'bid': {
      const others = next.bids.filter((b) => b.bidId !== event.data.bidId);
      return {
        ...next,
        bids: [...others, event.data].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt)),
      };
    }
    case 'window':
      return {
        ...next,
        window: { endsAt: event.data.endsAt, pausedRemainingMs: event.data.pausedRemainingMs },
      };
    case 'summary-table':
      return { ...next, summaryTable: event.data.rows };
    case 'draw':
      return { ...next, draw: event.data };
    case 'record':
      return { ...next, record: { sha256: event.data.sha256, text: event.data.text, signedBy: [] } };
    case 'signature':
      return next.record
        ? {
            ...next,
            record: {
              ...next.record,
              signedBy: [...new Set([...next.record.signedBy, event.data.name])],
            },
          }
        : next;
    case 'objection':
    case 'answer': {
      const others = next.objections.filter((o) => o.id !== event.data.id);
      return { ...next, objections: [...others, event.data].sort((a, b) => a.at.localeCompare(b.at)) };
    }
    case 'remedy':
      return { ...next, remedy: event.data };
    case 'proposal': {
      const others = next.proposals.filter((p) => p.id !== event.data.id);
      return {
        ...next,
        proposals: [...others, event.data].sort((a, b) => a.proposedAt.localeCompare(b.proposedAt)),
      };
    }
    case 'fault':
      return { ...next, faults: [...next.faults, event.data] };
    case 'tender':
      return {
        ...next,
        title: event.data.title,
        deadline: event.data.deadline,
        checkInOpensAt: event.data.checkInOpensAt,
      };
    case 'recording':
      return { ...next, recording: event.data };
    default:
      return next;
  }
}
