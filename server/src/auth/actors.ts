/**
 * Actors: who may log in as what. Bidders register themselves at first login (any company holding a
 * certificate from a recognised CA may bid); every other role is registered by an administrator with the
 * person's certificate, because a host, supervisor or custodian is appointed, not self-declared.
 */
import { phraseParams, type Role, roleWords, selfRegisteringRoles } from '@bidhall/shared';
import { and, eq, ne, or } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { type Actor, actors } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { type ParsedCertificate, parseCertificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';

export function displayName(cert: ParsedCertificate): string {
  return cert.commonName || cert.organization || cert.identity || 'unknown';
}

export async function findActor(db: Executor, identity: string, role: Role): Promise<Actor | undefined> {
  const [actor] = await db
    .select()
    .from(actors)
    .where(and(eq(actors.identity, identity), eq(actors.role, role)));
  return actor;
}

/**
 * The actor behind a verified certificate. Bidders are created on first login (any company holding a
 * certificate from a recognised CA may bid), but never from a certificate or an identity registered to
 * staff: a host cannot bid. Appointed people log in only with the very certificate registered for them.
 */
export async function actorForLogin(
  db: Executor,
  cert: ParsedCertificate,
  identity: string | null,
  role: Role,
): Promise<Actor> {
  if (!identity) throw new AppError('CERT_NO_IDENTITY');
  if (role === 'bidder') {
    const [staff] = await db
      .select({ id: actors.id, role: actors.role })
      .from(actors)
      .where(
        and(
          ne(actors.role, 'bidder'),
          or(eq(actors.identity, identity), eq(actors.signingFingerprint, cert.fingerprint)),
        ),
      )
      .limit(1);
    if (staff) {
      throw new AppError('ROLE_NOT_GRANTED', {
        key: 'staffCannotBid',
        params: { name: displayName(cert), ...phraseParams('role', roleWords[staff.role]) },
      });
    }
  }
  const existing = await findActor(db, identity, role);
  if (existing) {
    if (!selfRegisteringRoles.includes(role) && existing.signingFingerprint !== cert.fingerprint) {
      throw new AppError('ROLE_NOT_GRANTED', {
        key: 'registeredCertificateOnly',
        params: { name: displayName(cert), ...phraseParams('role', roleWords[role]) },
      });
    }
    return existing;
  }
  if (!selfRegisteringRoles.includes(role)) {
    throw new AppError('ROLE_NOT_GRANTED', {
      key: 'notRegisteredAs',
      params: { name: displayName(cert), ...phraseParams('role', roleWords[role]) },
    });
  }
  const [created] = await db
    .insert(actors)
    .values({ identity, role, name: displayName(cert), organization: cert.organization })
    .onConflictDoNothing()
    .returning();
  return created ?? (await findActor(db, identity, role))!;
}

export interface RegisterActorInput {
  readonly role: Role;
  readonly signingCertificate: string;
  readonly encryptionCertificate?: string | undefined;
}

/**
 * Registers (or updates) an appointed actor from its certificates, which must be valid and trusted now.
 * The signing certificate itself (its fingerprint) is what the person logs in with from then on; an
 * identity that bids on the platform cannot be appointed.
 */
export async function registerActor(
  db: Executor,
  trust: TrustStore,
  input: RegisterActorInput,
  at: Date,
): Promise<Actor> {
  if (selfRegisteringRoles.includes(input.role))
    throw new AppError('VALIDATION_FAILED', {
      key: 'registersAtFirstLogin',
      params: { ...phraseParams('role', roleWords[input.role]), field: '/role' },
    });
  const signing = parseCertificate(input.signingCertificate);
  const { identity } = trust.verify([signing], { at, anyUsage: ['digitalSignature', 'nonRepudiation'] });
  if (!identity) throw new AppError('CERT_NO_IDENTITY');
  const [bidder] = await db
    .select({ id: actors.id })
    .from(actors)
    .where(and(eq(actors.identity, identity), eq(actors.role, 'bidder')))
    .limit(1);
  if (bidder) throw new AppError('VALIDATION_FAILED', { key: 'bidderCannotBeStaff', params: { identity } });
  let encryptionPem: string | null = null;
  if (input.encryptionCertificate) {
    const encryption = parseCertificate(input.encryptionCertificate);
    const verified = trust.verify([encryption], { at, anyUsage: ['keyEncipherment', 'keyAgreement'] });
    if (verified.identity !== identity) {
      throw new AppError('VALIDATION_FAILED', {
        key: 'encryptionOtherSubject',
        params: { field: '/encryptionCertificate' },
      });
    }
    encryptionPem = encryption.pem;
  }
  const values = {
    identity,
    role: input.role,
    name: displayName(signing),
    organization: signing.organization,
    encryptionCertificate: encryptionPem,
    signingFingerprint: signing.fingerprint,
  };
  const [actor] = await db
    .insert(actors)
    .values(values)
    .onConflictDoUpdate({
      target: [actors.identity, actors.role],
      set: {
        name: values.name,
        organization: values.organization,
        encryptionCertificate: values.encryptionCertificate,
        signingFingerprint: values.signingFingerprint,
      },
    })
    .returning();
  return actor!;
}
