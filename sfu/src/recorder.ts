/**
 * Recording: every participant who publishes in a venue is recorded, audio and video together,
 * into WebM segments. mediasoup sends plain RTP over a PlainTransport per track to a Debian `ffmpeg`
 * that copies it into WebM without transcoding (VP8 + Opus are WebM's own codecs), so a recorder costs
 * little CPU.
 *
 * A segment ends when the participant's tracks change (published, paused, resumed or gone), every
 * `segmentSeconds`, when the room's worker dies, or when the SFU closes; ffmpeg is then sent `q` so it
 * writes the WebM cues and duration. The finished file's SHA-256 is computed here and the segment handed
 * to `deliver`, which owns the file from then on (the main server stores it and chains the hash into the
 * audit log). A segment that could not be delivered stays in the recordings folder, never deleted.
 *
 * Only tracks published on this SFU are recorded: a cascaded track is recorded by the SFU of its city.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SegmentDescription, Venue } from '@bidhall/shared';
import type { types } from 'mediasoup';
import type { ProducerEntry, Room } from './room.ts';

/** A finished segment as the recorder hands it on: its description (times as dates) and its file. */
export interface RecordedSegment extends Omit<SegmentDescription, 'startedAt' | 'endedAt' | 'recordedBy'> {
  readonly startedAt: Date;
  readonly endedAt: Date;
  /** The finished WebM, in the recordings folder until delivered. */
  readonly file: string;
}

export interface RecorderOptions {
  readonly dir: string;
  readonly segmentSeconds: number;
  readonly ffmpegPath?: string;
  /** Takes the finished segment; the file is removed once this resolves (a rejection keeps it). */
  readonly deliver: (segment: RecordedSegment) => Promise<void>;
  /**
   * Told when a venue starts or stops being recorded (someone's segment runs in it, or nobody's): the
   * server alarms the host and the supervisors when an opening runs unrecorded. Best effort: the
   * segments themselves are what is kept.
   */
  readonly onVenueRecording?: (venue: Venue, recording: boolean) => void;
  readonly log: {
    warn(object: object, message: string): void;
    error(object: object, message: string): void;
  };
}

/** ffmpeg ends a segment by itself after this long without RTP. */
const silenceSeconds = 3;
/** How long ffmpeg may take, beyond the silence timeout, to write the end of a file it was asked to finish. */
const finishGraceSeconds = 30;
/** Key frames asked for at the start of a segment, one a second, until ffmpeg has had time to see one. */
const keyFrameAsks = 10;

/** How long a new segment waits for a camera's top simulcast layer before it records what there is. */
const topLayerWaitMs = 3000;
/**
 * A segment begun without the top layer watches for it this long: when it arrives the segment is cut and a
 * new one begins at the full size (a file keeps the size of its first key frame).
 */
const topLayerWatchMs = 60_000;

/** Whether every simulcast video producer among `producers` sends all its layers now. */
async function allLayersFlowing(producers: readonly types.Producer[]): Promise<boolean> {
  for (const producer of producers) {
    const layers = producer.rtpParameters.encodings?.length ?? 1;
    if (producer.kind !== 'video' || layers < 2 || producer.closed) continue;
    const flowing = (await producer.getStats()).filter((s) => s.bitrate > 0).length;
    if (flowing < layers) return false;
  }
  return true;
}

/**
 * Resolves true once every simulcast video producer sends all its layers, or false after `timeoutMs` (a
 * publisher on a weak link may never send the top one: then the recording takes what there is).
 */
async function topLayersSent(producers: readonly types.Producer[], timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await allLayersFlowing(producers)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return allLayersFlowing(producers);
}

/** Ports ffmpeg listens on: an even RTP port and the next one for RTCP, per track. */
const ports = { next: 0, inUse: new Set<number>() };
const firstPort = 41000;
const lastPort = 48998;

async function udpFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

async function reservePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (ports.next === 0) ports.next = firstPort + 2 * Math.floor(Math.random() * 1000);
    const port = ports.next;
    ports.next = port + 2 > lastPort ? firstPort : port + 2;
    if (ports.inUse.has(port)) continue;
    if ((await udpFree(port)) && (await udpFree(port + 1))) {
      ports.inUse.add(port);
      return port;
    }
  }
  throw new Error('no free UDP port pair for a recording');
}

