/**
 * Media benchmarks (`npm run bench -- media`), real mediasoup workers on this machine:
 *
 *  - Consumers per worker at steady CPU: one VP8 stream (ffmpeg's test picture, 640x360, 25 fps,
 *    ~800 kbit/s, sent as plain RTP) consumed N times by SRTP-encrypting transports (what each viewer
 *    costs a worker, without a browser), the packets counted by a UDP sink. Worker CPU from /proc over a
 *    10 s window; loss per consumer = packets missing against what the producer received. Reference, same
 *    run: a plain Node UDP relay (its own process) sending the same packets to N destinations unencrypted
 *    — the least any fan-out costs. mediasoup's own guidance is ~500 consumers per worker core.
 *  - An evaluation room: 9 experts in 3 venues publishing and receiving each other on one worker; how many
 *    such rooms a worker core holds, against the consumers-per-core figure above.
 *  - Hall broadcast: a host (libwebrtc via @roamhq/wrtc, 3 simulcast layers) and N viewers joining
 *    through the SFU's signaling, with the hall spread over 2 workers (pipeToRouter) once a router holds
 *    N/2 viewers; SFU CPU per viewer and frames lost per viewer, against the same viewers all on one router.
 *
 * BENCH_CONSUMERS (default 100,200,300), BENCH_HALL_VIEWERS (default 20). Traffic stays on 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { mediaCodecs } from '../../sfu/src/room.ts';
import { startSfu } from '../../sfu/src/service.ts';
import { cpuSeconds, type Row } from './hall-broadcast.ts';

const windowSeconds = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

/** ffmpeg sending its test picture as VP8 RTP to `port` (RTCP to `rtcpPort`). */
function videoSource(port: number, rtcpPort: number, ssrc: number, payloadType: number): ChildProcess {
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25'],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '800k', '-g', '50'],
      ...['-ssrc', String(ssrc), '-payload_type', String(payloadType), '-f', 'rtp'],
      `rtp://127.0.0.1:${port}?rtcpport=${rtcpPort}&pkt_size=1200`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/** Counts packets arriving per source port. */
async function packetSink() {
  const socket = createSocket('udp4');
  const counts = new Map<number, number>();
  socket.on('message', (_message, remote) => counts.set(remote.port, (counts.get(remote.port) ?? 0) + 1));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  // Bursts of n copies of a packet arrive at once: a small buffer would drop them here, not in the SFU.
  socket.setRecvBufferSize(16 * 1024 * 1024);
  return { socket, counts, port: socket.address().port };
}

/** A Node UDP relay in its own process: every packet in is sent to each of `fanOut` ports. */
function nodeRelay(fanOut: number[], sinkPort: number): ChildProcess {
  const code = `
    const dgram = require('node:dgram');
    const ports = ${JSON.stringify(fanOut)};
    const out = dgram.createSocket('udp4');
    const inp = dgram.createSocket('udp4');
    out.bind(0, '127.0.0.1');
    inp.on('message', (m) => { for (const p of ports) out.send(m, ${sinkPort}, '127.0.0.1'); });
    inp.bind(0, '127.0.0.1', () => process.stdout.write(String(inp.address().port) + '\\n'));`;
  return spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Returns the consumers one worker core carries at the largest load measured. */
async function consumersPerWorker(rows: Row[], counts: number[]): Promise<number> {
  let perCore = 0;
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({ mediaCodecs });
  const sink = await packetSink();
  // ffmpeg sends RTCP from another socket than RTP: separate ports, or comedia would latch onto RTCP's.
  const ingress = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: false,
    comedia: true,
  });
  const ssrc = 22_222_222;
  const producer = await ingress.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
      encodings: [{ ssrc }],
    },
  });
  const source = videoSource(ingress.tuple.localPort, ingress.rtcpTuple!.localPort, ssrc, 101);
  const producerPackets = async () =>
    (await producer.getStats()).reduce((sum, s) => sum + (s.packetCount ?? 0), 0);
  try {
    await sleep(2000);
    const transports: types.PlainTransport[] = [];
    for (const n of counts) {
      while (transports.length < n) {
        const transport = await router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
          rtcpMux: true,
          comedia: false,
          enableSrtp: true,
        });
        await transport.connect({
          ip: '127.0.0.1',
          port: sink.port,
          srtpParameters: transport.srtpParameters!,
        });
        await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
        transports.push(transport);
      }
      await sleep(3000);
      const ports = transports.map((t) => t.tuple.localPort);
      const sentBefore = await producerPackets();
      const before = new Map(ports.map((p) => [p, sink.counts.get(p) ?? 0]));
      const cpuBefore = cpuSeconds(worker.pid);
      await sleep(windowSeconds * 1000);
      const cpu = (cpuSeconds(worker.pid) - cpuBefore) / windowSeconds;
      const sent = (await producerPackets()) - sentBefore;
      const losses = ports.map((p) => 1 - ((sink.counts.get(p) ?? 0) - before.get(p)!) / sent);
      const worstLoss = Math.max(0, ...losses);
      const meanLoss = Math.max(0, losses.reduce((a, b) => a + b, 0) / losses.length);

      // The reference: the same packets fanned out n times by plain Node, in its own process.
      const relay = nodeRelay(ports, sink.port);
      const [line] = (await once(relay.stdout!, 'data')) as [Buffer];
      const relayIn = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
      });
      await relayIn.connect({ ip: '127.0.0.1', port: Number(String(line).trim()) });
      await relayIn.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      await sleep(2000);
      const relayBefore = cpuSeconds(relay.pid!);
      await sleep(windowSeconds * 1000);
      const relayCpu = (cpuSeconds(relay.pid!) - relayBefore) / windowSeconds;
      relay.kill();
      relayIn.close();

      rows.push({
        name: `SFU ${n} consumers, 1 worker (SRTP, ${Math.round(sent / windowSeconds)} pkt/s in)`,
        bidhall: `${percent(cpu)} CPU, loss ${percent(meanLoss)} (≤ ${percent(worstLoss)})`,
        reference: `${percent(relayCpu)} plain Node UDP relay`,
        ratio: (cpu / relayCpu).toFixed(2),
        target: 'report',
      });
      perCore = n / Math.max(cpu, 0.001);
      rows.push({
        name: '  … consumers per worker core at this load',
        bidhall: `${Math.round(n / Math.max(cpu, 0.001))}`,
        reference: '~500 (mediasoup guidance)',
        ratio: (n / Math.max(cpu, 0.001) / 500).toFixed(2),
        target: '≥ 500',
      });
    }
  } finally {
    source.kill();
    sink.socket.close();
    worker.close();
  }
  return perCore;
}

