/** The demo tender offered on embedded defaults: always one with a deadline ahead. */
import type { TenderView } from '@bidhall/shared';
import { gt } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { type Actor, tenders } from '../db/schema/index.ts';

const demoLifetimeMs = 2 * 60 * 60 * 1000;

export async function ensureDemoTender(
  app: FastifyInstance,
  actors: ReadonlyMap<string, Actor>,
): Promise<TenderView> {
  const [open] = await app.db
    .select()
    .from(tenders)
    .where(gt(tenders.deadline, new Date(Date.now() + 10 * 60_000)))
    .limit(1);
  if (open) return app.tenders.view(open.id);
  const host = actors.get('host')!;
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
  return app.tenders.create(
    {
      code: `DEMO-${stamp}`,
      title: '【演示】市政道路改造工程施工招标 / Demo: municipal road works',
      deadline: new Date(Date.now() + demoLifetimeMs).toISOString(),
      decryptionWindowMinutes: 30,
      summaryFields: [
        { key: 'price', label: { zh: '投标报价（元）', en: 'Price (CNY)' }, type: 'money', required: true },
        {
          key: 'duration',
          label: { zh: '工期（日历天）', en: 'Duration (days)' },
          type: 'days',
          required: true,
        },
        { key: 'quality', label: { zh: '质量标准', en: 'Quality' }, type: 'text', required: false },
      ],
      minBidders: 3,
      custodianIds: ['custodian1', 'custodian2', 'custodian3'].map((name) => actors.get(name)!.id),
      quorum: 2,
      remedyPolicy: 'custodian-quorum',
      openingKeyAlgorithm: 'rsa-2048',
      checkInMinutes: 30,
    },
    { actorId: host.id, role: 'host', ip: null },
  );
}
