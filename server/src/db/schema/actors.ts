import { roles } from '@bidhall/shared/enums';
import { pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { instant } from './columns.ts';

export const roleEnum = pgEnum('role', roles);

/**
 * People and companies known to the platform, one row per (identity, role). The identity is the
 * certificate subject's serialNumber (unified social credit code or personal ID), so a renewed
 * certificate, or one from another recognised CA, maps to the same actor.
 */
export const actors = pgTable(
  'actors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    identity: text('identity').notNull(),
    role: roleEnum('role').notNull(),
    name: text('name').notNull(),
    organization: text('organization'),
    /** PEM; custodians need one so that key shares can be sealed to them. */
    encryptionCertificate: text('encryption_certificate'),
    /**
     * Appointed people (hosts, supervisors, experts…) log in with exactly the certificate an administrator
     * registered (its SHA-256 fingerprint), not with any certificate naming their ID number.
     */
    signingFingerprint: text('signing_fingerprint'),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('actors_identity_role').on(t.identity, t.role)],
);

export type Actor = typeof actors.$inferSelect;

/** One-time login challenges; a row is deleted when used. */
export const loginChallenges = pgTable('login_challenges', {
  nonce: text('nonce').primaryKey(),
  challenge: text('challenge').notNull(),
  expiresAt: instant('expires_at').notNull(),
});