async function hallBroadcast(rows: Row[], viewers: number): Promise<void> {
  // Loaded only here: it installs libwebrtc's globals for mediasoup-client.
  const { SimulatedParticipant, ticketFor, mediaSecret } = await import('../support/media.ts');
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const measure = async (perRouter: number) => {
    const sfu = await startSfu({
      host: '127.0.0.1',
      port: 0,
      ticketSecret: mediaSecret,
      workers: 2,
      listenIp: '127.0.0.1',
      consumersPerRouter: perRouter,
      log: quiet,
    });
    const hall = `hall:${randomUUID()}`;
    const people: InstanceType<typeof SimulatedParticipant>[] = [];
    try {
      const host = await new SimulatedParticipant(
        sfu.url,
        ticketFor('host', hall, { name: 'host' }),
        hall,
      ).start();
      people.push(host);
      await host.publishCameraAndMicrophone();
      for (let i = 0; i < viewers; i++) {
        const viewer = new SimulatedParticipant(sfu.url, ticketFor('bidder', hall, { name: `b${i}` }), hall);
        people.push(viewer);
        await viewer.start();
      }
      await sleep(5000);
      const pids = sfu.pool.workers.map((w) => w.pid);
      const frames = () => people.slice(1).map((p) => p.receivedFrom('host').video);
      const framesBefore = frames();
      const cpuBefore = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
      await sleep(windowSeconds * 1000);
      const cpu = (pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - cpuBefore) / windowSeconds;
      const got = frames().map((f, i) => f - framesBefore[i]!);
      // The host sends 15 frames per second.
      const expected = 15 * windowSeconds;
      const loss = got.map((g) => Math.max(0, 1 - g / expected));
      return { cpu, worstLoss: Math.max(...loss), meanLoss: loss.reduce((a, b) => a + b, 0) / loss.length };
    } finally {
      for (const person of people) person.close();
      await sfu.close();
    }
  };
  // A viewer counts 2 towards a router's load when it joins and 4 once it consumes audio and video:
  // twice the viewers per router puts about half of them on each worker.
  const spread = await measure(viewers * 2);
  const single = await measure(100_000);
  rows.push({
    name: `hall broadcast to ${viewers} viewers over 2 workers`,
    bidhall: `${percent(spread.cpu / viewers)} CPU/viewer, loss ${percent(spread.meanLoss)} (≤ ${percent(spread.worstLoss)})`,
    reference: `${percent(single.cpu / viewers)}/viewer on 1 router`,
    ratio: (spread.cpu / single.cpu).toFixed(2),
    target: 'report',
  });
}

