/**
 * The SFU with real mediasoup workers and simulated participants (libwebrtc through @roamhq/wrtc):
 * experts in a main and a sub venue see and hear each other, a supervisor receives everything unseen,
 * bidders only watch the hall, bad requests are refused with codes, and a killed worker is replaced
 * with everyone back within seconds.
 */
import { randomUUID } from 'node:crypto';
import { MediaClient } from '@bidhall/shared/media-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaSecret, SimulatedParticipant, ticketFor } from '../../tests/support/media.ts';
import { type Sfu, startSfu } from './service.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let sfu: Sfu;
const participants: SimulatedParticipant[] = [];
const evaluation = randomUUID();
const main = `eval:${evaluation}:main`;
const sub = `eval:${evaluation}:sub:shanghai`;
const hall = `hall:${randomUUID()}`;

async function join(role: Parameters<typeof ticketFor>[0], venue: string, name: string) {
  const participant = new SimulatedParticipant(sfu.url, ticketFor(role, venue, { name }), venue);
  participants.push(participant);
  return participant.start();
}

/** A request as any client could send it, bypassing the typed client. */
function raw(client: MediaClient, event: string, payload: unknown): Promise<unknown> {
  const socket = client.socket as unknown as {
    timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<unknown> };
  };
  return socket.timeout(5000).emitWithAck(event, payload);
}

beforeAll(async () => {
  sfu = await startSfu({
    host: '127.0.0.1',
    port: 0,
    ticketSecret: mediaSecret,
    workers: 2,
    listenIp: '127.0.0.1',
    consumerResumeTimeoutMs: 1500,
    log: quiet,
  });
});

afterAll(async () => {
  for (const participant of participants) participant.close();
  await sfu?.close();
});

describe('an evaluation across a main and a sub venue', () => {
  it('lets experts see and hear each other, and a hidden supervisor receive all of it', async () => {
    const expertMain = await join('expert', main, '张专家');
    const expertSub = await join('expert', sub, '李专家');
    const supervisor = await join('supervisor', main, '监督');
    await expertMain.publishCameraAndMicrophone();
    await expertSub.publishCameraAndMicrophone();
    await expect
      .poll(() => [expertMain.receivedFrom('李专家'), expertSub.receivedFrom('张专家')], { timeout: 20_000 })
      .toSatisfy((got: { video: number; audio: number }[]) => got.every((g) => g.video > 10 && g.audio > 10));
    await expect
      .poll(() => [supervisor.receivedFrom('张专家'), supervisor.receivedFrom('李专家')], { timeout: 20_000 })
      .toSatisfy((got: { video: number; audio: number }[]) => got.every((g) => g.video > 10 && g.audio > 10));
    // Nobody is told about the supervisor: it publishes nothing and presence is never announced.
    for (const expert of [expertMain, expertSub])
      expect([...expert.client.remote.values()].map((r) => r.producer.peerName)).not.toContain('监督');
    // The two venues have their own routers, on the pool's two workers.
    const room = sfu.rooms.get(`eval:${evaluation}`)!;
    expect(sfu.pool.workers.filter((worker) => room.usesWorker(worker))).toHaveLength(2);
  });

  it('brings everyone back within seconds after a worker is killed mid-session', async () => {
    const [expertMain, expertSub] = participants;
    const room = sfu.rooms.get(`eval:${evaluation}`)!;
    const victim = sfu.pool.workers.find((worker) => room.usesWorker(worker))!;
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    await expect.poll(() => expertMain!.client.rejoins, { timeout: 10_000 }).toBeGreaterThan(0);
    const before = expertMain!.receivedFrom('李专家').video;
    await expect
      .poll(() => [expertMain!.receivedFrom('李专家'), expertSub!.receivedFrom('张专家')], {
        timeout: 20_000,
      })
      .toSatisfy((got: { video: number }[]) => got.every((g) => g.video > 10));
    expect(before).toBe(0);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(sfu.pool.workers.every((worker) => !worker.closed)).toBe(true);
  });
});

describe('what a bidder may do', () => {
  it('watches the hall the host publishes, and cannot publish, nor join or watch an evaluation', async () => {
    const host = await join('host', hall, '主持人');
    await host.publishCameraAndMicrophone();
    const bidder = await join('bidder', hall, '');
    await expect.poll(() => bidder.receivedFrom('主持人').video, { timeout: 20_000 }).toBeGreaterThan(10);
    await expect(
      bidder.client.request('media:create-transport', { direction: 'send' }),
    ).rejects.toMatchObject({
      code: 'MEDIA_FORBIDDEN',
    });
    await expect(bidder.client.request('media:join', { venue: main })).rejects.toMatchObject({
      code: 'MEDIA_FORBIDDEN',
    });
    // A producer of the evaluation, as an expert there sees it.
    const evaluationProducer = [...participants[1]!.client.remote.values()][0]!.producer.producerId;
    await expect(
      bidder.client.request('media:consume', {
        transportId: 'x',
        producerId: evaluationProducer,
        rtpCapabilities: {},
      }),
    ).rejects.toMatchObject({ code: 'MEDIA_UNKNOWN_ID' });
    expect(bidder.client.remote.size).toBe(2);
  });
});

