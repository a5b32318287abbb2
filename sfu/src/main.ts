/**
 * The SFU process: `node sfu/src/main.ts` (one per city). Configured from the environment; prints one
 * JSON line `{"listening": "<url>"}` once ready, and closes cleanly on SIGTERM/SIGINT.
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
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { isSecureOrLoopbackUrl } from '@bidhall/shared';
import { startSfu } from './service.ts';
import { segmentUploader } from './upload.ts';

function number(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name}: expected a whole number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const secret = process.env.MEDIA_TICKET_SECRET ?? '';
if (secret.length < 32) {
  console.error('MEDIA_TICKET_SECRET: required, at least 32 characters (the main server has the same)');
  process.exit(2);
}
const log = {
  info: (object: object, message: string) =>
    console.error(JSON.stringify({ level: 'info', message, ...object })),
  warn: (object: object, message: string) =>
    console.error(JSON.stringify({ level: 'warn', message, ...object })),
  error: (object: object, message: string) =>
    console.error(
      JSON.stringify({ level: 'error', message, error: String((object as { err?: unknown }).err ?? '') }),
    ),
};
const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};
const tlsCertFile = process.env.TLS_CERT_FILE;
const tlsKeyFile = process.env.TLS_KEY_FILE;
if (!tlsCertFile !== !tlsKeyFile) fail('TLS_CERT_FILE and TLS_KEY_FILE: set both or neither');
const tlsFiles =
  tlsCertFile && tlsKeyFile ? { cert: readFileSync(tlsCertFile), key: readFileSync(tlsKeyFile) } : null;
const host = process.env.SFU_HOST ?? '127.0.0.1';
// Tickets, SRTP keys of the cascade and recordings cross this signaling: plain HTTP only on loopback.
if (!tlsFiles && !isSecureOrLoopbackUrl(`http://${host.includes(':') ? `[${host}]` : host}`))
  fail(
    `SFU_HOST ${host}: an SFU reachable from the network serves HTTPS (set TLS_CERT_FILE and TLS_KEY_FILE)`,
  );
const caFiles = (process.env.TLS_CA_FILES ?? '')
  .split(',')
  .map((f) => f.trim())
  .filter(Boolean);
if (caFiles.length)
  setDefaultCACertificates([
    ...getCACertificates('default'),
    ...caFiles.map((file) => readFileSync(file, 'utf8')),
  ]);
const announced = process.env.SFU_ANNOUNCED_ADDRESS;
const name = process.env.SFU_NAME ?? 'local';
const serverUrl = process.env.BIDHALL_URL;
if (!serverUrl) log.warn({}, 'BIDHALL_URL is not set: this SFU records nothing');
else if (!isSecureOrLoopbackUrl(serverUrl))
  fail(
    `BIDHALL_URL: recordings go to the server over https:// (http:// only on this machine), got "${serverUrl}"`,
  );
const sfu = await startSfu({
  name,
  host,
  ...(tlsFiles ? { tls: tlsFiles } : {}),
  port: number('SFU_PORT', 4443),
  ticketSecret: secret,
  workers: number('SFU_WORKERS', availableParallelism()),
  listenIp: process.env.SFU_LISTEN_IP ?? '127.0.0.1',
  ...(announced ? { announcedAddress: announced } : {}),
  ...(process.env.SFU_RTC_MIN_PORT ? { rtcMinPort: number('SFU_RTC_MIN_PORT', 0) } : {}),
  ...(process.env.SFU_RTC_MAX_PORT ? { rtcMaxPort: number('SFU_RTC_MAX_PORT', 0) } : {}),
  ...(serverUrl
    ? {
        recording: {
          dir: resolve(process.env.RECORDINGS_DIR ?? 'recordings'),
          segmentSeconds: number('RECORDING_SEGMENT_SECONDS', 300),
          deliver: segmentUploader({ serverUrl, secret, recordedBy: name }),
        },
      }
    : {}),
  log,
});
console.log(JSON.stringify({ listening: sfu.url }));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void sfu.close().then(() => process.exit(0));
  });
}
