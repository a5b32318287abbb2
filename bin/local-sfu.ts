/**
 * The SFU that runs inside `bidhall start` when no SFU_URLS are configured (composition root: the server
 * and the SFU meet here, never in each other's code).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import { describeSegment, type RecordedSegment, type Sfu, startSfu } from '@bidhall/sfu';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../server/src/config.ts';

/**
 * Without SFU_URLS, one SFU runs in this process (mediasoup workers are child processes either way) and
 * serves every venue, on this server's own port under /sfu (same origin for pages, one port to open)
 * unless SFU_PORT is set; its recordings go straight into this server's store, with the checks a
 * separate SFU's uploads get.
 */
export async function startLocalSfu(
  app: FastifyInstance,
  config: Config,
  ownUrl: string,
): Promise<Sfu | null> {
  const ffmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' });
  if (ffmpeg.status !== 0)
    app.log.error(
      'ffmpeg was not found: live audio/video works, but nothing is recorded (apt install ffmpeg)',
    );
  try {
    const sfu = await startSfu({
      name: 'local',
      ...(config.sfuPort === 0
        ? { attach: { server: app.server as HttpServer, url: `${ownUrl}/sfu` } }
        : {
            host: config.host,
            port: config.sfuPort,
            // Its own port serves TLS exactly when the server's does.
            ...(config.tlsCertFile && config.tlsKeyFile
              ? { tls: { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) } }
              : {}),
          }),
      ticketSecret: app.mediaSecret,
      workers: config.sfuWorkers,
      listenIp: config.sfuListenIp,
      ...(config.sfuAnnouncedAddress ? { announcedAddress: config.sfuAnnouncedAddress } : {}),
      ...(config.sfuRtcMinPort ? { rtcMinPort: config.sfuRtcMinPort } : {}),
      ...(config.sfuRtcMaxPort ? { rtcMaxPort: config.sfuRtcMaxPort } : {}),
      ...(ffmpeg.status === 0
        ? {
            recording: {
              dir: join(config.dataDir, 'recordings-in-progress'),
              segmentSeconds: config.recordingSegmentSeconds,
              // In this process the segment goes straight to the store: same checks, no HTTP round trip.
              deliver: async (segment: RecordedSegment) => {
                const description = describeSegment(segment, 'local');
                await app.recordings.ingest(description, createReadStream(segment.file), null);
              },
              onVenueRecording: (venue: string, recording: boolean) => {
                app.hall
                  .reportRecording({ venue, recording, recordedBy: 'local' })
                  .catch((error: unknown) =>
                    app.log.warn({ err: error, venue }, 'recording state not stored'),
                  );
              },
            },
          }
        : {}),
      log: app.log,
    });
    // Pages reach the in-process SFU at their own origin (whatever name they used for this server).
    app.media.useSfus([{ city: 'local', url: config.sfuPort === 0 ? '/sfu' : sfu.url }]);
    app.log.info({ url: sfu.url, workers: config.sfuWorkers }, 'SFU running in this process');
    return sfu;
  } catch (error) {
    app.log.error({ err: error }, 'the SFU could not start: live audio/video is unavailable');
    return null;
  }
}
