import { CreateTenderRequest, TenderView } from '@bidhall/shared';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import type { Clock } from '../../clock.ts';
import { configuredOrStoredSecret } from '../../secrets.ts';
import { TenderService } from '../../tenders/tender-service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    tenders: TenderService;
    /** Derives each tender's platform draw seed; never stored (tenders/draw-seed.ts). */
    drawSecret: string;
  }
}

export const TenderParams = Type.Object({ tenderId: Type.String({ maxLength: 64 }) });

export default fp<{ clock: Clock; platformName: string; dataDir: string; drawSecret: string | undefined }>(
  async (app, options) => {
    const drawSecret = await configuredOrStoredSecret(options.drawSecret, options.dataDir, 'draw-secret');
    app.decorate('drawSecret', drawSecret);
    const tenders = new TenderService({
      db: app.db,
      clock: options.clock,
      trust: app.trust,
      openingCa: app.openingCa,
      platformSigner: app.platformSigner,
      platformName: options.platformName,
      drawSecret,
    });
    app.decorate('tenders', tenders);
    const api = app.withTypeProvider<TypeBoxTypeProvider>();

    api.post(
      '/api/tenders',
      {
        onRequest: app.requireGrant('tender:create'),
        config: { auditAction: 'tender.create' },
        schema: { body: CreateTenderRequest, response: { 201: TenderView } },
      },
      async (request, reply) => {
        const view = await tenders.create(request.body, {
          ...request.auditActor(),
          actorId: request.actor!.sub,
        });
        return reply.status(201).send(view);
      },
    );
    api.get(
      '/api/tenders',
      { onRequest: app.requireGrant('tender:list'), schema: { response: { 200: Type.Array(TenderView) } } },
      () => tenders.list(),
    );
    api.get(
      '/api/tenders/:tenderId',
      {
        onRequest: app.requireGrant('tender:read'),
        schema: { params: TenderParams, response: { 200: TenderView } },
      },
      (request) => tenders.view(request.params.tenderId),
    );
  },
  { name: 'tenders', dependencies: ['auth', 'pki', 'audit'] },
);
