/**
 * Hands recorded segments of a separate SFU process to the main server: an HTTP PUT of the WebM with
 * the segment's description and a token signed with the shared media secret. A few quick retries ride
 * out a blip; beyond that the outbox keeps the segment and tries again later (outbox.ts).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { SegmentDescription, Venue } from '@bidhall/shared';
import { recordingStateSigner, segmentUploadSigner } from '@bidhall/shared/tokens';
import type { RecordedSegment } from './recorder.ts';

/** What the main server is told about a segment (and checks the bytes against). */
export function describeSegment(segment: RecordedSegment, recordedBy: string): SegmentDescription {
  return {
    id: segment.id,
    venue: segment.venue,
    peerId: segment.peerId,
    peerName: segment.peerName,
    kinds: segment.kinds,
    startedAt: segment.startedAt.toISOString(),
    endedAt: segment.endedAt.toISOString(),
    bytes: segment.bytes,
    sha256: segment.sha256,
    recordedBy,
  };
}

export function segmentUploader(options: {
  readonly serverUrl: string;
  readonly secret: string;
  readonly recordedBy: string;
  readonly attempts?: number;
}): (segment: RecordedSegment) => Promise<void> {
  const sign = segmentUploadSigner(options.secret);
  return async (segment) => {
    const description = describeSegment(segment, options.recordedBy);
    const attempts = options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(`${options.serverUrl}/api/media/segments/${segment.id}`, {
          method: 'PUT',
          headers: {
            authorization: `Bearer ${sign({ recordedBy: options.recordedBy, segment: segment.id, sha256: segment.sha256 })}`,
            'content-type': 'video/webm',
            'content-length': String(segment.bytes),
            'x-bidhall-segment': Buffer.from(JSON.stringify(description)).toString('base64url'),
          },
          body: Readable.toWeb(createReadStream(segment.file)) as ReadableStream,
          duplex: 'half',
        } as RequestInit);
        if (response.ok) break;
        const text = await response.text();
        // A refusal (4xx) will not change on retry: keep the file for someone to look at.
        if (response.status < 500) throw Object.assign(new Error(`refused: ${text}`), { final: true });
        throw new Error(`server answered ${response.status}: ${text}`);
      } catch (error) {
        if ((error as { final?: boolean }).final || attempt >= attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      }
    }
  };
}

/**
 * Tells the main server that a venue started or stopped being recorded (it alarms the host and the
 * supervisors when an opening runs unrecorded). A few quick retries; a report that still fails is logged
 * and dropped: the next change reports the state again, and the segments are what is kept.
 */
export function recordingReporter(options: {
  readonly serverUrl: string;
  readonly secret: string;
  readonly recordedBy: string;
  readonly log: { warn(object: object, message: string): void };
}): (venue: Venue, recording: boolean) => void {
  const sign = recordingStateSigner(options.secret);
  return (venue, recording) => {
    void (async () => {
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          const response = await fetch(`${options.serverUrl}/api/media/recording-state`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${sign({ recordedBy: options.recordedBy, venue, recording })}`,
            },
          });
          if (response.ok || response.status < 500) {
            if (!response.ok) options.log.warn({ venue, status: response.status }, 'recording state refused');
            return;
          }
        } catch {
          // the server is unreachable for now: try again
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      }
      options.log.warn({ venue, recording }, 'the server could not be told a venue’s recording state');
    })();
  };
}
