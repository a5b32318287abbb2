/** The page's hall state: what the timeline tells, and what it leaves out. */
import type { HallBid, HallEvent, HallSnapshot } from '@bidhall/shared';
import { describe, expect, it } from 'vitest';
import { applyEvent, fromSnapshot } from './hall-state.ts';

const snapshot: HallSnapshot = {
  tenderId: 't',
  code: 'T-1',
  title: '测试项目',
  status: 'decrypting',
  deadline: '2026-12-02T08:00:00.000Z',
  checkInOpensAt: '2026-12-02T07:30:00.000Z',
  window: null,
  minBidders: 3,
  bids: [],
  checkedIn: [],
  summaryTable: null,
  draw: null,
  record: null,
  objections: [],
  proposals: [],
  faults: [],
  remedy: null,
  recording: null,
  seq: 0,
};

const bid = (openingStatus: HallBid['openingStatus'], documentsProgress = 0): HallBid => ({
  bidId: 'b1',
  bidderId: 'a1',
  bidderName: '华东建设工程有限公司',
  receivedAt: '2026-12-02T07:00:00.000Z',
  openingStatus,
  documentsProgress,
  reason: null,
});

let seq = 0;
const event = (data: HallBid): HallEvent => ({
  tenderId: 't',
  seq: ++seq,
  at: new Date(Date.UTC(2026, 11, 2, 8, seq)).toISOString(),
  type: 'bid',
  data,
});

describe('the hall timeline', () => {
  it('tells each outcome of a bid once, however many events repeat it', () => {
    let view = fromSnapshot(snapshot);
    for (const data of [
      bid('sealed'),
      bid('summary-decrypted'),
      bid('summary-decrypted', 0.5),
      bid('summary-decrypted', 0.9),
      bid('decrypted', 1),
    ])
      view = applyEvent(view, event(data));
    expect(view.timeline.map((e) => (e.event.data as HallBid).openingStatus)).toEqual([
      'sealed',
      'summary-decrypted',
      'decrypted',
    ]);
    // The table still follows every event.
    expect(view.bids[0]?.documentsProgress).toBe(1);
    expect(view.seq).toBe(seq);
  });
});
