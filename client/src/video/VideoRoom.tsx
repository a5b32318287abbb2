/**
 * The reusable live audio/video module: one venue (the opening hall, or a main or sub evaluation venue).
 * It asks the server for a media ticket, joins the venue's SFU with mediasoup-client, publishes camera
 * and microphone when the ticket allows and the user agrees, and shows every remote participant as a
 * tile with their name, camera state and connection quality. Joining is a click: browsers only play
 * sound after one, and a camera should never switch on by itself.
 *
 * Loaded on demand (React.lazy) so pages without video do not carry mediasoup-client.
 */
import { type MediaTicketResponse, parseVenue, type VenuePlace } from '@bidhall/shared';
import { MediaClient, type RemoteTrack } from '@bidhall/shared/media-client';
import type { types } from 'mediasoup-client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { type LinkQuality, linkQuality } from '../link-quality.ts';
import type { Session } from '../session.ts';
import { venueLabel } from './venue.ts';

interface RemotePeer {
  readonly id: string;
  readonly name: string;
  readonly venue: string;
  /** A participant's shared screen is a tile of its own. */
  readonly screen: boolean;
  video?: RemoteTrack;
  audio?: RemoteTrack;
  videoPaused: boolean;
  audioPaused: boolean;
}

type Status = 'idle' | 'joining' | 'live' | 'reconnecting' | 'failed';

function Tile({
  stream,
  name,
  muted,
  cameraOff,
  micOff,
  quality: level,
  self,
  testId,
}: {
  stream: MediaStream | null;
  name: string;
  muted: boolean;
  cameraOff: boolean;
  micOff: boolean;
  quality: LinkQuality;
  self?: boolean;
  testId: string;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (video && video.srcObject !== stream) video.srcObject = stream;
  }, [stream]);
  return (
    <figure className="tile" data-testid={testId} data-name={name}>
      <video ref={ref} autoPlay playsInline muted={muted} aria-label={name} />
      {cameraOff && <div className="tile-off">{t('cameraOff')}</div>}
      <figcaption>
        <span>
          {name}
          {self ? ` (${t('you')})` : ''}
        </span>
        {micOff && <span className="badge warn">{t('micOff')}</span>}
        {!self && (
          <span className={`quality q-${level}`} title={t('connectionQuality')}>
            {t(`quality_${level}`)}
          </span>
        )}
      </figcaption>
    </figure>
  );
}

/**
 * The tiles by venue, side by side: the venue joined first (where one's own tile is), then the main
 * venue, then the sub venues by city (a hall is one venue).
 */
function groupsOf(venue: string, peers: readonly RemotePeer[]) {
  const others = [...new Set(peers.map((p) => p.venue))]
    .filter((v) => v !== venue)
    .sort((a, b) => Number(!a.endsWith(':main')) - Number(!b.endsWith(':main')) || a.localeCompare(b));
  return [venue, ...others]
    .map((v) => ({ venue: v, peers: peers.filter((p) => p.venue === v) }))
    .filter((g) => g.venue === venue || g.peers.length > 0);
}

