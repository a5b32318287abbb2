/**
 * The evaluation module's HTTP side: so far the expert pool and the seat catalogue (administrators import
 * experts from CSV and add seats; supervisors read both). Committees, the draw and the review come next
 * (docs/evaluation.md).
 */
import { type ExpertImportResult, type PoolExpert, SeatRequest, type SeatView } from '@bidhall/shared';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import type { Clock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { ExpertPool } from '../../evaluation/pool.ts';

declare module 'fastify' {
  interface FastifyInstance {
    pool: ExpertPool;
  }
}

export default fp<{ clock: Clock }>(
  async (app, options) => {
    const pool = new ExpertPool(app.db);
    app.decorate('pool', pool);
    const api = app.withTypeProvider<TypeBoxTypeProvider>();

    api.register(async (scope) => {
      scope.addContentTypeParser(
        'text/csv',
        { parseAs: 'string', bodyLimit: 8 * 1024 * 1024 },
        (_r, body, done) => done(null, body),
      );
      scope.post(
        '/api/experts/import',
        { onRequest: app.requireGrant('pool:manage'), config: { auditAction: 'expert.import' } },
        async (request, reply): Promise<ExpertImportResult> => {
          if (typeof request.body !== 'string') throw new AppError('VALIDATION_FAILED', { key: 'sendAsCsv' });
          const result = await pool.importCsv(request.body, request.auditActor(), options.clock.now());
          reply.code(201);
          return result;
        },
      );
    });
    api.get(
      '/api/experts',
      { onRequest: app.requireGrant('pool:read') },
      (): Promise<PoolExpert[]> => pool.list(),
    );
    api.post(
      '/api/seats',
      {
        onRequest: app.requireGrant('pool:manage'),
        config: { auditAction: 'seat.add' },
        schema: { body: SeatRequest },
      },
      async (request, reply): Promise<SeatView> => {
        const seat = await pool.addSeat(request.body, request.auditActor(), options.clock.now());
        reply.code(201);
        return seat;
      },
    );
    api.get(
      '/api/seats',
      { onRequest: app.requireGrant('pool:read') },
      (): Promise<SeatView[]> => pool.seats(),
    );
  },
  { name: 'evaluation', dependencies: ['database', 'audit', 'auth'] },
);
