import { roles } from '@bidhall/shared';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { registerActor } from '../../auth/actors.ts';
import type { Clock } from '../../clock.ts';

const RegisterActorBody = Type.Object(
  {
    role: Type.Enum(roles),
    signingCertificate: Type.String({ minLength: 100, maxLength: 16 * 1024 }),
    encryptionCertificate: Type.Optional(Type.String({ minLength: 100, maxLength: 16 * 1024 })),
  },
  { additionalProperties: false },
);

/** Administrators register hosts, supervisors, experts, custodians and tenderees by certificate. */
export default fp<{ clock: Clock }>(
  async (app, options) => {
    const api = app.withTypeProvider<TypeBoxTypeProvider>();
    api.post(
      '/api/actors',
      {
        onRequest: app.requireGrant('actor:register'),
        config: { auditAction: 'actor.register' },
        schema: { body: RegisterActorBody },
      },
      async (request, reply) => {
        const actor = await registerActor(app.db, app.trust, request.body, options.clock.now());
        await app.audit.append({
          ...request.auditActor(),
          action: 'actor.register',
          target: actor.id,
          outcome: 'ok',
          detail: { identity: actor.identity, role: actor.role },
        });
        return reply
          .status(201)
          .send({ id: actor.id, role: actor.role, name: actor.name, identity: actor.identity });
      },
    );
  },
  { name: 'actors', dependencies: ['auth', 'pki', 'audit'] },
);
