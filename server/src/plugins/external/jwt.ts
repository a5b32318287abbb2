/**
 * Login tokens (@fastify/jwt, HS256): the secret from TOKEN_SECRET, or one generated once and kept in the
 * data folder, so tokens survive a restart without anyone configuring a secret.
 */
import fastifyJwt from '@fastify/jwt';
import fp from 'fastify-plugin';
import { configuredOrStoredSecret } from '../../secrets.ts';

export interface JwtOptions {
  readonly tokenSecret: string | undefined;
  readonly tokenTtlMinutes: number;
  readonly dataDir: string;
}

export default fp<JwtOptions>(
  async (app, options) => {
    await app.register(fastifyJwt, {
      secret: await configuredOrStoredSecret(options.tokenSecret, options.dataDir, 'token-secret'),
      sign: { expiresIn: `${options.tokenTtlMinutes}m` },
    });
  },
  { name: 'jwt' },
);
