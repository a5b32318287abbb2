/**
 * The SFU process's configuration from the environment, validated once at start-up like the server's:
 * every bad value is reported with its variable's name, what was expected and what was given, and the
 * process starts only when there is none.
 *
 *   MEDIA_TICKET_SECRET   shared with the main server (≥ 32 characters; required)
 *   SFU_NAME              this SFU's city, e.g. beijing (default: local)
 *   SFU_HOST, SFU_PORT    signaling address (default 127.0.0.1, 4443)
 *   SFU_WORKERS           mediasoup workers (default: one per core)
 *   SFU_LISTEN_IP         address media transports listen on (default 127.0.0.1)
 *   SFU_ANNOUNCED_ADDRESS public address announced to clients and other SFUs, behind NAT
 *   SFU_RTC_MIN_PORT, SFU_RTC_MAX_PORT   UDP/TCP port range for media
 *   BIDHALL_URL           the main server, to hand recorded segments to (unset: nothing is recorded)
 *   RECORDINGS_DIR        where segments wait until the server has them (default ./recordings)
 *   RECORDING_SEGMENT_SECONDS            longest segment (default 300)
 *   TLS_CERT_FILE, TLS_KEY_FILE          serve signaling over HTTPS (required unless SFU_HOST is loopback)
 *   TLS_CA_FILES          CAs (PEM, comma-separated) of the TLS certificates of the other SFUs and the
 *                         main server, trusted besides the system's for links and uploads
 */
import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isSecureOrLoopbackUrl } from '@bidhall/shared';
import { type Env, envReader } from '@bidhall/shared/env';

export interface SfuConfig {
  readonly secret: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly workers: number;
  readonly listenIp: string;
  readonly announcedAddress: string | undefined;
  readonly rtcMinPort: number | undefined;
  readonly rtcMaxPort: number | undefined;
  /** The main server recordings go to; undefined: nothing is recorded. */
  readonly serverUrl: string | undefined;
  readonly recordingsDir: string;
  readonly recordingSegmentSeconds: number;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly caFiles: readonly string[];
}

export function loadSfuConfig(env: Env = process.env, options: { checkFiles?: boolean } = {}): SfuConfig {
  const read = envReader(env);
  const { problems, value, integer } = read;
  const secret = value('MEDIA_TICKET_SECRET') ?? '';
  if (secret.length < 32)
    problems.push('MEDIA_TICKET_SECRET: required, at least 32 characters (the main server has the same)');
  const name = value('SFU_NAME') ?? 'local';
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(name))
    problems.push(`SFU_NAME: expected a city name like beijing (a-z, 0-9, -), got "${name}"`);
  const host = value('SFU_HOST') ?? '127.0.0.1';
  const tls = read.tlsFiles();
  // Tickets, SRTP keys of the cascade and recordings cross this signaling: plain HTTP only on loopback.
  if (!tls && !isSecureOrLoopbackUrl(`http://${host.includes(':') ? `[${host}]` : host}`))
    problems.push(
      `SFU_HOST ${host}: an SFU reachable from the network serves HTTPS (set TLS_CERT_FILE and TLS_KEY_FILE)`,
    );
  const serverUrl = read.url('BIDHALL_URL', ['http:', 'https:']);
  if (serverUrl && !isSecureOrLoopbackUrl(serverUrl))
    problems.push(
      `BIDHALL_URL: recordings go to the server over https:// (http:// only on this machine), got "${serverUrl}"`,
    );
  const rtcMin = value('SFU_RTC_MIN_PORT') ? integer('SFU_RTC_MIN_PORT', 0, 1, 65535) : undefined;
  const rtcMax = value('SFU_RTC_MAX_PORT') ? integer('SFU_RTC_MAX_PORT', 0, 1, 65535) : undefined;
  if (rtcMin !== undefined && rtcMax !== undefined && rtcMin > rtcMax)
    problems.push(`SFU_RTC_MIN_PORT ${rtcMin} is above SFU_RTC_MAX_PORT ${rtcMax}`);
  const config: SfuConfig = {
    secret,
    name,
    host,
    port: integer('SFU_PORT', 4443, 0, 65535),
    workers: integer('SFU_WORKERS', availableParallelism(), 1, 256),
    listenIp: value('SFU_LISTEN_IP') ?? '127.0.0.1',
    announcedAddress: value('SFU_ANNOUNCED_ADDRESS'),
    rtcMinPort: rtcMin,
    rtcMaxPort: rtcMax,
    serverUrl,
    recordingsDir: read.path('RECORDINGS_DIR', 'recordings'),
    recordingSegmentSeconds: integer('RECORDING_SEGMENT_SECONDS', 300, 5, 24 * 3600),
    tls,
    caFiles: read.paths('TLS_CA_FILES', []),
  };
  if (options.checkFiles ?? true) {
    const files: [string, string][] = [
      ...(tls
        ? ([
            ['TLS_CERT_FILE', tls.certFile],
            ['TLS_KEY_FILE', tls.keyFile],
          ] as [string, string][])
        : []),
      ...config.caFiles.map((file): [string, string] => ['TLS_CA_FILES', file]),
    ];
    for (const [variable, file] of files) {
      try {
        accessSync(file, constants.R_OK);
      } catch {
        problems.push(`${variable}: cannot read "${file}"`);
      }
    }
  }
  read.done();
  return config;
}
