/**
 * The SFU process: `node sfu/src/main.ts` (one per city). Configured from the environment (config.ts
 * lists the variables); prints one JSON line `{"listening": "<url>"}` once ready, and closes cleanly on
 * SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { ConfigError } from '@bidhall/shared/env';
import { loadSfuConfig, type SfuConfig } from './config.ts';
import { startSfu } from './service.ts';
import { recordingReporter, segmentUploader } from './upload.ts';

let config: SfuConfig;
try {
  config = loadSfuConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : String(error));
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
if (config.caFiles.length)
  setDefaultCACertificates([
    ...getCACertificates('default'),
    ...config.caFiles.map((file) => readFileSync(file, 'utf8')),
  ]);
const { serverUrl, secret, name } = config;
if (!serverUrl) log.warn({}, 'BIDHALL_URL is not set: this SFU records nothing');
const sfu = await startSfu({
  name,
  host: config.host,
  ...(config.tls
    ? { tls: { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } }
    : {}),
  port: config.port,
  ticketSecret: secret,
  workers: config.workers,
  listenIp: config.listenIp,
  ...(config.announcedAddress ? { announcedAddress: config.announcedAddress } : {}),
  ...(config.rtcMinPort ? { rtcMinPort: config.rtcMinPort } : {}),
  ...(config.rtcMaxPort ? { rtcMaxPort: config.rtcMaxPort } : {}),
  ...(serverUrl
    ? {
        recording: {
          dir: config.recordingsDir,
          segmentSeconds: config.recordingSegmentSeconds,
          deliver: segmentUploader({ serverUrl, secret, recordedBy: name }),
          onVenueRecording: recordingReporter({ serverUrl, secret, recordedBy: name, log }),
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
