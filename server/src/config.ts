/**
 * Configuration from the environment, validated once at start-up. Every bad value is reported with its
 * variable name, what was expected and what was given; nothing starts half-configured.
 * Defaults give the embedded set-up (`npm start`): PGlite in ./data, the dev PKI in certs/out.
 */
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultLimits, isSecureOrLoopbackUrl } from '@bidhall/shared';
import { type Env, envReader } from '@bidhall/shared/env';
import type { TrustProxy } from './client-address.ts';

export { ConfigError, redact } from '@bidhall/shared/env';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const devPki = (file: string) => join(repositoryRoot, 'certs', 'out', file);

/** CJK fonts the printed record can embed when RECORD_FONT_FILE names none (Debian's fonts-noto-cjk). */
const recordFontCandidates = [
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { file: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', family: 'NotoSerifCJKsc-Regular' },
];

function installedRecordFont(): Config['recordFont'] {
  return recordFontCandidates.find((font) => {
    try {
      accessSync(font.file, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface Config {
  readonly host: string;
  readonly port: number;
  /** PostgreSQL URL; absent means embedded PGlite under dataDir. */
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly dataDir: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly platformName: string;
  /** The heading of printed documents: the trading centre's name (CENTRE_NAME). */
  readonly centreName: string;
  /** The CJK font the printed record embeds; undefined when none is installed or named. */
  readonly recordFont: { readonly file: string; readonly family?: string } | undefined;
  /** Secret for login tokens; generated into dataDir when absent. */
  readonly tokenSecret: string | undefined;
  readonly tokenTtlMinutes: number;
  /** How often an open hall connection's actor is looked up again (0: on every request). */
  readonly sessionRecheckSeconds: number;
  /** Derives each tender's platform draw seed; generated into dataDir when absent. Same on every process. */
  readonly drawSecret: string | undefined;
  readonly trustedCaFiles: readonly string[];
  readonly crlFiles: readonly string[];
  /** Where each recognised CA puts the holder's identity (a JSON file; default: subject serialNumber). */
  readonly identityRulesFile: string | undefined;
  /** How often CRL files are read again (also on every change of one). */
  readonly crlRefreshSeconds: number;
  readonly receiptCertFile: string;
  readonly receiptKeyFile: string;
  readonly openingCaCertFile: string;
  readonly openingCaKeyFile: string;
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  readonly maxSummaryBytes: number;
  readonly maxDocumentsBytes: number;
  readonly uploadIdleTimeoutSeconds: number;
  /** Uploads one bidder may have in progress at once, per server process. */
  readonly uploadConcurrencyPerBidder: number;
  /** Free disk space the blob store keeps in reserve; uploads that would eat into it are refused. */
  readonly minFreeDiskMb: number;
  /** Which X-Forwarded-For hops to believe (client-address.ts): never all of them. */
  readonly trustProxy: TrustProxy;
  /** Login attempts (challenge + login) per network address per minute. */
  readonly loginRateLimitPerMinute: number;
  /** How often the scheduler looks for steps scheduled by other processes. */
  readonly schedulerPollMs: number;
  /**
   * Worker threads decrypting documents (default: one per core). The main thread mostly waits on the
   * network and the database, so the workers may have every core (measured: 0.69-0.76x the wall time of
   * openssl with two threads on two cores, 0.76-0.95x with one).
   */
  readonly decryptionThreads: number;
  /** How long a documents decryption job may go without renewing its lease before another takes over. */
  readonly decryptionLeaseSeconds: number;
  /** How long a documents decryption that met a platform fault waits before it is tried again. */
  readonly decryptionRetrySeconds: number;
  /** At shutdown, how long running documents decryptions get to finish before they are handed back. */
  readonly decryptionShutdownGraceSeconds: number;
  /** Prefix of the Redis keys and stream bidhall uses (several deployments may share one Redis). */
  readonly redisPrefix: string;
  /** True when the dev PKI defaults are in use (the start command may then generate them). */
  readonly usesDevPki: boolean;
  /** The demo tender and evaluation of `bidhall start` (dev PKI only; DEMO=false turns it off). */
  readonly demo: boolean;
  /**
   * Whether each request is logged (at info). On by default in production and whenever the output is
   * not a terminal (JSON for the log collector); off on a terminal with the development PKI, where
   * `bidhall start` prints a short summary instead (REQUEST_LOGS=true brings them back).
   */
  readonly requestLogs: boolean;
  /** Shared with the SFUs: signs media tickets and authenticates their recording uploads. */
  readonly mediaTicketSecret: string | undefined;
  /** Load shedding: requests get 503 SERVER_BUSY while the event loop lags longer than this. */
  readonly maxEventLoopDelayMs: number;
  /** What the Prometheus scraper sends as its bearer token; unset, /metrics answers this machine only. */
  readonly metricsToken: string | undefined;
  /**
   * The SFU of each city (`SFU_URLS=beijing=https://sfu-bj:4443,shanghai=https://sfu-sh:4443`); the first
   * one also serves the opening halls and any city without its own. Empty: `bidhall start` runs one SFU
   * in its own process (docs/media.md).
   */
  readonly sfus: readonly { readonly city: string; readonly url: string }[];
  /** The in-process SFU (when `sfus` is empty): signaling port (0: the server's own, under /sfu), workers. */
  readonly sfuPort: number;
  readonly sfuWorkers: number;
  readonly sfuListenIp: string;
  readonly sfuAnnouncedAddress: string | undefined;
  /** UDP/TCP ports the in-process SFU's media may use (0: mediasoup's default range). */
  readonly sfuRtcMinPort: number;
  readonly sfuRtcMaxPort: number;
  /** A recording segment ends after this long at most (and whenever a participant's tracks change). */
  readonly recordingSegmentSeconds: number;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env, options: { checkFiles?: boolean } = {}): Config {
  const read = envReader(env);
  const { problems, value, integer, url, path, paths, boolean } = read;

  const logLevel = value('LOG_LEVEL') ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL: expected one of ${logLevels.join(', ')}, got "${logLevel}"`);
  }
  const tokenSecret = value('TOKEN_SECRET');
  if (tokenSecret !== undefined && tokenSecret.length < 32) {
    problems.push('TOKEN_SECRET: must be at least 32 characters (it signs login tokens)');
  }
  const drawSecret = value('DRAW_SECRET');
  if (drawSecret !== undefined && drawSecret.length < 32) {
    problems.push('DRAW_SECRET: must be at least 32 characters (it derives the draw seeds)');
  }
  const pkiVariables = [
    'TRUSTED_CA_FILES',
    'CRL_FILES',
    'RECEIPT_CERT_FILE',
    'RECEIPT_KEY_FILE',
    'OPENING_CA_CERT_FILE',
    'OPENING_CA_KEY_FILE',
  ];
  const usesDevPki = pkiVariables.every((name) => value(name) === undefined);
  const mediaTicketSecret = value('MEDIA_TICKET_SECRET');
  if (mediaTicketSecret !== undefined && mediaTicketSecret.length < 32) {
    problems.push('MEDIA_TICKET_SECRET: must be at least 32 characters (it signs media tickets)');
  }
  const sfus = parseSfuUrls(value('SFU_URLS'), problems);
  if (sfus.length > 0 && mediaTicketSecret === undefined) {
    problems.push('MEDIA_TICKET_SECRET: required with SFU_URLS (the SFU processes need the same secret)');
  }
  const tls = read.tlsFiles();

  const config: Config = {
    host: value('HOST') ?? '127.0.0.1',
    port: integer('PORT', 3000, 0, 65535),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    dataDir: path('DATA_DIR', join(repositoryRoot, 'data')),
    logLevel: logLevel as Config['logLevel'],
    platformName: value('PLATFORM_NAME') ?? 'bidhall',
    centreName: value('CENTRE_NAME') ?? 'bidhall 不见面开标平台',
    recordFont: value('RECORD_FONT_FILE')
      ? { file: resolve(value('RECORD_FONT_FILE')!), family: value('RECORD_FONT_FAMILY') }
      : installedRecordFont(),
    tokenSecret,
    tokenTtlMinutes: integer('TOKEN_TTL_MINUTES', 30, 1, 24 * 60),
    sessionRecheckSeconds: integer('SESSION_RECHECK_SECONDS', 30, 0, 3600),
    drawSecret,
    trustedCaFiles: paths('TRUSTED_CA_FILES', [devPki('ca-a/ca.pem'), devPki('ca-b/ca.pem')]),
    crlFiles: paths('CRL_FILES', [devPki('ca-a/crl.pem'), devPki('ca-b/crl.pem')]),
    identityRulesFile: value('TRUST_IDENTITY_RULES') && resolve(value('TRUST_IDENTITY_RULES')!),
    crlRefreshSeconds: integer('CRL_REFRESH_SECONDS', 600, 5, 24 * 3600),
    receiptCertFile: path('RECEIPT_CERT_FILE', devPki('platform/receipt.pem')),
    receiptKeyFile: path('RECEIPT_KEY_FILE', devPki('platform/receipt.key.pem')),
    openingCaCertFile: path('OPENING_CA_CERT_FILE', devPki('platform/opening-ca.pem')),
    openingCaKeyFile: path('OPENING_CA_KEY_FILE', devPki('platform/opening-ca.key.pem')),
    tlsCertFile: tls?.certFile,
    tlsKeyFile: tls?.keyFile,
    maxSummaryBytes: integer('MAX_SUMMARY_BYTES', defaultLimits.summaryBytes, 1024, 64 * 1024 * 1024),
    maxDocumentsBytes: integer('MAX_DOCUMENTS_BYTES', defaultLimits.documentsBytes, 1024, 64 * 1024 ** 3),
    uploadIdleTimeoutSeconds: integer('UPLOAD_IDLE_TIMEOUT_SECONDS', 30, 1, 3600),
    uploadConcurrencyPerBidder: integer('UPLOAD_CONCURRENCY_PER_BIDDER', 2, 1, 100),
    minFreeDiskMb: integer('MIN_FREE_DISK_MB', 256, 0, 1024 ** 4),
    trustProxy: trustProxy(value('TRUST_PROXY'), problems),
    // Generous: a whole trading centre can log in through one NAT address at the same minute.
    loginRateLimitPerMinute: integer('LOGIN_RATE_LIMIT_PER_MINUTE', 300, 1, 1_000_000),
    schedulerPollMs: integer('SCHEDULER_POLL_MS', 1000, 20, 60_000),
    decryptionThreads: integer('DECRYPTION_THREADS', Math.max(1, cpus().length), 1, 256),
    decryptionLeaseSeconds: integer('DECRYPTION_LEASE_SECONDS', 60, 1, 3600),
    decryptionRetrySeconds: integer('DECRYPTION_RETRY_SECONDS', 30, 1, 3600),
    decryptionShutdownGraceSeconds: integer('DECRYPTION_SHUTDOWN_GRACE_SECONDS', 8, 0, 600),
    redisPrefix: value('REDIS_PREFIX') ?? 'bidhall',
    usesDevPki,
    demo: usesDevPki && boolean('DEMO', true),
    requestLogs: boolean('REQUEST_LOGS', !usesDevPki || !process.stdout.isTTY),
    maxEventLoopDelayMs: integer('MAX_EVENT_LOOP_DELAY_MS', 1000, 10, 60_000),
    metricsToken: value('METRICS_TOKEN'),
    mediaTicketSecret,
    sfus,
    sfuPort: integer('SFU_PORT', 0, 0, 65535),
    sfuWorkers: integer('SFU_WORKERS', Math.max(1, cpus().length), 1, 256),
    sfuListenIp: value('SFU_LISTEN_IP') ?? '127.0.0.1',
    sfuAnnouncedAddress: value('SFU_ANNOUNCED_ADDRESS'),
    sfuRtcMinPort: integer('SFU_RTC_MIN_PORT', 0, 0, 65535),
    sfuRtcMaxPort: integer('SFU_RTC_MAX_PORT', 0, 0, 65535),
    recordingSegmentSeconds: integer('RECORDING_SEGMENT_SECONDS', 300, 5, 24 * 3600),
  };
  if (config.trustedCaFiles.length === 0)
    problems.push('TRUSTED_CA_FILES: at least one CA certificate is needed');
  if (options.checkFiles ?? true) {
    const files: [string, string | undefined][] = [
      ...config.trustedCaFiles.map((f): [string, string] => ['TRUSTED_CA_FILES', f]),
      ...config.crlFiles.map((f): [string, string] => ['CRL_FILES', f]),
      ['RECEIPT_CERT_FILE', config.receiptCertFile],
      ['RECEIPT_KEY_FILE', config.receiptKeyFile],
      ['OPENING_CA_CERT_FILE', config.openingCaCertFile],
      ['OPENING_CA_KEY_FILE', config.openingCaKeyFile],
      ['TRUST_IDENTITY_RULES', config.identityRulesFile],
      ['TLS_CERT_FILE', config.tlsCertFile],
      ['TLS_KEY_FILE', config.tlsKeyFile],
      ['RECORD_FONT_FILE', value('RECORD_FONT_FILE') && config.recordFont?.file],
    ];
    for (const [name, file] of files) {
      if (file === undefined) continue;
      try {
        accessSync(file, constants.R_OK);
      } catch {
        problems.push(
          `${name}: cannot read "${file}"${usesDevPki ? ' (run `npm run certs` for the dev PKI)' : ''}`,
        );
      }
    }
  }
  read.done();
  return config;
}

function parseSfuUrls(raw: string | undefined, problems: string[]): { city: string; url: string }[] {
  if (raw === undefined) return [];
  const entries: { city: string; url: string }[] = [];
  for (const item of raw.split(',').map((part) => part.trim())) {
    const match = /^([a-z][a-z0-9-]{0,31})=(https?:\/\/\S+)$/.exec(item);
    if (!match || !URL.canParse(match[2] as string)) {
      problems.push(`SFU_URLS: expected city=http(s)://host:port entries separated by commas, got "${item}"`);
      continue;
    }
    if (!isSecureOrLoopbackUrl(match[2] as string)) {
      problems.push(
        `SFU_URLS: ${match[1]}'s SFU must be served over https:// (tickets, SRTP keys and recordings cross the network); http:// is for this machine only, got "${match[2]}"`,
      );
      continue;
    }
    if (entries.some((entry) => entry.city === match[1]))
      problems.push(`SFU_URLS: city "${match[1]}" is listed twice`);
    entries.push({ city: match[1] as string, url: (match[2] as string).replace(/\/+$/, '') });
  }
  return entries;
}

/** TRUST_PROXY: the proxies' addresses or networks (comma-separated), or a number of hops; never "true". */
function trustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  if (raw === undefined || ['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (['1', 'true', 'yes'].includes(raw.toLowerCase()) || raw === '*') {
    problems.push(
      'TRUST_PROXY: name the proxies (addresses or networks, e.g. 10.0.0.2,10.0.0.3) or a hop count; trusting every hop lets any client choose its own address',
    );
    return false;
  }
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(entry);
    if (!named && (isIP(address) === 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))))
      problems.push(`TRUST_PROXY: "${entry}" is not an address or a network`);
  }
  return entries;
}
