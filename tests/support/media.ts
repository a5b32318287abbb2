/**
 * Simulated participants for media tests: @roamhq/wrtc gives Node a real libwebrtc, mediasoup-client
 * runs on it through its Chrome111 handler, and synthetic sources publish moving video and a tone.
 * Sinks count what was decoded, so tests assert on frames, not packets.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MediaTicket, Role, Venue } from '@bidhall/shared';
import { mediaPermissions } from '@bidhall/shared';
import { MediaClient, type RemoteTrack } from '@bidhall/shared/media-client';
import { ticketSigner } from '@bidhall/shared/tokens';
import wrtc from '@roamhq/wrtc';

Object.assign(globalThis, {
  RTCPeerConnection: wrtc.RTCPeerConnection,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
  MediaStream: wrtc.MediaStream,
  MediaStreamTrack: wrtc.MediaStreamTrack,
  RTCRtpSender: wrtc.RTCRtpSender,
  RTCRtpReceiver: wrtc.RTCRtpReceiver,
  RTCRtpTransceiver: wrtc.RTCRtpTransceiver,
});

export const mediaSecret = 'test-media-ticket-secret-of-32-characters!';
const sign = ticketSigner(mediaSecret);

export function ticketFor(role: Role, venue: Venue, overrides: Partial<MediaTicket> = {}): string {
  const permissions = mediaPermissions(role, venue) ?? { publish: false, consume: false, hidden: false };
  return sign({
    sub: randomUUID(),
    role,
    name: `${role}-${venue.split(':').at(-1)}`,
    venue,
    wholeRoom: role === 'supervisor',
    ...permissions,
    ...overrides,
  });
}

/** A participant with synthetic camera and microphone (when it publishes) and counting sinks. */
export class SimulatedParticipant {
  readonly client: MediaClient;
  /** Decoded video frames and audio chunks received, by remote producer id. */
  readonly frames = new Map<string, number>();
  readonly #stops: (() => void)[] = [];

  constructor(url: string, ticket: string, venue: Venue) {
    this.client = new MediaClient({ url, ticket, venue, handlerName: 'Chrome111' });
    this.client.onTrack((remote) => this.#sink(remote));
  }

  #sink(remote: RemoteTrack): void {
    const id = remote.producer.producerId;
    this.frames.set(id, 0);
    const count = () => this.frames.set(id, (this.frames.get(id) ?? 0) + 1);
    if (remote.track.kind === 'video') {
      const sink = new wrtc.nonstandard.RTCVideoSink(remote.track as never);
      sink.onframe = count;
      this.#stops.push(() => sink.stop());
    } else {
      const sink = new wrtc.nonstandard.RTCAudioSink(remote.track as never);
      sink.ondata = count;
      this.#stops.push(() => sink.stop());
    }
  }

  async start(): Promise<this> {
    await this.client.connect();
    await this.client.join();
    return this;
  }

  /** Publishes a moving grey picture at 15 fps and a 440 Hz tone. */
  async publishCameraAndMicrophone(): Promise<void> {
    const video = new wrtc.nonstandard.RTCVideoSource();
    const videoTrack = video.createTrack();
    const width = 320;
    const height = 240;
    const frame = new Uint8Array(width * height * 1.5);
    let n = 0;
    const videoTimer = setInterval(() => {
      frame.fill(n++ % 200);
      video.onFrame({ width, height, data: frame });
    }, 66);
    const audio = new wrtc.nonstandard.RTCAudioSource();
    const audioTrack = audio.createTrack();
    const samples = new Int16Array(480);
    let t = 0;
    const audioTimer = setInterval(() => {
      for (let i = 0; i < samples.length; i++)
        samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * t++) / 48000));
      audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
    }, 10);
    this.#stops.push(() => {
      clearInterval(videoTimer);
      clearInterval(audioTimer);
      videoTrack.stop();
      audioTrack.stop();
    });
    await this.client.publish(videoTrack as unknown as MediaStreamTrack, 'camera');
    await this.client.publish(audioTrack as unknown as MediaStreamTrack, 'microphone');
  }

  /** Frames received from each remote track whose owner is named `peerName`, by kind. */
  receivedFrom(peerName: string): { video: number; audio: number } {
    const result = { video: 0, audio: 0 };
    for (const remote of this.client.remote.values()) {
      if (remote.producer.peerName !== peerName) continue;
      result[remote.producer.kind] += this.frames.get(remote.producer.producerId) ?? 0;
    }
    return result;
  }

  close(): void {
    for (const stop of this.#stops) stop();
    this.client.close();
  }
}

/** The recording files an SFU is writing now in `dir` (each segment has a file of its own). */
export function recordingsInProgress(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.webm.part'))
    .map((entry) => entry.name);
}

/**
 * Whether the SFU recording into `dir` is writing a segment with frames in it now (a WebM cluster, not
 * only the headers), other than the ones in `besides` (segments that were ending already). ffmpeg writes
 * nothing until it has analysed its input (seconds, and longer on a loaded machine): a step that ends a
 * segment (a cut, a mute, a leave) waits for this, or the segment ends without a frame and is rightly not
 * kept.
 */
export function recordingHasFrames(dir: string, besides: readonly string[] = []): boolean {
  const cluster = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);
  return recordingsInProgress(dir)
    .filter((name) => !besides.includes(name))
    .some((name) => {
      try {
        return readFileSync(join(dir, name)).includes(cluster);
      } catch {
        return false; // finished and renamed meanwhile
      }
    });
}
