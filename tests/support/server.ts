/**
 * A real bidhall server for tests: real PostgreSQL (or PGlite), the dev PKI, a controllable clock, and
 * helpers to log in as any dev actor by signing the challenge with its key, as a client would.
 */
import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CreateTenderRequest, LoginResponse, Role, TenderView } from '@bidhall/shared';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.ts';
import { type Config, loadConfig } from '../../server/src/config.ts';
import { openDatabase } from '../../server/src/db/client.ts';
import { seedDevActors } from '../../server/src/dev/seed.ts';
import { TestClock } from './clock.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { certPath, keyPath, pkiDir } from './pki.ts';

export interface TestServer {
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly clock: TestClock;
  readonly database: TestDatabase;
  /** Base URL when started with `listen: true`. */
  readonly url: string;
  /** Actor ids of the seeded dev actors by name (host, custodian1, ...). */
  readonly actors: ReadonlyMap<string, string>;
  login(actor: string, role: Role): Promise<LoginResponse>;
  createTender(token: string, overrides?: Partial<CreateTenderRequest>): Promise<TenderView>;
  /** Upload files not yet verified (should be none between requests). */
  blobsTemp(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    kind?: 'postgres' | 'pglite';
    listen?: boolean;
    env?: Record<string, string>;
    /** A second server process on the same database, data folder and clock (closing it keeps them). */
    shareWith?: TestServer;
    /** The PostgreSQL server to create the test's database on, instead of the machine's. */
    postgresUrl?: string;
  } = {},
): Promise<TestServer> {
  const shared = options.shareWith;
  const database =
    shared?.database ?? (await createTestDatabase(options.kind ?? 'postgres', options.postgresUrl));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: database.dataDir,
    SCHEDULER_POLL_MS: '50',
    DECRYPTION_THREADS: '1',
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    // Load shedding stays on, with room for a loaded test machine (the health test sets its own limit).
    MAX_EVENT_LOOP_DELAY_MS: '5000',
    ...options.env,
  });
  const clock = shared?.clock ?? new TestClock();
  const handle = shared
    ? await openDatabase({ url: database.url, dataDir: database.dataDir })
    : database.handle;
  const app = await buildApp({ config, clock, database: handle });
  await app.ready();
  const seeded = await seedDevActors(app.db, app.trust, pkiDir, clock.now());
  const url = options.listen ? await app.listen({ host: '127.0.0.1', port: 0 }) : 'http://inject';

  async function login(actor: string, role: Role): Promise<LoginResponse> {
    const challenge = (await app.inject({ method: 'POST', url: '/api/auth/challenge' })).json<{
      nonce: string;
      challenge: string;
    }>();
    const signature = sign(
      'sha256',
      Buffer.from(challenge.challenge),
      readFileSync(keyPath(actor, 'sign')),
    ).toString('base64');
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: {
        nonce: challenge.nonce,
        role,
        certificateChain: readFileSync(certPath(actor, 'sign'), 'utf8'),
        signature,
      },
    });
    if (response.statusCode !== 200) throw new Error(`login as ${actor} failed: ${response.body}`);
    return response.json<LoginResponse>();
  }

  async function createTender(
    token: string,
    overrides: Partial<CreateTenderRequest> = {},
  ): Promise<TenderView> {
    const request: CreateTenderRequest = {
      code: `T-${Math.random().toString(36).slice(2, 10)}`,
      title: '市政道路改造工程施工招标',
      deadline: new Date(clock.now().getTime() + 60 * 60_000).toISOString(),
      decryptionWindowMinutes: 30,
      summaryFields: [
        { key: 'price', label: { zh: '投标报价（元）', en: 'Price (CNY)' }, type: 'money', required: true },
        {
          key: 'duration',
          label: { zh: '工期（日历天）', en: 'Duration (days)' },
          type: 'days',
          required: true,
        },
      ],
      minBidders: 3,
      custodianIds: ['custodian1', 'custodian2', 'custodian3'].map((n) => seeded.get(n)!.id),
      quorum: 2,
      remedyPolicy: 'custodian-quorum',
      openingKeyAlgorithm: 'rsa-2048',
      checkInMinutes: 30,
      ...overrides,
    };
    const response = await app.inject({
      method: 'POST',
      url: '/api/tenders',
      headers: { authorization: `Bearer ${token}` },
      payload: request,
    });
    if (response.statusCode !== 201) throw new Error(`tender creation failed: ${response.body}`);
    return response.json<TenderView>();
  }

  return {
    app,
    config,
    clock,
    database,
    url,
    actors: new Map([...seeded].map(([name, actor]) => [name, actor.id])),
    login,
    createTender,
    blobsTemp: () => app.blobs.tempFiles(),
    async close() {
      await app.close();
      if (shared) await handle.close();
      else await database.drop();
    },
  };
}
