/**
 * Actors: who may log in as what. Bidders register themselves at first login (any company holding a
 * certificate from a recognised CA may bid); every other role is registered by an administrator with the
 * person's certificate, because a host, supervisor or custodian is appointed, not self-declared.
 */
import { type Role, selfRegisteringRoles } from '@bidhall/shared';
import { and, eq } from 'drizzle-orm';
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

/** The actor behind a verified certificate, created on first login for self-registering roles. */
export async function actorForLogin(db: Executor, cert: ParsedCertificate, role: Role): Promise<Actor> {
  if (!cert.identity) throw new AppError('CERT_NO_IDENTITY');
  const existing = await findActor(db, cert.identity, role);
  if (existing) return existing;
  if (!selfRegisteringRoles.includes(role)) {
    throw new AppError('ROLE_NOT_GRANTED', `"${displayName(cert)}" is not registered as ${role}`);
  }
  const [created] = await db
    .insert(actors)
    .values({ identity: cert.identity, role, name: displayName(cert), organization: cert.organization })
    .onConflictDoNothing()
    .returning();
  return created ?? (await findActor(db, cert.identity, role))!;
}

export interface RegisterActorInput {
  readonly role: Role;
  readonly signingCertificate: string;
  readonly encryptionCertificate?: string | undefined;
}

/** Registers (or updates) an actor from its certificates, which must be valid and trusted now. */
export async function registerActor(
  db: Executor,
  trust: TrustStore,
  input: RegisterActorInput,
  at: Date,
): Promise<Actor> {
  const signing = parseCertificate(input.signingCertificate);
  trust.verify([signing], { at, anyUsage: ['digitalSignature', 'nonRepudiation'] });
  if (!signing.identity) throw new AppError('CERT_NO_IDENTITY');
  let encryptionPem: string | null = null;
  if (input.encryptionCertificate) {
    const encryption = parseCertificate(input.encryptionCertificate);
    trust.verify([encryption], { at, anyUsage: ['keyEncipherment', 'keyAgreement'] });
    if (encryption.identity !== signing.identity) {
      throw new AppError('VALIDATION_FAILED', 'the encryption certificate belongs to another subject');
    }
    encryptionPem = encryption.pem;
  }
  const values = {
    identity: signing.identity,
    role: input.role,
    name: displayName(signing),
    organization: signing.organization,
    encryptionCertificate: encryptionPem,
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
      },
    })
    .returning();
  return actor!;
}
