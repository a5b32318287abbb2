/**
 * The review benchmark (`npm run bench -- review`): a committee of 9 scoring 60 bids × 30 criteria at
 * once, on the real PostgreSQL. Each member's sheet (1,800 marks) is submitted through the review's step
 * (checked whole, the committee's row locked, audited, the stage aggregated when the last one arrives);
 * all 9 at the same moment, in rounds. Submit-to-aggregate latency p50/p99 (from all 9 sent to each
 * answer) and server CPU per sheet, against a plain batched INSERT of the same 9 × 1,800 marks as rows,
 * measured in the same run. The committee, its tender and its bids are written straight into the
 * database: the opening and the draw are not what is measured here.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ReviewPlan, SheetMark } from '@bidhall/shared';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../server/src/db/client.ts';
import { openDatabase } from '../../server/src/db/client.ts';
import {
  actors,
  bids,
  committeeMembers,
  committees,
  evaluations,
  reviewSheets,
  seats,
  tenders,
} from '../../server/src/db/schema/index.ts';
import { ReviewService } from '../../server/src/evaluation/review-service.ts';
import { createPostgresDatabase } from '../support/db.ts';

type Row = { name: string; bidhall: string; reference: string; ratio: string; target: string };

const members = 9;
const bidCount = Number(process.env.BENCH_REVIEW_BIDS ?? 60);
const criteriaCount = Number(process.env.BENCH_REVIEW_CRITERIA ?? 30);
const rounds = Number(process.env.BENCH_REVIEW_ROUNDS ?? 5);

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** A committee reviewing (the detailed stage open) with its tender, bids, seats and members. */
async function seed(db: Database, index: number) {
  const [creator] = await db
    .insert(actors)
    .values({
      identity: `BENCH-HOST-${index}-${randomBytes(3).toString('hex')}`,
      role: 'host',
      name: '主持人',
    })
    .returning({ id: actors.id });
  const [tender] = await db
    .insert(tenders)
    .values({
      code: `BENCH-${randomUUID()}`,
      title: '评审基准测试项目',
      status: 'announced',
      deadline: new Date(),
      decryptionWindowMinutes: 30,
      summaryFields: [{ key: 'price', label: { zh: '报价', en: 'Price' }, type: 'money', required: true }],
      minBidders: 3,
      quorum: 1,
      remedyPolicy: 'none',
      openingKeyAlgorithm: 'rsa-2048',
      openingCertificate: 'bench',
      createdBy: creator!.id,
      checkInOpensAt: new Date(),
    })
    .returning({ id: tenders.id });
  const bidders = await db
    .insert(actors)
    .values(
      Array.from({ length: bidCount }, (_, i) => ({
        identity: `BENCH-BIDDER-${index}-${i}-${randomBytes(3).toString('hex')}`,
        role: 'bidder' as const,
        name: `投标人${i + 1}`,
      })),
    )
    .returning({ id: actors.id });
  const empty = Buffer.alloc(0);
  const bidRows = await db
    .insert(bids)
    .values(
      bidders.map((b, i) => ({
        tenderId: tender!.id,
        bidderId: b.id,
        summarySha256: '0'.repeat(64),
        summarySize: 0,
        documentsSha256: '0'.repeat(64),
        documentsSize: 0,
        manifest: empty,
        manifestSignature: empty,
        encryptionCertificate: 'bench',
        receivedAt: new Date(),
        receipt: empty,
        openingStatus: 'decrypted' as const,
        summaryFields: { price: (1_000_000 + i * 1234.56).toFixed(2) },
      })),
    )
    .returning({ id: bids.id });
  const [seat] = await db
    .insert(seats)
    .values({
      centre: `基准中心${index}`,
      city: 'beijing',
      room: '评标室',
      seat: '1',
      cidr: '127.0.0.0/8',
      addedAt: new Date(),
    })
    .returning({ id: seats.id });
  const [room] = await db
    .insert(evaluations)
    .values({ tenderId: tender!.id, title: 'bench', mainCity: 'beijing', createdBy: creator!.id })
    .returning({ id: evaluations.id });
  const criteria = Array.from({ length: criteriaCount }, (_, i) => ({
    key: `c${i}`,
    label: { zh: `因素${i}`, en: `c${i}` },
    part: 'technical' as const,
    max: 60 / criteriaCount,
  }));
  const plan: ReviewPlan = {
    qualification: [{ key: 'licence', label: { zh: '资质', en: 'licence' } }],
    compliance: [{ key: 'validity', label: { zh: '有效期', en: 'validity' } }],
    method: 'comprehensive',
    criteria,
    price: {
      field: 'price',
      maxPoints: 40,
      applyDrawnCoefficient: false,
      pointsPerPercentAbove: 1,
      pointsPerPercentBelow: 0.5,
    },
    abnormalPercentOfRange: 100,
    aggregation: 'mean',
    candidates: 3,
    tieBreak: 'lower-price',
    reviewMinutes: 240,
    extensionMinutes: 60,
    signingMinutes: 60,
  };
  const committeeId = randomUUID();
  await db.insert(committees).values({
    id: committeeId,
    tenderId: tender!.id,
    evaluationId: room!.id,
    status: 'reviewing',
    spec: {} as never,
    createdBy: creator!.id,
    createdAt: new Date(),
    signInOpensAt: new Date(),
    signInClosesAt: new Date(),
    platformSeedCommitment: '0'.repeat(64),
    plan,
    reviewStage: 'detailed',
  });
  const people = await db
    .insert(committeeMembers)
    .values(
      Array.from({ length: members }, (_, i) => ({
        committeeId,
        kind: 'expert' as const,
        identity: `BENCH-EXPERT-${index}-${i}`,
        name: `专家${i + 1}`,
        nonce: '0',
        commitment: '0',
        state: 'declared' as const,
        seatId: seat!.id,
      })),
    )
    .returning({ id: committeeMembers.id, identity: committeeMembers.identity });
  const marks = (member: number): SheetMark[] =>
    bidRows.flatMap((bid) =>
      criteria.map((c) => ({
        bidId: bid.id,
        key: c.key,
        score: c.max - (member % 2) * 0.5,
        reason: member % 2 ? '略有不足' : '',
      })),
    );
  return { committeeId, people, marks };
}

