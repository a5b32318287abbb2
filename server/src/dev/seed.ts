/**
 * Development seed: registers the dev PKI's appointed actors (host, supervisor, experts, custodians,
 * tenderee, admin) so that a fresh embedded start can be clicked through, and tests can log in as them.
 * Bidders need no registration. Only used when the dev PKI is configured.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Role } from '@bidhall/shared';
import { registerActor } from '../auth/actors.ts';
import type { Database } from '../db/client.ts';
import type { Actor } from '../db/schema/index.ts';
import type { TrustStore } from '../pki/trust-store.ts';

interface RosterEntry {
  readonly name: string;
  readonly role: Role;
  readonly expired: boolean;
  readonly revoked: boolean;
  readonly ca: string;
}

export async function seedDevActors(
  db: Database,
  trust: TrustStore,
  pkiDir: string,
  at: Date,
): Promise<Map<string, Actor>> {
  const roster = JSON.parse(await readFile(join(pkiDir, 'actors.json'), 'utf8')) as RosterEntry[];
  const seeded = new Map<string, Actor>();
  for (const entry of roster) {
    if (entry.role === 'bidder' || entry.expired || entry.revoked || entry.ca === 'ca-untrusted') continue;
    const dir = join(pkiDir, 'actors', entry.name);
    const encryption = join(dir, 'enc.pem');
    const actor = await registerActor(
      db,
      trust,
      {
        role: entry.role,
        signingCertificate: await readFile(join(dir, 'sign.pem'), 'utf8'),
        encryptionCertificate: existsSync(encryption) ? await readFile(encryption, 'utf8') : undefined,
      },
      at,
    );
    seeded.set(entry.name, actor);
  }
  return seeded;
}