/**
 * One evaluation room: 9 experts, 3 in each of a main venue and two sub venues (one room on one worker),
 * each publishing camera and microphone and receiving everyone else's. Worker CPU over the window, the
 * producers and consumers it carries, frames lost; against the consumers-per-core figure measured in the
 * same run, how many such rooms one worker core holds.
 */
async function evaluationRoom(rows: Row[], consumersPerCore: number): Promise<void> {
  const { SimulatedParticipant, ticketFor, mediaSecret } = await import('../support/media.ts');
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const sfu = await startSfu({
    host: '127.0.0.1',
    port: 0,
    ticketSecret: mediaSecret,
    workers: 1,
    listenIp: '127.0.0.1',
    log: quiet,
  });
  const evaluation = randomUUID();
  const venues = [
    `eval:${evaluation}:main`,
    `eval:${evaluation}:sub:shanghai`,
    `eval:${evaluation}:sub:guangzhou`,
  ] as const;
  const experts: InstanceType<typeof SimulatedParticipant>[] = [];
  try {
    for (let i = 0; i < 9; i++) {
      const venue = venues[i % 3]!;
      const expert = new SimulatedParticipant(sfu.url, ticketFor('expert', venue, { name: `e${i}` }), venue);
      experts.push(expert);
      await expert.start();
      await expert.publishCameraAndMicrophone();
    }
    await sleep(5000);
    const pid = sfu.pool.workers[0]!.pid;
    const frames = () =>
      experts.map((e, i) => experts.map((_, j) => (i === j ? 0 : e.receivedFrom(`e${j}`).video)));
    const before = frames();
    const cpuBefore = cpuSeconds(pid);
    await sleep(windowSeconds * 1000);
    const cpu = (cpuSeconds(pid) - cpuBefore) / windowSeconds;
    const after = frames();
    // Each expert sends 15 frames per second; every other expert should receive them all.
    const expected = 15 * windowSeconds;
    const losses = after.flatMap((row, i) =>
      row.flatMap((count, j) => (i === j ? [] : [Math.max(0, 1 - (count - before[i]![j]!) / expected)])),
    );
    const consumers = 9 * 8 * 2;
    const roomsPerCore = 1 / Math.max(cpu, 0.0001);
    const predicted = consumersPerCore / consumers;
    rows.push({
      name: 'evaluation room: 9 experts in 3 venues, 1 worker (18 producers, 144 consumers)',
      bidhall: `${percent(cpu)} CPU, loss ${percent(losses.reduce((a, b) => a + b, 0) / losses.length)} (≤ ${percent(Math.max(...losses))})`,
      reference: `${Math.round(consumersPerCore)} consumers/core measured above`,
      ratio: (roomsPerCore / Math.max(predicted, 0.0001)).toFixed(2),
      target: 'report',
    });
    rows.push({
      name: '  … such rooms per worker core',
      bidhall: `${roomsPerCore.toFixed(1)}`,
      reference: `${predicted.toFixed(1)} from consumers/core ÷ 144`,
      ratio: (roomsPerCore / Math.max(predicted, 0.0001)).toFixed(2),
      target: 'report',
    });
  } finally {
    for (const expert of experts) expert.close();
    await sfu.close();
  }
}

export async function benchMedia(rows: Row[]): Promise<void> {
  const counts = (process.env.BENCH_CONSUMERS ?? '100,200,300').split(',').map(Number);
  const perCore = await consumersPerWorker(rows, counts);
  await hallBroadcast(rows, Number(process.env.BENCH_HALL_VIEWERS ?? 20));
  await evaluationRoom(rows, perCore);
}