export async function benchReview(rows: Row[]): Promise<void> {
  const database = await createPostgresDatabase();
  const handle = await openDatabase({ url: database.url, dataDir: '' });
  const db = handle.db;
  try {
    const review = new ReviewService({
      db,
      clock: { now: () => new Date() },
      publish: () => undefined,
      poke: () => undefined,
    });
    const latencies: number[] = [];
    let cpuMicros = 0;
    let sheets = 0;
    for (let round = 0; round < rounds; round++) {
      const { committeeId, people, marks } = await seed(db, round);
      const sheetsOf = people.map((_, i) => marks(i));
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      await Promise.all(
        people.map(async (person, i) => {
          await review.submitSheet(committeeId, 'detailed', sheetsOf[i]!, {
            actorId: null,
            role: 'expert',
            ip: '127.0.0.1',
            identity: person.identity,
          });
          latencies.push(performance.now() - start);
        }),
      );
      const used = process.cpuUsage(cpuBefore);
      cpuMicros += used.user + used.system;
      sheets += people.length;
      const [row] = await db
        .select({ status: committees.status })
        .from(committees)
        .where(eq(committees.id, committeeId));
      if (row?.status !== 'reporting') throw new Error(`the stage did not aggregate (status ${row?.status})`);
    }
    // The reference: the same marks as rows, in one batched INSERT per sheet, all 9 at once.
    const reference: number[] = [];
    await db.execute(
      sql`CREATE TABLE bench_marks (sheet int, bid uuid, key text, score numeric, reason text)`,
    );
    const { marks } = await seed(db, rounds);
    for (let round = 0; round < rounds; round++) {
      const start = performance.now();
      await Promise.all(
        Array.from({ length: members }, async (_, i) => {
          const values = marks(i).map(
            (m) => sql`(${i}, ${m.bidId}::uuid, ${m.key}, ${m.score}, ${m.reason})`,
          );
          for (let at = 0; at < values.length; at += 1000)
            await db.execute(
              sql`INSERT INTO bench_marks VALUES ${sql.join(values.slice(at, at + 1000), sql`, `)}`,
            );
          reference.push(performance.now() - start);
        }),
      );
    }
    const marksPerSheet = bidCount * criteriaCount;
    rows.push({
      name: `review: ${members} members × ${bidCount} bids × ${criteriaCount} criteria at once`,
      bidhall: `p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`,
      reference: `p50 ${percentile(reference, 50).toFixed(0)} ms, p99 ${percentile(reference, 99).toFixed(0)} ms INSERT`,
      ratio: (percentile(latencies, 99) / percentile(reference, 99)).toFixed(2),
      target: 'report',
    });
    rows.push({
      name: `  … server CPU per sheet (${marksPerSheet} marks, checked, aggregated)`,
      bidhall: `${(cpuMicros / sheets / 1000).toFixed(1)} ms`,
      reference: `${(await reviewSheetCount(db)).toLocaleString('en')} sheets stored`,
      ratio: '—',
      target: 'report',
    });
  } finally {
    await handle.close();
    await database.drop();
  }
}

async function reviewSheetCount(db: Database): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(reviewSheets);
  return row?.n ?? 0;
}