export default function VideoRoom({
  session,
  venue,
  title,
  watchOnly = false,
  compact = false,
  autoJoin = false,
  shareScreen = false,
  placeOf,
}: {
  session: Session;
  venue: string;
  title?: string;
  /** Never publish, even where the ticket would allow it (the supervisor's wall). */
  watchOnly?: boolean;
  compact?: boolean;
  /** Join as soon as the page shows the room (the supervisor's wall), not on a click. */
  autoJoin?: boolean;
  /** Offer to publish a share of the screen too (the host's console, recorded with the opening). */
  shareScreen?: boolean;
  /** Where each venue is, as people name it (an evaluation's trading centres). */
  placeOf?: (place: VenuePlace) => string | undefined;
}) {
  const { t, error: describe } = useI18n();
  const [status, setStatus] = useState<Status>('idle');
  const [problem, setProblem] = useState<string | null>(null);
  const [peers, setPeers] = useState<RemotePeer[]>([]);
  const [local, setLocal] = useState<MediaStream | null>(null);
  const [micMuted, setMicMuted] = useState(false);
  const [cameraMuted, setCameraMuted] = useState(false);
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [screen, setScreen] = useState<{ stream: MediaStream; producer: types.Producer } | null>(null);
  const screenRef = useRef<MediaStream | null>(null);
  const [, setTick] = useState(0);
  const client = useRef<MediaClient | null>(null);
  const localRef = useRef<MediaStream | null>(null);
  /** Reconnection after a lost connection: attempts so far and the pending one. */
  const retry = useRef<{ attempts: number; timer?: ReturnType<typeof setTimeout> }>({ attempts: 0 });
  const peerMap = useRef(new Map<string, RemotePeer>());
  const streams = useRef(new Map<string, MediaStream>());

  const refresh = useCallback(() => setPeers([...peerMap.current.values()]), []);

  /** Closes the connection and the camera, and forgets every tile. */
  const teardown = useCallback(() => {
    const media = client.current;
    client.current = null;
    media?.close();
    for (const track of localRef.current?.getTracks() ?? []) track.stop();
    localRef.current = null;
    setLocal(null);
    // A shared screen ends with the connection: the browser asks again before sharing anew.
    for (const track of screenRef.current?.getTracks() ?? []) track.stop();
    screenRef.current = null;
    setScreen(null);
    peerMap.current.clear();
    streams.current.clear();
    refresh();
  }, [refresh]);

  const leave = () => {
    clearTimeout(retry.current.timer);
    retry.current.attempts = 0;
    teardown();
    setStatus('idle');
  };

  useEffect(
    () => () => {
      clearTimeout(retry.current.timer);
      teardown();
    },
    [teardown],
  );
  // Joins when asked to by itself (on showing, or when the stage comes that needs it); once joined or
  // left by the person, it is theirs to decide.
  const autoJoined = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reacts to autoJoin turning on, nothing else
  useEffect(() => {
    if (autoJoin && !autoJoined.current && status === 'idle') {
      autoJoined.current = true;
      void join();
    }
  }, [autoJoin]);
  // Quality and camera state change without React knowing: look again every 2 s while live.
  // A track that could not be received is reported, not silently missing.
  useEffect(() => {
    if (status !== 'live') return;
    let reported = 0;
    const timer = setInterval(() => {
      setTick((n) => n + 1);
      const errors = client.current?.errors ?? [];
      if (errors.length > reported) {
        reported = errors.length;
        setProblem(describe(errors.at(-1)));
      }
    }, 2000);
    return () => clearInterval(timer);
  }, [status, describe]);

  const onTrack = (remote: RemoteTrack) => {
    const screen = remote.producer.source === 'screen';
    const id = `${remote.producer.venue}/${remote.producer.peerId}${screen ? '/screen' : ''}`;
    const peer = peerMap.current.get(id) ?? {
      id,
      name: remote.producer.peerName,
      venue: remote.producer.venue,
      screen,
      videoPaused: false,
      audioPaused: false,
    };
    if (remote.producer.kind === 'video') {
      peer.video = remote;
      peer.videoPaused = remote.producer.paused;
    } else {
      peer.audio = remote;
      peer.audioPaused = remote.producer.paused;
    }
    peerMap.current.set(id, peer);
    streams.current.delete(id);
    refresh();
  };
  const onGone = (producerId: string) => {
    for (const [id, peer] of peerMap.current) {
      if (peer.video?.producer.producerId === producerId) delete peer.video;
      if (peer.audio?.producer.producerId === producerId) delete peer.audio;
      if (!peer.video && !peer.audio) peerMap.current.delete(id);
      streams.current.delete(id);
    }
    refresh();
  };

  /** The connection was lost: join again with growing pauses (1, 2, 4 … 15 s), six times at most. */
  const reconnect = (reason: string) => {
    teardown();
    if (retry.current.attempts >= 6) {
      setProblem(reason);
      setStatus('failed');
      return;
    }
    setProblem(null);
    setStatus('reconnecting');
    const delay = Math.min(15_000, 1000 * 2 ** retry.current.attempts++);
    retry.current.timer = setTimeout(() => void join(), delay);
  };

  const join = async () => {
    if (retry.current.attempts === 0) setStatus('joining');
    setProblem(null);
    try {
      const ticket = await api<MediaTicketResponse>('POST', '/api/media/tickets', {
        token: session.token,
        body: { venue },
      });
      const media = new MediaClient({ url: ticket.url, ticket: ticket.ticket, venue });
      client.current = media;
      media.onTrack(onTrack);
      media.onTrackGone(onGone);
      media.socket.on('media:producer-paused', ({ producerId, paused }) => {
        for (const peer of peerMap.current.values()) {
          if (peer.video?.producer.producerId === producerId) peer.videoPaused = paused;
          if (peer.audio?.producer.producerId === producerId) peer.audioPaused = paused;
        }
        refresh();
      });
      media.socket.on('disconnect', () => {
        if (client.current === media) reconnect(t('videoDisconnected'));
      });
      await media.connect();
      await media.join();
      if (media.permissions?.publish && !watchOnly) await publish(media);
      retry.current.attempts = 0;
      setStatus('live');
    } catch (error) {
      // Refusals (no grant, no seat) will not change by trying again; a lost network may.
      const code = (error as { code?: string }).code;
      const final = code !== undefined && code !== 'MEDIA_UNAVAILABLE' && code !== 'INTERNAL';
      if (retry.current.attempts > 0 && !final) return reconnect(describe(error));
      teardown();
      setProblem(describe(error));
      setStatus('failed');
    }
  };

  const publish = async (media: MediaClient, choice: { camera?: string; microphone?: string } = {}) => {
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: choice.microphone ? { deviceId: { exact: choice.microphone } } : true,
        video: {
          width: { ideal: 640 },
          height: { ideal: 360 },
          ...(choice.camera ? { deviceId: { exact: choice.camera } } : {}),
        },
      });
    } catch (error) {
      // Watching still works without a camera: say why nothing is sent.
      setProblem(`${t('noCamera')} (${(error as Error).name})`);
      return;
    }
    localRef.current = stream;
    setLocal(stream);
    setDevices(await navigator.mediaDevices.enumerateDevices());
    for (const track of stream.getTracks())
      await media.publish(track, track.kind === 'video' ? 'camera' : 'microphone');
  };

  /** Starts or stops sharing the screen; the browser asks which screen or window (it cannot start unasked). */
  const toggleScreen = async () => {
    const media = client.current;
    if (!media) return;
    if (screen) {
      for (const track of screen.stream.getTracks()) track.stop();
      screenRef.current = null;
      setScreen(null);
      await media.unpublish(screen.producer);
      return;
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch {
      setProblem(t('screenNotShared'));
      return;
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    const producer = await media.publish(track, 'screen');
    screenRef.current = stream;
    setScreen({ stream, producer });
    // Ended from the browser's own "stop sharing" bar: unpublished too.
    track.addEventListener('ended', () => {
      screenRef.current = null;
      setScreen(null);
      void media.unpublish(producer).catch(() => undefined);
    });
  };

  const producerOf = (source: 'camera' | 'microphone'): types.Producer | undefined =>
    client.current?.published.find((p) => p.source === source)?.producer;

  const toggle = async (source: 'camera' | 'microphone') => {
    const producer = producerOf(source);
    if (!producer || !client.current) return;
    const muted = !producer.paused;
    await client.current.setMuted(producer, muted);
    if (source === 'camera') setCameraMuted(muted);
    else setMicMuted(muted);
  };

  const switchDevice = async (kind: 'videoinput' | 'audioinput', deviceId: string) => {
    const media = client.current;
    const source = kind === 'videoinput' ? 'camera' : 'microphone';
    const producer = producerOf(source);
    if (!media || !producer) return;
    const fresh = await navigator.mediaDevices.getUserMedia(
      kind === 'videoinput'
        ? { video: { deviceId: { exact: deviceId } } }
        : { audio: { deviceId: { exact: deviceId } } },
    );
    const track = fresh.getTracks()[0];
    if (!track) return;
    const old = producer.track;
    await media.replaceTrack(producer, track);
    old?.stop();
    const next = new MediaStream([...(local?.getTracks().filter((t) => t !== old) ?? []), track]);
    localRef.current = next;
    setLocal(next);
  };

  const streamOf = (peer: RemotePeer): MediaStream => {
    let stream = streams.current.get(peer.id);
    if (!stream) {
      stream = new MediaStream(
        [peer.video?.track, peer.audio?.track].filter((x): x is MediaStreamTrack => !!x),
      );
      streams.current.set(peer.id, stream);
    }
    return stream;
  };

  const isHall = parseVenue(venue)?.kind === 'hall';

  const scoreOf = (peer: RemotePeer) => {
    const id = (peer.video ?? peer.audio)?.consumer.id;
    return id ? client.current?.scores.get(id) : undefined;
  };

  return (
    <section
      className={`card video-room${compact ? ' compact' : ''}`}
      aria-label={title ?? t('liveVideo')}
      data-testid={`venue-${venue}`}
      data-status={status}
    >
      <header className="video-head">
        <h2>{title ?? t('liveVideo')}</h2>
        {status === 'idle' || status === 'failed' ? (
          <button type="button" onClick={() => void join()}>
            {status === 'failed' ? t('videoRetry') : t('videoJoin')}
          </button>
        ) : (
          <button type="button" className="secondary" onClick={leave}>
            {t('videoLeave')}
          </button>
        )}
      </header>
      {status === 'joining' && <p className="muted">{t('videoJoining')}</p>}
      {status === 'reconnecting' && (
        <p className="notice" role="status">
          {t('videoReconnecting')}
        </p>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {status === 'live' && local && (
        <div className="video-controls">
          <button type="button" aria-pressed={micMuted} onClick={() => void toggle('microphone')}>
            {micMuted ? t('unmuteMic') : t('muteMic')}
          </button>
          <button type="button" aria-pressed={cameraMuted} onClick={() => void toggle('camera')}>
            {cameraMuted ? t('cameraOn') : t('cameraOffAction')}
          </button>
          {shareScreen && (
            <button type="button" aria-pressed={screen !== null} onClick={() => void toggleScreen()}>
              {screen ? t('stopScreen') : t('shareScreen')}
            </button>
          )}
          {(['videoinput', 'audioinput'] as const).map((kind) => {
            const options = devices.filter((d) => d.kind === kind);
            if (options.length < 2) return null;
            return (
              <label key={kind}>
                {t(kind === 'videoinput' ? 'chooseCamera' : 'chooseMicrophone')}
                <select onChange={(e) => void switchDevice(kind, e.target.value)}>
                  {options.map((d, i) => (
                    <option key={d.deviceId} value={d.deviceId}>
                      {d.label || `${kind} ${i + 1}`}
                    </option>
                  ))}
                </select>
              </label>
            );
          })}
        </div>
      )}
      {status === 'live' && (
        <div className="venue-groups">
          {groupsOf(venue, peers).map((group) => (
            <div key={group.venue} className="venue-group" data-testid={`group-${group.venue}`}>
              {!isHall && <h3>{venueLabel(group.venue, t, placeOf)}</h3>}
              <div className="tiles">
                {local && group.venue === venue && (
                  <Tile
                    stream={local}
                    name={session.actor.name}
                    muted
                    self
                    cameraOff={cameraMuted}
                    micOff={micMuted}
                    quality="unknown"
                    testId="tile-self"
                  />
                )}
                {screen && group.venue === venue && (
                  <Tile
                    stream={screen.stream}
                    name={`${session.actor.name} · ${t('screenTile')}`}
                    muted
                    self
                    cameraOff={false}
                    micOff={false}
                    quality="unknown"
                    testId="tile-screen"
                  />
                )}
                {group.peers.map((peer) => (
                  <Tile
                    key={peer.id}
                    stream={streamOf(peer)}
                    name={`${peer.name || t('participant')}${peer.screen ? ` · ${t('screenTile')}` : ''}`}
                    muted={false}
                    cameraOff={!peer.video || peer.videoPaused}
                    micOff={!peer.audio || peer.audioPaused}
                    quality={linkQuality(scoreOf(peer))}
                    testId="tile-remote"
                  />
                ))}
              </div>
            </div>
          ))}
          {peers.length === 0 && <p className="muted">{t('nobodyPublishing')}</p>}
        </div>
      )}
    </section>
  );
}
