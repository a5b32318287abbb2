/** The page's HTTP calls: JSON in and out, the login token attached, errors as the server's codes. */
import type { WireError } from '@bidhall/shared';

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: WireError['detail'];
  constructor(status: number, body: Partial<WireError>) {
    super(`${body.code ?? `HTTP_${status}`}: ${body.message ?? ''}`);
    this.code = body.code ?? 'INTERNAL';
    this.status = status;
    this.detail = body.detail;
  }
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: { token?: string | null; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(path, { method, headers, body });
  const json = (await response.json().catch(() => ({}))) as T & Partial<WireError>;
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

/** Downloads a binary answer (the record bundle) and hands it to the browser as a file. */
export async function download(path: string, token: string, fileName: string): Promise<number> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return blob.size;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
