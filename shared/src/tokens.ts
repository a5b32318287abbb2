/**
 * The HS256 tokens of the media side, all signed with the one secret the main server and every SFU share
 * (`MEDIA_TICKET_SECRET`): media tickets (the server knows roles and assignments, the SFU neither),
 * cascade links between SFUs, and segment uploads from an SFU to the server. Both processes sign or
 * verify them, so they are part of the contract; Node only (the JWT library stays out of the pages).
 * Claims are checked against their schemas after the signature, so a genuine token with malformed
 * claims is refused like a forged one.
 */
import { createSigner, createVerifier } from 'fast-jwt';
import { type Static, type TSchema, Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { MediaTicket, venuePattern } from './media.ts';

export const ticketLifetimeSeconds = 120;

/** A signer, and a verifier returning the claims only when the token is genuine, current and well-formed. */
function tokens<S extends TSchema>(lifetimeMs: number, schema: S) {
  const check = Compile(schema);
  return {
    signer: (secret: string) => {
      const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: lifetimeMs });
      return (claims: Static<S>): string => sign({ ...(claims as object) });
    },
    verifier: (secret: string) => {
      const verify = createVerifier({ key: secret, algorithms: ['HS256'] });
      return (token: unknown): Static<S> | null => {
        if (typeof token !== 'string' || token.length > 4096) return null;
        try {
          const claims: unknown = verify(token);
          return check.Check(claims) ? claims : null;
        } catch {
          return null;
        }
      };
    },
  };
}

const mediaTickets = tokens(ticketLifetimeSeconds * 1000, MediaTicket);
export const ticketSigner = mediaTickets.signer;
/** Returns the ticket's claims, or null when it is forged, expired or malformed. */
export const ticketVerifier = mediaTickets.verifier;

/** Claims of the token one SFU presents to another to cascade a room. */
export const CascadeClaims = Type.Object({
  cascadeFrom: Type.String({ maxLength: 200 }),
  room: Type.String({ maxLength: 128 }),
});
export type CascadeClaims = Static<typeof CascadeClaims>;

const cascadeTokens = tokens(60_000, CascadeClaims);
export const cascadeSigner = cascadeTokens.signer;
export const cascadeVerifier = cascadeTokens.verifier;

/** Claims of the token an SFU presents when it hands a recorded segment to the main server. */
export const SegmentUploadClaims = Type.Object({
  recordedBy: Type.String({ maxLength: 200 }),
  segment: Type.String({ maxLength: 64 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});
export type SegmentUploadClaims = Static<typeof SegmentUploadClaims>;

const segmentUploads = tokens(10 * 60_000, SegmentUploadClaims);
export const segmentUploadSigner = segmentUploads.signer;
export const segmentUploadVerifier = segmentUploads.verifier;

/** Claims of the token an SFU presents when it tells the main server a venue started or stopped being recorded. */
export const RecordingStateClaims = Type.Object({
  recordedBy: Type.String({ maxLength: 200 }),
  venue: Type.String({ pattern: venuePattern }),
  recording: Type.Boolean(),
});
export type RecordingStateClaims = Static<typeof RecordingStateClaims>;

const recordingStates = tokens(60_000, RecordingStateClaims);
export const recordingStateSigner = recordingStates.signer;
export const recordingStateVerifier = recordingStates.verifier;
