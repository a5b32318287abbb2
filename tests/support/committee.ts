/**
 * A headless committee member for tests: an expert (or a tenderee's representative) with a certificate of
 * its own, registered by the administrator, logged in by signing the challenge, acting over HTTP from the
 * address of a seat (Fastify's inject sets the client's address), and signing its declaration as a page
 * would (CMS detached over the exact text).
 */
import { createPrivateKey, sign } from 'node:crypto';
import {
  type CommitteeView,
  declarationText,
  type LoginResponse,
  type Role,
  type SeatView,
  type WireError,
} from '@bidhall/shared';
import { signSmall } from '../../server/src/cms/signed-data.ts';
import { parseCertificate } from '../../server/src/pki/certificate.ts';
import { issueFromDevCa } from './pki.ts';
import type { TestServer } from './server.ts';

export interface Answer<T> {
  readonly status: number;
  readonly body: T & Partial<WireError>;
}

/** One request as `token` from `address`. */
export async function call<T = unknown>(
  server: TestServer,
  token: string,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: object,
  address = '127.0.0.1',
): Promise<Answer<T>> {
  const response = await server.app.inject({
    method,
    url,
    remoteAddress: address,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });
  const text = response.body;
  return { status: response.statusCode, body: (text ? JSON.parse(text) : {}) as T & Partial<WireError> };
}

/** Logs in with a certificate and key of one's own (not the dev PKI's roster). */
export async function loginWith(
  server: TestServer,
  certPem: string,
  keyPem: string,
  role: Role,
): Promise<string> {
  const challenge = (await server.app.inject({ method: 'POST', url: '/api/auth/challenge' })).json<{
    nonce: string;
    challenge: string;
  }>();
  const signature = sign('sha256', Buffer.from(challenge.challenge), keyPem).toString('base64');
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { nonce: challenge.nonce, role, certificateChain: certPem, signature },
  });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  return response.json<LoginResponse>().token;
}

export class CommitteeMemberClient {
  readonly name: string;
  readonly identity: string;
  readonly #server: TestServer;
  readonly #certPem: string;
  readonly #keyPem: string;
  #token = '';
  /** The address this member's requests come from (its seat's, unless a test says otherwise). */
  address = '127.0.0.1';

  private constructor(
    server: TestServer,
    name: string,
    identity: string,
    keys: { certPem: string; keyPem: string },
  ) {
    this.#server = server;
    this.name = name;
    this.identity = identity;
    this.#certPem = keys.certPem;
    this.#keyPem = keys.keyPem;
  }

  /** Issues the person a certificate, has the administrator register it as an expert, and logs in. */
  static async register(
    server: TestServer,
    adminToken: string,
    person: { name: string; identity: string },
  ): Promise<CommitteeMemberClient> {
    const keys = issueFromDevCa('ca-a', { cn: person.name, o: '评标专家', serialNumber: person.identity });
    const registered = await call(server, adminToken, 'POST', '/api/actors', {
      role: 'expert',
      signingCertificate: keys.certPem,
    });
    if (registered.status !== 201 && registered.status !== 200)
      throw new Error(`registration failed: ${JSON.stringify(registered.body)}`);
    const client = new CommitteeMemberClient(server, person.name, person.identity, keys);
    await client.login();
    return client;
  }

  async login(server: TestServer = this.#server): Promise<void> {
    this.#token = await loginWith(server, this.#certPem, this.#keyPem, 'expert');
  }

  get token(): string {
    return this.#token;
  }

  request<T = unknown>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, server = this.#server) {
    return call<T>(server, this.#token, method, url, payload, this.address);
  }

  view(committeeId: string, server = this.#server): Promise<Answer<CommitteeView>> {
    return this.request<CommitteeView>('GET', `/api/committees/${committeeId}`, undefined, server);
  }

  signIn(committeeId: string, server = this.#server) {
    return this.request('POST', `/api/committees/${committeeId}/sign-in`, {}, server);
  }

  /** Signs the declaration text for these choices with the member's own key, and sends it. */
  async declare(
    committeeId: string,
    choice: { conflict: boolean; statement: string },
    server = this.#server,
  ) {
    const view = (await this.view(committeeId, server)).body;
    const text = declarationText({
      committeeId,
      tenderCode: view.tenderCode,
      memberId: view.you ?? '',
      bidders: view.bidders ?? [],
      ...choice,
    });
    const signature = signSmall(
      Buffer.from(text, 'utf8'),
      { certificate: parseCertificate(this.#certPem), privateKey: createPrivateKey(this.#keyPem) },
      { detached: true },
    );
    return this.request(
      'POST',
      `/api/committees/${committeeId}/declaration`,
      { ...choice, signature: signature.toString('base64') },
      server,
    );
  }

  /** A CMS detached signature over `text` with the member's own key (base64), as a page would make it. */
  sign(text: string): string {
    return signSmall(
      Buffer.from(text, 'utf8'),
      { certificate: parseCertificate(this.#certPem), privateKey: createPrivateKey(this.#keyPem) },
      { detached: true },
    ).toString('base64');
  }

  vote(committeeId: string, round: number, candidateId: string, server = this.#server) {
    return this.request('POST', `/api/committees/${committeeId}/vote`, { round, candidateId }, server);
  }
}

/**
 * Registers evaluation seats as the administrator does: `count` seats in each city's centre (room 评标室1,
 * seats 1…count), seat n on its own address `${net}.${n}`. Returns the seat ids by city and each seat's
 * address by the label the views give it ("centre room seat").
 */
export async function registerSeats(
  server: TestServer,
  adminToken: string,
  venues: readonly { city: string; centre: string; count: number; net: string }[],
): Promise<{ ids: Map<string, string[]>; addressOf: Map<string, string> }> {
  const ids = new Map<string, string[]>();
  const addressOf = new Map<string, string>();
  for (const { city, centre, count, net } of venues)
    for (let n = 1; n <= count; n++) {
      const seat = await call<SeatView>(server, adminToken, 'POST', '/api/seats', {
        centre,
        city,
        room: '评标室1',
        seat: String(n),
        cidr: `${net}.${n}/32`,
      });
      if (seat.status !== 201) throw new Error(`seat refused: ${JSON.stringify(seat.body)}`);
      ids.set(city, [...(ids.get(city) ?? []), seat.body.id]);
      addressOf.set(`${centre} 评标室1 ${n}`, `${net}.${n}`);
    }
  return { ids, addressOf };
}
