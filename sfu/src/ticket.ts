/**
 * Media tickets: short-lived HS256 tokens the main server signs (it knows roles and assignments) and the
 * SFU verifies (it knows neither). One shared secret between them, `MEDIA_TICKET_SECRET`.
 */
import { isRole, isVenue, type MediaTicket } from '@bidhall/shared';
import { createSigner, createVerifier } from 'fast-jwt';

export const ticketLifetimeSeconds = 120;

export function ticketSigner(secret: string): (ticket: MediaTicket) => string {
  const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: ticketLifetimeSeconds * 1000 });
  return (ticket) => sign({ ...ticket });
}

/** Returns the ticket's claims, or null when it is forged, expired or malformed. */
export function ticketVerifier(secret: string): (token: unknown) => MediaTicket | null {
  const verify = createVerifier({ key: secret, algorithms: ['HS256'] });
  return (token) => {
    if (typeof token !== 'string' || token.length > 4096) return null;
    try {
      const claims = verify(token) as MediaTicket;
      const valid =
        typeof claims.sub === 'string' &&
        isRole(claims.role) &&
        typeof claims.name === 'string' &&
        isVenue(claims.venue) &&
        typeof claims.publish === 'boolean' &&
        typeof claims.consume === 'boolean' &&
        typeof claims.hidden === 'boolean' &&
        typeof claims.wholeRoom === 'boolean' &&
        (claims.homeSfu === undefined ||
          (typeof claims.homeSfu === 'string' && /^https?:\/\//.test(claims.homeSfu)));
      return valid ? claims : null;
    } catch {
      return null;
    }
  };
}

/** Claims of the token one SFU presents to another to cascade a room. */
export interface CascadeClaims {
  readonly cascadeFrom: string;
  readonly room: string;
}

export function cascadeSigner(secret: string): (claims: CascadeClaims) => string {
  const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: 60_000 });
  return (claims) => sign({ ...claims });
}

export function cascadeVerifier(secret: string): (token: unknown) => CascadeClaims | null {
  const verify = createVerifier({ key: secret, algorithms: ['HS256'] });
  return (token) => {
    if (typeof token !== 'string' || token.length > 4096) return null;
    try {
      const claims = verify(token) as CascadeClaims;
      return typeof claims.cascadeFrom === 'string' && typeof claims.room === 'string' ? claims : null;
    } catch {
      return null;
    }
  };
}

/** Claims of the token an SFU presents when it hands a recorded segment to the main server. */
export interface SegmentUploadClaims {
  readonly recordedBy: string;
  readonly segment: string;
  readonly sha256: string;
}

export function segmentUploadSigner(secret: string): (claims: SegmentUploadClaims) => string {
  const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: 10 * 60_000 });
  return (claims) => sign({ ...claims });
}

export function segmentUploadVerifier(secret: string): (token: unknown) => SegmentUploadClaims | null {
  const verify = createVerifier({ key: secret, algorithms: ['HS256'] });
  return (token) => {
    if (typeof token !== 'string' || token.length > 4096) return null;
    try {
      const claims = verify(token) as SegmentUploadClaims;
      const valid =
        typeof claims.recordedBy === 'string' &&
        typeof claims.segment === 'string' &&
        typeof claims.sha256 === 'string';
      return valid ? claims : null;
    } catch {
      return null;
    }
  };
}
