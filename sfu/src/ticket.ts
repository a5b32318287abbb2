/**
 * The HS256 tokens of the media side, all signed with the one secret the main server and every SFU share
 * (`MEDIA_TICKET_SECRET`): media tickets (the server knows roles and assignments, the SFU neither),
 * cascade links between SFUs, and segment uploads from an SFU to the server.
 */
import { isRole, isVenue, type MediaTicket } from '@bidhall/shared';
import { createSigner, createVerifier } from 'fast-jwt';

export const ticketLifetimeSeconds = 120;

/** A signer, and a verifier returning the claims only when the token is genuine, current and well-formed. */
function tokens<T extends object>(
  lifetimeMs: number,
  isValid: (claims: T) => boolean,
): {
  signer: (secret: string) => (claims: T) => string;
  verifier: (secret: string) => (token: unknown) => T | null;
} {
  return {
    signer: (secret) => {
      const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: lifetimeMs });
      return (claims) => sign({ ...claims });
    },
    verifier: (secret) => {
      const verify = createVerifier({ key: secret, algorithms: ['HS256'] });
      return (token) => {
        if (typeof token !== 'string' || token.length > 4096) return null;
        try {
          const claims = verify(token) as T;
          return isValid(claims) ? claims : null;
        } catch {
          return null;
        }
      };
    },
  };
}

const mediaTickets = tokens<MediaTicket>(
  ticketLifetimeSeconds * 1000,
  (claims) =>
    typeof claims.sub === 'string' &&
    isRole(claims.role) &&
    typeof claims.name === 'string' &&
    isVenue(claims.venue) &&
    typeof claims.publish === 'boolean' &&
    typeof claims.consume === 'boolean' &&
    typeof claims.hidden === 'boolean' &&
    typeof claims.wholeRoom === 'boolean' &&
    (claims.homeSfu === undefined ||
      (typeof claims.homeSfu === 'string' && /^https?:\/\//.test(claims.homeSfu))),
);
export const ticketSigner = mediaTickets.signer;
/** Returns the ticket's claims, or null when it is forged, expired or malformed. */
export const ticketVerifier = mediaTickets.verifier;

/** Claims of the token one SFU presents to another to cascade a room. */
export interface CascadeClaims {
  readonly cascadeFrom: string;
  readonly room: string;
}

const cascadeTokens = tokens<CascadeClaims>(
  60_000,
  (claims) => typeof claims.cascadeFrom === 'string' && typeof claims.room === 'string',
);
export const cascadeSigner = cascadeTokens.signer;
export const cascadeVerifier = cascadeTokens.verifier;

/** Claims of the token an SFU presents when it hands a recorded segment to the main server. */
export interface SegmentUploadClaims {
  readonly recordedBy: string;
  readonly segment: string;
  readonly sha256: string;
}

const segmentUploads = tokens<SegmentUploadClaims>(
  10 * 60_000,
  (claims) =>
    typeof claims.recordedBy === 'string' &&
    typeof claims.segment === 'string' &&
    typeof claims.sha256 === 'string',
);
export const segmentUploadSigner = segmentUploads.signer;
export const segmentUploadVerifier = segmentUploads.verifier;
