/**
 * Live audio/video end to end: the server issues media tickets for an evaluation with a main venue in
 * Beijing and a sub venue in Shanghai, each served by its own SFU (cascaded); experts see and hear each
 * other; both SFUs record and hand their segments to the server, which chains each hash into the audit
 * log; playback serves the WebM with range requests, ffprobe reads the expected duration and codecs,
 * and an altered or deleted segment is reported as such. Real PostgreSQL, mediasoup, ffmpeg.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingReporter, type Sfu, segmentUploader, startSfu } from '@bidhall/sfu';
import type { EvaluationView, MediaTicketResponse, PlaybackView, RecordedRoom } from '@bidhall/shared';
import { segmentUploadSigner } from '@bidhall/shared/tokens';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/src/audit/verify.ts';
import { auditLog, hallEvents } from '../../server/src/db/schema/index.ts';
import { joinHall, prepareOpening } from '../support/hall.ts';
import { SimulatedParticipant } from '../support/media.ts';
import { pkiDir } from '../support/pki.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const quiet = { info: () => undefined, warn: console.warn, error: console.error };
let server: TestServer;
const sfus: Sfu[] = [];
const participants: SimulatedParticipant[] = [];
const work = mkdtempSync(join(tmpdir(), 'bidhall-media-'));
const tokens = new Map<string, string>();
let evaluation: EvaluationView;

async function api<T>(actor: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const response = await server.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens.get(actor)}` },
    ...(payload ? { payload } : {}),
  });
  return { status: response.statusCode, body: response.json<T & { code?: string }>() };
}

async function startCitySfu(city: string): Promise<Sfu> {
  const sfu = await startSfu({
    name: city,
    host: '127.0.0.1',
    port: 0,
    ticketSecret: server.app.mediaSecret,
    workers: 1,
    listenIp: '127.0.0.1',
    recording: {
      dir: join(work, city),
      segmentSeconds: 60,
      deliver: segmentUploader({ serverUrl: server.url, secret: server.app.mediaSecret, recordedBy: city }),
      onVenueRecording: recordingReporter({
        serverUrl: server.url,
        secret: server.app.mediaSecret,
        recordedBy: city,
        log: quiet,
      }),
    },
    log: quiet,
  });
  sfus.push(sfu);
  return sfu;
}

async function enter(actor: string, venue: string): Promise<SimulatedParticipant> {
  const { status, body } = await api<MediaTicketResponse>(actor, 'POST', '/api/media/tickets', { venue });
  expect(status, JSON.stringify(body)).toBe(200);
  const participant = new SimulatedParticipant(body.url, body.ticket, venue);
  participants.push(participant);
  return participant.start();
}

beforeAll(async () => {
  server = await startTestServer({ listen: true });
  for (const [actor, role] of [
    ['host', 'host'],
    ['expert1', 'expert'],
    ['expert2', 'expert'],
    ['supervisor', 'supervisor'],
    ['bidder1', 'bidder'],
  ] as const)
    tokens.set(actor, (await server.login(actor, role)).token);
  const beijing = await startCitySfu('beijing');
  const shanghai = await startCitySfu('shanghai');
  server.app.media.useSfus([
    { city: 'beijing', url: beijing.url },
    { city: 'shanghai', url: shanghai.url },
  ]);
});

afterAll(async () => {
  for (const participant of participants) participant.close();
  for (const sfu of sfus) await sfu.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('evaluation venues across two cities', () => {
  it('has no hand-picked rooms on an installation with its own PKI: committees are drawn there', async () => {
    // Naming the trust store makes this an installation's own PKI (the dev CA files stand in for it).
    const own = await startTestServer({
      kind: 'pglite',
      env: { TRUSTED_CA_FILES: `${join(pkiDir, 'ca-a', 'ca.pem')},${join(pkiDir, 'ca-b', 'ca.pem')}` },
    });
    try {
      const token = (await own.login('host', 'host')).token;
      const handPicked = await own.app.inject({
        method: 'POST',
        url: '/api/evaluations',
        headers: { authorization: `Bearer ${token}` },
        payload: { title: '评标', mainCity: 'beijing', subCities: [], experts: [] },
      });
      expect(handPicked.statusCode).toBe(404);
      // The rooms themselves (a drawn committee's venues) are still read there.
      const listed = await own.app.inject({
        url: '/api/evaluations',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(listed.statusCode).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('lets a host set up an evaluation and refuses bad set-ups', async () => {
    const expert1 = server.actors.get('expert1')!;
    const expert2 = server.actors.get('expert2')!;
    const bad = await api('host', 'POST', '/api/evaluations', {
      title: '评标',
      mainCity: 'beijing',
      subCities: ['shanghai'],
      experts: [{ expertId: expert1, city: 'guangzhou' }],
    });
    expect([bad.status, bad.body.code]).toEqual([422, 'EVALUATION_INVALID']);
    const notExpert = await api('host', 'POST', '/api/evaluations', {
      title: '评标',
      mainCity: 'beijing',
      subCities: [],
      experts: [{ expertId: server.actors.get('host')!, city: 'beijing' }],
    });
    expect(notExpert.body.code).toBe('EVALUATION_INVALID');
    const created = await api<EvaluationView>('host', 'POST', '/api/evaluations', {
      title: '某某医院设备采购项目评标',
      mainCity: 'beijing',
      subCities: ['shanghai'],
      experts: [
        { expertId: expert1, city: 'beijing' },
        { expertId: expert2, city: 'shanghai' },
      ],
    });
    expect(created.status).toBe(201);
    evaluation = created.body;
    expect(evaluation.venues.map((v) => [v.venue.split(':').slice(2).join(':'), v.experts.length])).toEqual([
      ['main', 1],
      ['sub:shanghai', 1],
    ]);
    // An expert sees only evaluations they sit in.
    const mine = await api<EvaluationView[]>('expert2', 'GET', '/api/evaluations');
    expect(mine.body.map((e) => e.id)).toEqual([evaluation.id]);
  });

  it('issues tickets only to who belongs in a venue, for the SFU of its city', async () => {
    const [main, sub] = evaluation.venues;
    const forExpert2 = await api<MediaTicketResponse>('expert2', 'POST', '/api/media/tickets', {
      venue: sub!.venue,
    });
    expect(forExpert2.body.url).toBe(sfus[1]!.url);
    const claims = JSON.parse(Buffer.from(forExpert2.body.ticket.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ role: 'expert', publish: true, homeSfu: sfus[0]!.url, venue: sub!.venue });

    const refusals = await Promise.all([
      api('bidder1', 'POST', '/api/media/tickets', { venue: main!.venue }),
      api('expert1', 'POST', '/api/media/tickets', { venue: sub!.venue }),
      api('expert1', 'POST', '/api/media/tickets', { venue: `eval:${crypto.randomUUID()}:main` }),
      api('expert1', 'POST', '/api/media/tickets', { venue: 'eval:../../etc:main' }),
      api('host', 'POST', '/api/media/tickets', { venue: main!.venue }),
    ]);
    expect(refusals.map((r) => r.body.code)).toEqual([
      'MEDIA_FORBIDDEN',
      'MEDIA_NOT_ASSIGNED',
      'EVALUATION_NOT_FOUND',
      'VALIDATION_FAILED',
      'MEDIA_FORBIDDEN',
    ]);
  });

  it('lets experts join only from their venue’s registered seats when the venue has any', async () => {
    const expert1 = server.actors.get('expert1')!;
    const expert2 = server.actors.get('expert2')!;
    const badNetwork = await api('host', 'POST', '/api/evaluations', {
      title: '评标',
      mainCity: 'beijing',
      subCities: [],
      experts: [{ expertId: expert1, city: 'beijing' }],
      seatNetworks: [{ city: 'beijing', cidr: '10.0.0.300/8' }],
    });
    expect([badNetwork.status, badNetwork.body.code]).toEqual([422, 'EVALUATION_INVALID']);
    const seated = await api<EvaluationView>('host', 'POST', '/api/evaluations', {
      title: '席位限定的评标',
      mainCity: 'beijing',
      subCities: ['shanghai'],
      experts: [
        { expertId: expert1, city: 'beijing' },
        { expertId: expert2, city: 'shanghai' },
      ],
      // Beijing's seats are on a network this test is not on; Shanghai's on loopback, where it is.
      seatNetworks: [
        { city: 'beijing', cidr: '10.20.0.0/16' },
        { city: 'shanghai', cidr: '127.0.0.0/8' },
      ],
    });
    const [main, sub] = seated.body.venues;
    const fromHome = await api('expert1', 'POST', '/api/media/tickets', { venue: main!.venue });
    expect([fromHome.status, fromHome.body.code]).toEqual([403, 'MEDIA_NOT_AT_SEAT']);
    const atSeat = await api<MediaTicketResponse>('expert2', 'POST', '/api/media/tickets', {
      venue: sub!.venue,
    });
    expect(atSeat.status).toBe(200);
    // Supervisors watch from wherever they are.
    const supervisor = await api('supervisor', 'POST', '/api/media/tickets', { venue: main!.venue });
    expect(supervisor.status).toBe(200);
  });

  it('experts in Beijing and Shanghai see and hear each other; the supervisor receives both', async () => {
    const [main, sub] = evaluation.venues;
    const inBeijing = await enter('expert1', main!.venue);
    const inShanghai = await enter('expert2', sub!.venue);
    const supervisor = await enter('supervisor', main!.venue);
    await inBeijing.publishCameraAndMicrophone();
    await inShanghai.publishCameraAndMicrophone();
    const names = { beijing: main!.experts[0]!.name, shanghai: sub!.experts[0]!.name };
    await expect
      .poll(
        () => [
          inBeijing.receivedFrom(names.shanghai),
          inShanghai.receivedFrom(names.beijing),
          supervisor.receivedFrom(names.beijing),
          supervisor.receivedFrom(names.shanghai),
        ],
        { timeout: 25_000 },
      )
      .toSatisfy((got: { video: number; audio: number }[]) => got.every((g) => g.video > 10 && g.audio > 10));
    // Recordings run; Beijing turns the camera off for a while (a segment of sound only), then on again.
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // Long enough for each segment to start on a loaded machine (ffmpeg's start, the first key frame).
    await wait(7000);
    const camera = inBeijing.client.published.find((p) => p.source === 'camera')!.producer;
    await inBeijing.client.setMuted(camera, true);
    await wait(6000);
    await inBeijing.client.setMuted(camera, false);
    await wait(7000);
    for (const participant of participants.splice(0)) participant.close();
  });

  it('records each city on its own SFU, chains every segment hash into the audit log, and plays it back', async () => {
    const room = `eval:${evaluation.id}`;
    let view: PlaybackView = { segments: [], events: [] };
    await expect
      .poll(
        async () => {
          view = (await api<PlaybackView>('supervisor', 'GET', `/api/recordings?room=${room}`)).body;
          return view.segments.length;
        },
        { timeout: 30_000 },
      )
      .toBe(4);
    const place = (venue: string) => venue.split(':').slice(2).join(':');
    // Beijing: camera and microphone, microphone alone while the camera was off, both again; Shanghai: one.
    expect(view.segments.map((s) => [place(s.venue), [...s.kinds].sort().join('+'), s.integrity])).toEqual([
      ['main', 'audio+video', 'intact'],
      ['sub:shanghai', 'audio+video', 'intact'],
      ['main', 'audio', 'intact'],
      ['main', 'audio+video', 'intact'],
    ]);
    expect(view.events.filter((e) => e.action === 'media.segment')).toHaveLength(4);
    const rooms = (await api<RecordedRoom[]>('supervisor', 'GET', '/api/recordings/rooms')).body;
    expect(rooms.map((r) => [r.room, r.label, r.segments])).toEqual([[room, evaluation.title, 4]]);
    // Nothing waits in the SFUs' recording folders once the server has every segment.
    await expect
      .poll(async () => [
        ...(await readdir(join(work, 'beijing'))),
        ...(await readdir(join(work, 'shanghai'))),
      ])
      .toEqual([]);
    expect(view.events.some((e) => e.action === 'evaluation.create')).toBe(true);

    for (const segment of view.segments) {
      // Range request: the start of the file, as a video element asks for it.
      const head = await fetch(`${server.url}${segment.mediaUrl}`, { headers: { range: 'bytes=0-99' } });
      expect([head.status, head.headers.get('content-range')]).toEqual([206, `bytes 0-99/${segment.bytes}`]);
      expect(
        Buffer.from(await head.arrayBuffer())
          .subarray(0, 4)
          .toString('hex'),
      ).toBe('1a45dfa3');
      const whole = await fetch(`${server.url}${segment.mediaUrl}`);
      expect(whole.headers.get('content-type')).toBe('video/webm');
      const file = join(work, `${segment.id}.webm`);
      writeFileSync(file, Buffer.from(await whole.arrayBuffer()));
      const probe = JSON.parse(
        execFileSync(
          'ffprobe',
          ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', file],
          { encoding: 'utf8' },
        ),
      ) as { format: { duration: string }; streams: { codec_name: string }[] };
      const recorded = (Date.parse(segment.endedAt) - Date.parse(segment.startedAt)) / 1000;
      const codecs = { audio: 'opus', video: 'vp8' };
      expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(
        segment.kinds.map((k) => codecs[k]).sort(),
      );
      expect(Number(probe.format.duration)).toBeGreaterThan(2);
      // The file starts at the first video key frame, which a loaded machine can take a few seconds to
      // deliver; beyond that, the file must hold the whole segment (each lasts at least six seconds).
      expect(Math.abs(Number(probe.format.duration) - recorded)).toBeLessThan(4);
    }

    // Without a login or with another segment's link: refused.
    const [first, second] = view.segments;
    const bare = await fetch(`${server.url}${first!.mediaUrl.split('?')[0]}`);
    expect(bare.status).toBe(401);
    const swapped = await fetch(
      `${server.url}${first!.mediaUrl.split('?')[0]}?${second!.mediaUrl.split('?')[1]}`,
    );
    expect(swapped.status).toBe(401);
    expect((await verifyAuditChain(server.database.handle)).ok).toBe(true);
  });

  it('broadcasts the opening hall from the host to a bidder and records it too', async () => {
    // A bidder watches the hall of an opening it has bid in, once check-in is open.
    const { tender } = await prepareOpening(server, work, ['bidder1']);
    const hall = `hall:${tender.id}`;
    const host = await enter('host', hall);
    const bidder = await enter('bidder1', hall);
    await host.publishCameraAndMicrophone();
    await expect
      .poll(
        () => [...bidder.client.remote.values()].map((r) => bidder.frames.get(r.producer.producerId) ?? 0),
        {
          timeout: 20_000,
        },
      )
      .toSatisfy((frames: number[]) => frames.length === 2 && frames.every((f) => f > 10));
    // The bidder may only watch.
    await expect(
      bidder.client.request('media:create-transport', { direction: 'send' }),
    ).rejects.toMatchObject({
      code: 'MEDIA_FORBIDDEN',
    });
    // The SFU tells the server the hall is recorded: announced to the hall and audited.
    const recordingEvents = async () =>
      (await server.app.db.select().from(hallEvents).where(eq(hallEvents.tenderId, tender.id)))
        .filter((e) => e.type === 'recording')
        .map((e) => (e.data as { recording: boolean }).recording);
    await expect.poll(recordingEvents, { timeout: 20_000 }).toEqual([true]);
    const supervisor = await joinHall(server, 'supervisor', 'supervisor', tender.id);
    expect(supervisor.snapshot?.recording?.recording).toBe(true);
    supervisor.close();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const person of [host, bidder]) {
      person.close();
      participants.splice(participants.indexOf(person), 1);
    }
    // The host left: the hall runs unrecorded, which the host and the supervisors are told.
    await expect.poll(recordingEvents, { timeout: 20_000 }).toEqual([true, false]);
    const audited = (
      await server.app.db
        .select({ entry: auditLog.entry })
        .from(auditLog)
        .where(eq(auditLog.tenderId, tender.id))
        .orderBy(asc(auditLog.seq))
    )
      .map((row) => (JSON.parse(row.entry) as { action: string }).action)
      .filter((action) => action.startsWith('media.recording'));
    expect(audited).toEqual(['media.recording-started', 'media.recording-stopped']);
    // Only an SFU can say so: a forged report is refused and changes nothing.
    const forged = await fetch(`${server.url}/api/media/recording-state`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(forged.status).toBe(401);
    expect(await recordingEvents()).toEqual([true, false]);
    await expect
      .poll(
        async () =>
          (await api<PlaybackView>('supervisor', 'GET', `/api/recordings?room=${hall}`)).body.segments.map(
            (s) => [s.venue, [...s.kinds].sort().join('+'), s.integrity],
          ),
        { timeout: 20_000 },
      )
      .toEqual([[hall, 'audio+video', 'intact']]);
  });

  it('shows a modified segment as tampered and a deleted one as missing', async () => {
    const room = `eval:${evaluation.id}`;
    const before = (await api<PlaybackView>('supervisor', 'GET', `/api/recordings?room=${room}`)).body;
    const [altered, removed, ...untouched] = before.segments;
    const path = server.app.recordings.blobs.pathOf(altered!.sha256);
    const bytes = readFileSync(path);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    await unlink(server.app.recordings.blobs.pathOf(removed!.sha256));
    const after = (await api<PlaybackView>('supervisor', 'GET', `/api/recordings?room=${room}`)).body;
    expect(Object.fromEntries(after.segments.map((s) => [s.id, s.integrity]))).toEqual({
      [altered!.id]: 'tampered',
      [removed!.id]: 'missing',
      ...Object.fromEntries(untouched.map((s) => [s.id, 'intact'])),
    });
  });

  it('refuses segment uploads without a valid token or whose bytes differ from their description', async () => {
    const id = crypto.randomUUID();
    const body = Buffer.from('not the declared bytes');
    const description = {
      id,
      venue: evaluation.venues[0]!.venue,
      peerId: 'x',
      peerName: 'x',
      kinds: ['video'],
      startedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
      bytes: body.length,
      sha256: 'a'.repeat(64),
      recordedBy: 'beijing',
    };
    const put = (token: string) =>
      fetch(`${server.url}/api/media/segments/${id}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'video/webm',
          'x-bidhall-segment': Buffer.from(JSON.stringify(description)).toString('base64url'),
        },
        body,
      });
    const forged = await put(
      segmentUploadSigner('another-secret-of-at-least-32-chars!!')({
        recordedBy: 'beijing',
        segment: id,
        sha256: description.sha256,
      }),
    );
    expect([forged.status, (await forged.json()).code]).toEqual([401, 'UNAUTHENTICATED']);
    const mismatch = await put(
      segmentUploadSigner(server.app.mediaSecret)({
        recordedBy: 'beijing',
        segment: id,
        sha256: description.sha256,
      }),
    );
    expect([mismatch.status, (await mismatch.json()).code]).toEqual([422, 'RECORDING_REJECTED']);
    const view = (await api<PlaybackView>('supervisor', 'GET', `/api/recordings?room=eval:${evaluation.id}`))
      .body;
    expect(view.segments.map((s) => s.id)).not.toContain(id);
    expect(await readdir(join(server.app.recordings.blobs.root, 'tmp'))).toEqual([]);
  });
});
