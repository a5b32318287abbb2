/**
 * Certificate login: the server issues a one-time challenge; the client signs its text with the private
 * key of its signing certificate (in the page, or the CLI: the key never leaves the holder); the server
 * checks the signature, the chain to a recognised CA, validity, key usage and revocation, then maps the
 * certificate to an actor for the requested role.
 */
import { randomBytes, verify } from 'node:crypto';
import { type ChallengeResponse, type LoginRequest, loginChallengeText } from '@bidhall/shared';
import { eq, lt } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/client.ts';
import { type Actor, loginChallenges } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { parseCertificateChain } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { actorForLogin } from './actors.ts';

const challengeLifetimeMs = 2 * 60 * 1000;

export class LoginService {
  readonly #db: Database;
  readonly #trust: TrustStore;
  readonly #clock: Clock;
  readonly #platform: string;

  constructor(deps: { db: Database; trust: TrustStore; clock: Clock; platformName: string }) {
    this.#db = deps.db;
    this.#trust = deps.trust;
    this.#clock = deps.clock;
    this.#platform = deps.platformName;
  }

  async createChallenge(): Promise<ChallengeResponse> {
    const now = this.#clock.now();
    const nonce = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + challengeLifetimeMs);
    const challenge = loginChallengeText(this.#platform, nonce, expiresAt.toISOString());
    await this.#db.delete(loginChallenges).where(lt(loginChallenges.expiresAt, now));
    await this.#db.insert(loginChallenges).values({ nonce, challenge, expiresAt });
    return { nonce, challenge, expiresAt: expiresAt.toISOString() };
  }

  async login(request: LoginRequest): Promise<Actor> {
    const now = this.#clock.now();
    // Deleting first makes the challenge single-use even under concurrent attempts.
    const [challenge] = await this.#db
      .delete(loginChallenges)
      .where(eq(loginChallenges.nonce, request.nonce))
      .returning();
    if (!challenge || challenge.expiresAt < now) throw new AppError('LOGIN_CHALLENGE_UNKNOWN');
    const chain = parseCertificateChain(request.certificateChain);
    const leaf = chain[0]!;
    const signature = Buffer.from(request.signature, 'base64');
    const isEc = leaf.publicKey.asymmetricKeyType === 'ec';
    let valid = false;
    try {
      valid = verify(
        'sha256',
        Buffer.from(challenge.challenge, 'utf8'),
        isEc ? { key: leaf.publicKey, dsaEncoding: 'der' } : leaf.publicKey,
        signature,
      );
    } catch {
      valid = false;
    }
    if (!valid) throw new AppError('LOGIN_SIGNATURE_INVALID');
    const { identity } = this.#trust.verify(chain, { at: now, anyUsage: ['digitalSignature'] });
    return actorForLogin(this.#db, leaf, identity, request.role);
  }
}