describe('a hall with more viewers than one router takes', () => {
  it('spreads the viewers over routers on both workers, fed by pipes, and every viewer gets the picture', async () => {
    const small = await startSfu({
      host: '127.0.0.1',
      port: 0,
      ticketSecret: mediaSecret,
      workers: 2,
      listenIp: '127.0.0.1',
      // Each viewer counts 2 while joining and 4 once watching: two viewers fill a router.
      consumersPerRouter: 8,
      log: quiet,
    });
    const people: SimulatedParticipant[] = [];
    try {
      const room = `hall:${randomUUID()}`;
      const enter = (role: 'host' | 'bidder', name: string) => {
        const person = new SimulatedParticipant(small.url, ticketFor(role, room, { name }), room);
        people.push(person);
        return person.start();
      };
      const host = await enter('host', '主持人');
      await host.publishCameraAndMicrophone();
      const viewers: SimulatedParticipant[] = [];
      for (let i = 0; i < 4; i++) viewers.push(await enter('bidder', ''));
      await expect
        .poll(() => viewers.map((v) => v.receivedFrom('主持人').video), { timeout: 20_000 })
        .toSatisfy((frames: number[]) => frames.every((f) => f > 10));
      const hall = small.rooms.get(room)!;
      expect(small.pool.workers.filter((worker) => hall.usesWorker(worker))).toHaveLength(2);
    } finally {
      for (const person of people) person.close();
      await small.close();
    }
  });
});

describe('bad requests', () => {
  it('refuses forged tickets, unknown ids, malformed parameters and floods, and the room goes on', async () => {
    const forged = new MediaClient({
      url: sfu.url,
      ticket: 'not.a.ticket',
      venue: hall,
      handlerName: 'Chrome111',
    });
    await expect(forged.connect()).rejects.toMatchObject({ code: 'MEDIA_TICKET_INVALID' });
    forged.close();

    const host = participants.find((p) => p.client.permissions?.publish && p.client.socket.connected)!;
    const request = host.client.request.bind(host.client);
    await expect(
      request('media:connect-transport', { transportId: 'nope', dtlsParameters: {} }),
    ).rejects.toMatchObject({
      code: 'MEDIA_UNKNOWN_ID',
    });
    const transport = await request('media:create-transport', { direction: 'send' });
    await expect(
      request('media:produce', {
        transportId: transport.id,
        kind: 'video',
        rtpParameters: { codecs: 'x' },
        source: 'camera',
      }),
    ).rejects.toMatchObject({ code: 'MEDIA_BAD_PARAMETERS' });
    await expect(raw(host.client, 'media:produce', { transportId: transport.id })).resolves.toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    const flood = await Promise.all(
      Array.from({ length: 100 }, () => raw(host.client, 'media:resume-consumer', { consumerId: 'x' })),
    );
    expect(
      flood.filter((r) => (r as { error?: { code: string } }).error?.code === 'RATE_LIMITED').length,
    ).toBeGreaterThan(0);
    // The hall still flows to its viewer.
    const bidder = participants.find(
      (p) => p.client.permissions && !p.client.permissions.publish && p.receivedFrom('主持人').video > 0,
    )!;
    const seen = bidder.receivedFrom('主持人').video;
    await expect
      .poll(() => bidder.receivedFrom('主持人').video, { timeout: 10_000 })
      .toBeGreaterThan(seen + 10);
  });
});

describe('clients that misbehave', () => {
  /** A client speaking the protocol by hand, as a buggy or hostile one would. */
  async function rawClient(role: Parameters<typeof ticketFor>[0], venue: string) {
    const client = new MediaClient({
      url: sfu.url,
      ticket: ticketFor(role, venue),
      venue,
      handlerName: 'Chrome111',
    });
    await client.connect();
    const joined = (await raw(client, 'media:join', { venue })) as {
      data: { routerRtpCapabilities: object; producers: { producerId: string; kind: string }[] };
    };
    return { client, joined: joined.data };
  }

  it('loses a consumer it never resumes, cannot touch another participant’s transport, and is cut off for an oversized message', async () => {
    const viewer = await rawClient('bidder', hall);
    const other = await rawClient('bidder', hall);
    const video = viewer.joined.producers.find((p) => p.kind === 'video')!;
    const transport = (await raw(viewer.client, 'media:create-transport', { direction: 'recv' })) as {
      data: { id: string };
    };
    const consumed = (await raw(viewer.client, 'media:consume', {
      transportId: transport.data.id,
      producerId: video.producerId,
      rtpCapabilities: viewer.joined.routerRtpCapabilities,
    })) as { ok: boolean; data: { id: string } };
    expect(consumed.ok).toBe(true);
    // Never resumed: gone after the timeout, so resuming it later finds nothing.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await expect(
      raw(viewer.client, 'media:resume-consumer', { consumerId: consumed.data.id }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'MEDIA_UNKNOWN_ID' } });

    // Another participant's transport is not yours to connect or consume on.
    await expect(
      raw(other.client, 'media:connect-transport', { transportId: transport.data.id, dtlsParameters: {} }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'MEDIA_UNKNOWN_ID' } });
    await expect(
      raw(other.client, 'media:consume', {
        transportId: transport.data.id,
        producerId: video.producerId,
        rtpCapabilities: other.joined.routerRtpCapabilities,
      }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'MEDIA_UNKNOWN_ID' } });

    // A message over the 64 KiB cap closes that client's connection, nobody else's.
    const cut = new Promise((resolve) => other.client.socket.once('disconnect', resolve));
    (other.client.socket as unknown as { emit(event: string, payload: unknown): void }).emit(
      'media:produce',
      {
        transportId: 'x',
        rtpParameters: { pad: 'x'.repeat(100_000) },
      },
    );
    await expect(cut).resolves.toBeDefined();
    expect(viewer.client.socket.connected).toBe(true);
    viewer.client.close();
  });
});
