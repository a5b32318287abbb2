/**
 * Whether the opening hall is being recorded, as its SFU reports it (a segment runs in the venue, or
 * none does). 财政部87号令 Art 39 wants the opening recorded in full: while the hall is live every change
 * is a hall step — audited, and announced so that the host's console and the supervisors' pages show the
 * state and alarm when the opening runs unrecorded. Reports about other venues (evaluations) are kept
 * too, for their own pages later.
 */
import { allowedIn, parseVenue, type Venue } from '@bidhall/shared';
import { eq } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { venueRecordings } from '../db/schema/index.ts';
import { type HallContext, hallAction, systemActor } from './hall-action.ts';

/** The venue's recording state now, or null when no SFU has said anything about it. */
export async function venueRecordingOf(
  db: Executor,
  venue: Venue,
): Promise<{ recording: boolean; since: string } | null> {
  const [row] = await db.select().from(venueRecordings).where(eq(venueRecordings.venue, venue));
  return row ? { recording: row.recording, since: row.since.toISOString() } : null;
}

/** Stores what an SFU said; a hall's change, while the hall is live, is a step of its opening. */
export async function reportVenueRecording(
  context: HallContext,
  report: { venue: Venue; recording: boolean; recordedBy: string },
): Promise<void> {
  const { venue, recording, recordedBy } = report;
  const store = async (tx: Executor, now: Date): Promise<boolean> => {
    const [current] = await tx.select().from(venueRecordings).where(eq(venueRecordings.venue, venue));
    if (current?.recording === recording) return false;
    await tx
      .insert(venueRecordings)
      .values({ venue, recording, since: now, recordedBy })
      .onConflictDoUpdate({ target: venueRecordings.venue, set: { recording, since: now, recordedBy } });
    return true;
  };
  const place = parseVenue(venue);
  if (place?.kind !== 'hall') {
    await store(context.db, context.clock.now());
    return;
  }
  const action = recording ? 'media.recording-started' : 'media.recording-stopped';
  await hallAction(context, place.tenderId, systemActor, action, async (scope) => {
    if (!(await store(scope.tx, scope.now))) {
      scope.nothingDone = true;
      return;
    }
    Object.assign(scope.detail, { venue, recordedBy });
    if (allowedIn('live', scope.tender.status))
      await scope.emit('recording', { recording, since: scope.now.toISOString() });
  });
}
