/** Who is logged in: the token the server issued and, for signing later, the identity loaded in the page. */
import type { LoginResponse, Role } from '@bidhall/shared';
import { api } from './api.ts';
import { type Identity, KeyError, loadPkcs12, signText } from './crypto.ts';

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly actor: LoginResponse['actor'];
  /** The signing identity, kept in this page's memory only (a reload means logging in again). */
  readonly identity: Identity;
}

/** Reads a PKCS#12 file the user picked; errors are KeyErrors with a reason the page explains. */
export async function readIdentity(file: File, pin: string): Promise<Identity> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  return loadPkcs12(bytes, pin);
}

/** Certificate login: sign the server's challenge in the page and exchange it for a token. */
export async function logIn(identity: Identity, role: Role): Promise<Session> {
  if (!identity.usages.signing)
    throw new KeyError('no-signing-usage', 'the certificate is not meant for signing');
  const challenge = await api<{ nonce: string; challenge: string }>('POST', '/api/auth/challenge');
  const result = await api<LoginResponse>('POST', '/api/auth/login', {
    body: {
      nonce: challenge.nonce,
      role,
      certificateChain: identity.chainPem,
      signature: signText(identity, challenge.challenge),
    },
  });
  return { token: result.token, expiresAt: result.expiresAt, actor: result.actor, identity };
}

/** A fresh token for the same session (POST /api/auth/renew). */
export async function renewSession(session: Session): Promise<Session> {
  const result = await api<LoginResponse>('POST', '/api/auth/renew', { token: session.token });
  return { ...session, token: result.token, expiresAt: result.expiresAt };
}