/** Waits until something listens on UDP `port` (ffmpeg, once it has read the SDP). */
async function udpBound(port: number, timeoutMs: number): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const table = await readFile('/proc/net/udp', 'utf8').catch(() => null);
    if (table === null) {
      // Not Linux: give ffmpeg the time it needs here to open its sockets.
      await new Promise((resolve) => setTimeout(resolve, 500));
      return true;
    }
    if (table.includes(hex)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

function sdpFor(tracks: readonly { kind: 'audio' | 'video'; port: number; consumer: types.Consumer }[]) {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=bidhall recording', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const { kind, port, consumer } of tracks) {
    const codec = consumer.rtpParameters.codecs[0];
    if (!codec) throw new Error('consumer without a codec');
    const name = codec.mimeType.split('/')[1];
    const channels = codec.channels ? `/${codec.channels}` : '';
    lines.push(
      `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
      `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
      'a=recvonly',
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface SegmentFiles {
  readonly sdp: string;
  readonly part: string;
  readonly final: string;
  /** What is being recorded, written before ffmpeg starts: lets a restarted SFU recover the segment. */
  readonly journal: string;
}

/** What a segment's journal holds. */
interface Journal
  extends Pick<SegmentDescription, 'id' | 'venue' | 'peerId' | 'peerName' | 'kinds' | 'startedAt'> {
  /** The WebM being written. */
  readonly part: string;
}

/** One participant's tracks going into one WebM file. */
class Segment {
  readonly id = randomUUID();
  readonly startedAt = new Date();
  readonly #transports: types.PlainTransport[] = [];
  readonly #ports: number[] = [];
  #ffmpeg: ChildProcess | null = null;
  #exited: Promise<number | null> = Promise.resolve(null);
  #keyFrames: NodeJS.Timeout | null = null;
  #finishing = false;
  #stderr = '';

  readonly venue: Venue;
  readonly owner: { id: string; name: string };
  readonly entries: readonly ProducerEntry[];
  readonly files: SegmentFiles;

  constructor(
    venue: Venue,
    owner: { id: string; name: string },
    entries: readonly ProducerEntry[],
    files: SegmentFiles,
  ) {
    this.venue = venue;
    this.owner = owner;
    this.entries = entries;
    this.files = files;
  }

  /** `onStopped`: ffmpeg ended by itself (no RTP for a while: tracks paused or gone). */
  async start(router: types.Router, ffmpegPath: string, onStopped: () => void): Promise<void> {
    const tracks: { kind: 'audio' | 'video'; port: number; consumer: types.Consumer }[] = [];
    for (const entry of this.entries) {
      const port = await reservePortPair();
      this.#ports.push(port);
      const transport = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: false,
        comedia: false,
      });
      this.#transports.push(transport);
      const consumer = await transport.consume({
        producerId: entry.info.producerId,
        rtpCapabilities: router.rtpCapabilities,
        paused: true,
      });
      tracks.push({ kind: entry.info.kind, port, consumer });
    }
    const journal: Journal = {
      id: this.id,
      venue: this.venue,
      peerId: this.owner.id,
      peerName: this.owner.name,
      kinds: tracks.map((t) => t.kind),
      startedAt: this.startedAt.toISOString(),
      part: this.files.part,
    };
    await writeFile(this.files.journal, JSON.stringify(journal));
    await writeFile(this.files.sdp, sdpFor(tracks));
    const ffmpeg = spawn(
      ffmpegPath,
      [
        ...['-hide_banner', '-nostats', '-loglevel', process.env.REC_LOGLEVEL ?? 'warning', '-y'],
        // listen_timeout: the input ends (and the file is finalised) once no RTP came for that long, e.g.
        // after the participant left, when ffmpeg would never read the `q` it is sent.
        // analyzeduration: ffmpeg needs a key frame to learn the video's size before it writes anything;
        // on a loaded machine the first one has been seen to take over 3 s to come, and the segment failed.
        ...['-protocol_whitelist', 'file,udp,rtp', '-analyzeduration', '10000000'],
        ...['-listen_timeout', String(silenceSeconds)],
        ...['-i', this.files.sdp, '-map', '0', '-c', 'copy', '-f', 'webm', this.files.part],
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    this.#ffmpeg = ffmpeg;
    ffmpeg.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-2000);
    });
    ffmpeg.stdin?.on('error', () => undefined);
    this.#exited = new Promise((resolve) => {
      ffmpeg.once('exit', (code) => resolve(code));
      ffmpeg.once('error', () => resolve(-1));
    });
    void this.#exited.then(() => {
      if (!this.#finishing) onStopped();
    });
    for (const port of this.#ports) {
      // ffmpeg binds within milliseconds on an idle machine; on a loaded one it has been seen to take
      // over five seconds to start at all, so the wait is generous (it ends as soon as the port is bound).
      if (!(await udpBound(port, 15_000))) throw new Error(`ffmpeg did not listen: ${this.#stderr.trim()}`);
    }
    for (const [index, transport] of this.#transports.entries()) {
      const port = this.#ports[index] as number;
      await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
    }
    for (const { consumer } of tracks) await consumer.resume();
    // A clean start needs a key frame; ask again for a while in case the first answer was lost.
    const video = tracks.filter((t) => t.kind === 'video').map((t) => t.consumer);
    let asks = 0;
    const ask = () => {
      for (const consumer of video) if (!consumer.closed) void consumer.requestKeyFrame().catch(() => {});
      if (++asks >= keyFrameAsks && this.#keyFrames) clearInterval(this.#keyFrames);
    };
    ask();
    this.#keyFrames = setInterval(ask, 1000);
  }

  /** Stops the RTP, lets ffmpeg finalise the file; the finished file's size (0: nothing usable). */
  async finish(): Promise<{ bytes: number; endedAt: Date; killed: boolean }> {
    this.#finishing = true;
    const endedAt = new Date();
    if (this.#keyFrames) clearInterval(this.#keyFrames);
    const ffmpeg = this.#ffmpeg;
    let killed = false;
    if (ffmpeg && ffmpeg.exitCode === null) {
      // ffmpeg reads `q` between packets, so the RTP keeps flowing until it has finished the file; with
      // no RTP it finishes by itself after the silence timeout. A signal would not help: the first one
      // does not interrupt a waiting read, a second one exits without writing the WebM cues.
      ffmpeg.stdin?.end('q');
      // Killing ffmpeg while it writes the trailer leaves a file that does not play (seen on a loaded
      // machine with a 5 s margin): it gets half a minute beyond the silence timeout to finish.
      const kill = setTimeout(
        () => {
          killed = true;
          ffmpeg.kill('SIGKILL');
        },
        (silenceSeconds + finishGraceSeconds) * 1000,
      );
      await this.#exited;
      clearTimeout(kill);
    }
    for (const transport of this.#transports) if (!transport.closed) transport.close();
    for (const port of this.#ports) ports.inUse.delete(port);
    await rm(this.files.sdp, { force: true });
    const bytes = (await holdsMedia(this.files.part))
      ? await stat(this.files.part).then(
          (s) => s.size,
          () => 0,
        )
      : 0;
    if (bytes > 0) await rename(this.files.part, this.files.final);
    else await rm(this.files.part, { force: true });
    return { bytes, endedAt, killed };
  }

  get ffmpegErrors(): string {
    return this.#stderr.trim();
  }
}

/** Records the tracks of one room's participants; attach once per room. */
export class RoomRecorder {
  readonly #room: Room;
  readonly #options: RecorderOptions;
  /** The running segment of each publishing participant, by venue and participant. */
  readonly #segments = new Map<string, Segment>();
  /** Pending restarts (tracks changed), debounced so that camera + microphone land in one segment. */
  readonly #restarts = new Map<string, NodeJS.Timeout>();
  /** One change at a time per participant. */
  readonly #queues = new Map<string, Promise<void>>();
  /** Whose segment each recorded track belongs to, by producer id. */
  readonly #owners = new Map<string, string>();
  readonly #rotation: NodeJS.Timeout;
  #closed = false;
  /** Deliveries in flight, awaited on close. */
  readonly #deliveries = new Set<Promise<void>>();
  /** Whether each venue was last reported as recorded. */
  readonly #reported = new Map<Venue, boolean>();

  constructor(room: Room, options: RecorderOptions) {
    this.#room = room;
    this.#options = options;
    room.on('producer', (entry) => {
      if (!entry.owner) return;
      const key = this.#keyOf(entry);
      this.#owners.set(entry.info.producerId, key);
      // Camera and microphone are published one after the other: wait for both to start one segment.
      this.#schedule(key, 1000);
    });
    room.on('producerclosed', (producerId) => {
      const key = this.#owners.get(producerId);
      if (key === undefined) return;
      this.#owners.delete(producerId);
      this.#schedule(key, 0);
    });
    // A paused track sends nothing: the segment is cut to what still flows, and resumes with it.
    room.on('producerpaused', (producerId) => {
      const key = this.#owners.get(producerId);
      if (key !== undefined) this.#schedule(key, 300);
    });
    room.on('reset', () => {
      for (const key of this.#segments.keys()) this.#schedule(key, 0);
    });
    this.#rotation = setInterval(() => {
      for (const [key, segment] of this.#segments) {
        if (Date.now() - segment.startedAt.getTime() >= options.segmentSeconds * 1000) this.#schedule(key, 0);
      }
    }, 1000);
    this.#rotation.unref();
  }

  /**
   * Whose segment a track belongs to: a participant's camera and microphone together, a shared screen in
   * a segment of its own (a WebM file holds one video track that players show).
   */
  #keyOf(entry: ProducerEntry): string {
    return `${entry.info.venue}\n${entry.info.peerId}\n${entry.info.source === 'screen' ? 'screen' : 'av'}`;
  }

  #schedule(key: string, delayMs: number): void {
    if (this.#closed) return;
    clearTimeout(this.#restarts.get(key));
    this.#restarts.set(
      key,
      setTimeout(() => {
        this.#restarts.delete(key);
        this.#enqueue(key, () => this.#restart(key));
      }, delayMs),
    );
  }

  #enqueue(key: string, work: () => Promise<void>): Promise<void> {
    const next = (this.#queues.get(key) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      this.#options.log.error({ err: error, key }, 'recording failed');
    });
    this.#queues.set(key, next);
    return next;
  }

  /** Tells `onVenueRecording` when the venue's state differs from what was last told. */
  #report(venue: Venue): void {
    const recording = [...this.#segments.values()].some((segment) => segment.venue === venue);
    if (this.#reported.get(venue) === recording) return;
    this.#reported.set(venue, recording);
    this.#options.onVenueRecording?.(venue, recording);
  }

  /** Ends the participant's current segment (if any) and starts one with the tracks they publish now. */
  async #restart(key: string): Promise<void> {
    const venue = key.split('\n')[0] as Venue;
    try {
      await this.#replace(key);
    } finally {
      // Reported once the change is done, so that a segment replaced by the next one is no gap.
      this.#report(venue);
    }
  }

  async #replace(key: string): Promise<void> {
    const current = this.#segments.get(key);
    if (current) {
      this.#segments.delete(key);
      await this.#end(current);
    }
    if (this.#closed) return;
    const entries = this.#room.producerEntries.filter(
      (entry) =>
        entry.owner && !entry.producer.closed && !entry.producer.paused && this.#keyOf(entry) === key,
    );
    const first = entries[0];
    if (!first?.owner) return;
    // The file takes its picture size from its first key frame: a camera that has only begun may not
    // send its top simulcast layer yet (seen on a loaded machine: a 640×360 camera recorded at 320×180).
    const producers = entries.map((entry) => entry.producer);
    const complete = await topLayersSent(producers, topLayerWaitMs);
    if (this.#closed) return;
    const segment = new Segment(
      first.info.venue,
      { id: first.info.peerId, name: first.info.peerName },
      entries,
      this.#files(),
    );
    this.#segments.set(key, segment);
    if (!complete) void this.#watchTopLayer(key, segment, producers);
    try {
      // ffmpeg stopping by itself (nothing flowed for a while) ends the segment; a new one starts when
      // the tracks flow again (until then each attempt ends empty and is not kept).
      await segment.start(first.router, this.#options.ffmpegPath ?? 'ffmpeg', () =>
        this.#schedule(key, 2000),
      );
    } catch (error) {
      this.#segments.delete(key);
      await segment.finish().catch(() => undefined);
      // An opening and an evaluation are recorded in full: a start that failed (ffmpeg slow to listen on
      // a loaded machine) is tried again while the tracks still flow, not left unrecorded.
      this.#schedule(key, 2000);
      throw error;
    }
  }

  /** Cuts `segment` for a new one once the top layers flow (it began with a lower layer only). */
  async #watchTopLayer(key: string, segment: Segment, producers: readonly types.Producer[]): Promise<void> {
    const until = Date.now() + topLayerWatchMs;
    while (Date.now() < until && !this.#closed && this.#segments.get(key) === segment) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (this.#segments.get(key) !== segment) return;
      if (await allLayersFlowing(producers).catch(() => false)) {
        this.#schedule(key, 0);
        return;
      }
    }
  }

  #files(): SegmentFiles {
    const name = randomUUID();
    const base = join(this.#options.dir, name);
    return {
      sdp: `${base}.sdp`,
      part: `${base}.webm.part`,
      final: `${base}.webm`,
      journal: `${base}.recording.json`,
    };
  }

  async #end(segment: Segment): Promise<void> {
    const { bytes, endedAt, killed } = await segment.finish();
    if (killed)
      this.#options.log.warn(
        { venue: segment.venue, segment: segment.id, ffmpeg: segment.ffmpegErrors },
        'ffmpeg did not finish a recording segment in time and was killed: the file may not play',
      );
    if (bytes === 0) {
      await rm(segment.files.journal, { force: true });
      this.#options.log.warn(
        { venue: segment.venue, ffmpeg: segment.ffmpegErrors },
        'a recording segment ended with nothing recorded',
      );
      return;
    }
    const delivery = (async () => {
      const recorded: RecordedSegment = {
        id: segment.id,
        venue: segment.venue,
        peerId: segment.owner.id,
        peerName: segment.owner.name,
        kinds: segment.entries.map((e) => e.info.kind),
        startedAt: segment.startedAt,
        endedAt,
        bytes,
        sha256: await sha256Of(segment.files.final),
        file: segment.files.final,
      };
      // The outbox has the segment on record now (or the server has it): the journal is done.
      await this.#options.deliver(recorded);
      await rm(segment.files.journal, { force: true });
    })().catch((error: unknown) => {
      this.#options.log.error(
        { err: error, file: segment.files.final },
        'a recording segment could not be delivered; it stays in the recordings folder',
      );
    });
    this.#deliveries.add(delivery);
    await delivery;
    this.#deliveries.delete(delivery);
  }

  /** Segments being recorded now. */
  get recording(): number {
    return this.#segments.size;
  }

  /** Ends every segment and waits for their delivery. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#rotation);
    for (const timer of this.#restarts.values()) clearTimeout(timer);
    this.#restarts.clear();
    await Promise.all(
      [...this.#segments.entries()].map(([key, segment]) =>
        this.#enqueue(key, async () => {
          this.#segments.delete(key);
          await this.#end(segment);
          this.#report(segment.venue);
        }),
      ),
    );
    await Promise.all([...this.#queues.values(), ...this.#deliveries]);
  }
}

export async function prepareRecordingsDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** The WebM Cluster element's id: a file without one has headers but not a single frame. */
const webmCluster = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);

