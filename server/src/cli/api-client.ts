/** A small HTTP client for the command line: certificate login, tenders, bid upload (streamed from disk). */
import { sign } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type LoginResponse,
  type Role,
  sealedFileNames,
  type TenderView,
  type WireError,
} from '@bidhall/shared';

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, body: Partial<WireError>) {
    super(`${body.code ?? `HTTP ${status}`}: ${body.message ?? ''}`);
    this.code = body.code ?? 'HTTP_ERROR';
    this.status = status;
  }
}

export interface Credentials {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly role: Role;
}

export class ApiClient {
  readonly #base: string;
  #token: string | null = null;

  constructor(baseUrl: string) {
    this.#base = baseUrl.replace(/\/$/, '');
  }

  async #call<T>(method: string, path: string, body?: unknown | FormData): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const response = await fetch(`${this.#base}${path}`, { method, headers, body: payload });
    const json = (await response.json().catch(() => ({}))) as T & Partial<WireError>;
    if (!response.ok) throw new ApiError(response.status, json);
    return json;
  }

  async login(credentials: Credentials): Promise<LoginResponse> {
    const challenge = await this.#call<{ nonce: string; challenge: string }>('POST', '/api/auth/challenge');
    const signature = sign(
      'sha256',
      Buffer.from(challenge.challenge, 'utf8'),
      credentials.privateKeyPem,
    ).toString('base64');
    const result = await this.#call<LoginResponse>('POST', '/api/auth/login', {
      nonce: challenge.nonce,
      role: credentials.role,
      certificateChain: credentials.certificatePem,
      signature,
    });
    this.#token = result.token;
    return result;
  }

  tender(tenderId: string): Promise<TenderView> {
    return this.#call('GET', `/api/tenders/${encodeURIComponent(tenderId)}`);
  }

  /** Uploads a folder written by `bidhall bid seal`; the files are streamed from disk. */
  async submitBid(tenderId: string, dir: string, replace: boolean) {
    const form = new FormData();
    for (const part of ['manifest', 'manifestSignature', 'summary', 'documents'] as const) {
      form.append(part, await openAsBlob(join(dir, sealedFileNames[part])), sealedFileNames[part]);
    }
    return this.#call<{ bidId: string; receipt: Record<string, unknown>; signedReceipt: string }>(
      'POST',
      `/api/tenders/${encodeURIComponent(tenderId)}/bids${replace ? '?replace=true' : ''}`,
      form,
    );
  }

  async recordBundle(tenderId: string): Promise<Buffer> {
    const response = await fetch(`${this.#base}/api/tenders/${encodeURIComponent(tenderId)}/record-bundle`, {
      headers: this.#token ? { authorization: `Bearer ${this.#token}` } : {},
    });
    if (!response.ok)
      throw new ApiError(response.status, (await response.json().catch(() => ({}))) as Partial<WireError>);
    return Buffer.from(await response.arrayBuffer());
  }

  myBids(tenderId: string) {
    return this.#call<{ id: string; status: string }[]>(
      'GET',
      `/api/tenders/${encodeURIComponent(tenderId)}/bids/mine`,
    );
  }

  withdrawBid(tenderId: string) {
    return this.#call<{ bidId: string; receipt: Record<string, unknown>; signedReceipt: string }>(
      'DELETE',
      `/api/tenders/${encodeURIComponent(tenderId)}/bids/mine`,
    );
  }
}

export async function credentialsFrom(certFile: string, keyFile: string, role: Role): Promise<Credentials> {
  return {
    certificatePem: await readFile(certFile, 'utf8'),
    privateKeyPem: await readFile(keyFile, 'utf8'),
    role,
  };
}
