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
        typeof claims.wholeRoom === 'boolean';
      return valid ? claims : null;
    } catch {
      return null;
    }
  };
}