/**
 * Whether a WebM file ffmpeg wrote holds any media: a segment ended a moment after it began (seen:
 * 100 ms, 608 bytes) has its headers and no frame, and does not play. The first cluster follows the
 * headers, within the first few KiB.
 */
async function holdsMedia(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).includes(webmCluster);
  } finally {
    await handle.close();
  }
}

/**
 * Segments an SFU was recording when it stopped without finishing them (a crash, a kill): each journal's
 * partial WebM is remuxed by ffmpeg into a complete file (cues and duration; the partial one still plays
 * up to where it was cut, so it is kept as it is if remuxing fails), hashed and handed to `send`, ending
 * when the file was last written. A journal whose file is gone (finished and handed over) is dropped.
 */
export async function recoverInterrupted(
  dir: string,
  ffmpegPath: string,
  send: (segment: RecordedSegment) => Promise<unknown>,
): Promise<number> {
  let recovered = 0;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.recording.json'))) {
    const journalPath = join(dir, name);
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as Journal;
    const partial = await stat(journal.part).catch(() => null);
    if (partial && partial.size > 0 && (await holdsMedia(journal.part))) {
      const final = journal.part.replace(/\.part$/, '');
      const remuxed = await new Promise<boolean>((resolve) => {
        const ffmpeg = spawn(
          ffmpegPath,
          ['-hide_banner', '-loglevel', 'error', '-y', '-i', journal.part, '-c', 'copy', '-f', 'webm', final],
          { stdio: 'ignore' },
        );
        ffmpeg.once('exit', (code) => resolve(code === 0));
        ffmpeg.once('error', () => resolve(false));
      });
      if (remuxed) await rm(journal.part, { force: true });
      else await rename(journal.part, final);
      const info = await stat(final);
      await send({
        id: journal.id,
        venue: journal.venue,
        peerId: journal.peerId,
        peerName: journal.peerName,
        kinds: journal.kinds,
        startedAt: new Date(journal.startedAt),
        endedAt: partial.mtime,
        bytes: info.size,
        sha256: await sha256Of(final),
        file: final,
      });
      recovered++;
    } else await rm(journal.part, { force: true });
    await rm(journalPath, { force: true });
    await rm(journal.part.replace(/\.webm\.part$/, '.sdp'), { force: true });
  }
  return recovered;
}
