/** Certificate login: the challenge a client signs and the token it gets back. */
import { type Static, Type } from 'typebox';
import { roles } from './roles.ts';

export const ChallengeResponse = Type.Object({
  nonce: Type.String(),
  /** The exact text to sign (UTF-8) with the signing key: RSASSA-PKCS1-v1_5 or ECDSA, SHA-256. */
  challenge: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type ChallengeResponse = Static<typeof ChallengeResponse>;

export const LoginRequest = Type.Object(
  {
    nonce: Type.String({ minLength: 16, maxLength: 128 }),
    role: Type.Enum(roles),
    /** PEM: the signing certificate first, then any intermediates. */
    certificateChain: Type.String({ minLength: 100, maxLength: 64 * 1024 }),
    /** Base64 signature over the challenge text. */
    signature: Type.String({ minLength: 16, maxLength: 2048 }),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const LoginResponse = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  actor: Type.Object({
    id: Type.String(),
    role: Type.Enum(roles),
    name: Type.String(),
    identity: Type.String(),
  }),
});
export type LoginResponse = Static<typeof LoginResponse>;

/** What the token carries; grants are derived from the role with `roleGrants`. */
export interface TokenClaims {
  readonly sub: string;
  readonly role: (typeof roles)[number];
  readonly name: string;
  readonly identity: string;
  /** The actor's organisation (for a host: its agency, which decides the tenders it may drive). */
  readonly org?: string | null;
  /** SHA-256 fingerprint of the certificate the session was opened with. */
  readonly fp?: string;
  /** When the session was opened by a certificate login (ms); renewals never extend it past a limit. */
  readonly since?: number;
}

/** A session opened by a certificate login can be renewed for this long, then the holder logs in again. */
export const sessionMaxHours = 12;

export function loginChallengeText(platform: string, nonce: string, expiresAt: string): string {
  return `bidhall login\nplatform: ${platform}\nnonce: ${nonce}\nexpires: ${expiresAt}\n`;
}
