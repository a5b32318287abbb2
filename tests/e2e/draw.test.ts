/**
 * The random draw cannot be steered: the platform's seed is not in the database before the reading of
 * bids, reveals close when the decryption window ends and the reading waits for that, and the published
 * result follows the one documented formula — recomputed here by the test's own code.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../server/src/db/client.ts';
import { useServer } from '../support/fixture.ts';
import { decryptedOpening, endWindow, ofType } from '../support/hall.ts';

const { server, work, track } = useServer('draw');
const draw = { label: { zh: '下浮系数', en: 'Discount' }, options: ['0.95', '0.96', '0.97', '0.98', '0.99'] };

/** The documented formula, written out independently of the server's and the shared code. */
function expectedIndex(serverSeed: string, seeds: string[], options: number): number {
  const input = `${serverSeed}:${[...seeds].sort().join(':')}`;
  const digest = createHash('sha256').update(Buffer.from(input, 'utf8')).digest();
  let value = 0n;
  for (const byte of digest) value = value * 256n + BigInt(byte);
  return Number(value % BigInt(options));
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('the random draw', () => {
  it('seal-17: the platform seed is nowhere in the database before the reading; reveals close with the window; no reveal follows the documented formula', async () => {
    const opening = await decryptedOpening(server, work, ['bidder1', 'bidder2', 'bidder3'], { draw });
    track(...opening.clients);
    const { tender, host } = opening;
    const commitment = tender.draw!.serverSeedCommitment;
    // Nothing in the tender's row (or any other text the database holds for it) opens the commitment.
    const [row] = rowsOf<Record<string, unknown>>(
      await server.app.db.execute(sql`SELECT * FROM tenders WHERE id = ${tender.id}`),
    );
    expect(row!.server_seed).toBeNull();
    const texts = Object.values(row!).filter((v): v is string => typeof v === 'string');
    expect(texts.some((text) => sha256(text) === commitment)).toBe(false);

    // Seeds may still be revealed: the reading waits for them or for the end of the window.
    await expect(host.request('hall:announce', { tenderId: tender.id })).rejects.toMatchObject({
      code: 'HALL_WRONG_STATE',
      message: expect.stringMatching(/draw seed/),
    });
    await endWindow(server, tender.id, host);
    await expect(
      opening.bidders
        .get('bidder1')!
        .request('hall:reveal-seed', { tenderId: tender.id, seed: opening.drawSeeds.get('bidder1')! }),
    ).rejects.toMatchObject({ code: 'HALL_WRONG_STATE' });
    await host.request('hall:announce', { tenderId: tender.id });
    const published = (await host.waitFor(ofType('draw'))).data;
    expect(sha256(published.serverSeed!)).toBe(commitment);
    expect(published.seeds.every((s) => s.seed === null)).toBe(true);
    const index = expectedIndex(published.serverSeed!, [], draw.options.length);
    expect(published.result).toEqual({ index, value: draw.options[index] });

    // The record carries every input.
    await host.request('hall:open-record', { tenderId: tender.id });
    const record = JSON.parse((await host.waitFor(ofType('record'))).data.text);
    expect(record.draw).toMatchObject({
      options: draw.options,
      serverSeed: published.serverSeed,
      serverSeedCommitment: commitment,
      index,
      value: draw.options[index],
    });
    expect(record.draw.seeds).toHaveLength(3);
  });

  it('seal-17: when every bidder has revealed, the reading need not wait, and the seeds count', async () => {
    const opening = await decryptedOpening(server, work, ['bidder1', 'bidder2', 'bidder3'], { draw });
    track(...opening.clients);
    const { tender, host } = opening;
    for (const [bidder, client] of opening.bidders)
      await client.request('hall:reveal-seed', { tenderId: tender.id, seed: opening.drawSeeds.get(bidder)! });
    await host.request('hall:announce', { tenderId: tender.id });
    const published = (await host.waitFor(ofType('draw'))).data;
    const seeds = [...opening.drawSeeds.values()];
    const index = expectedIndex(published.serverSeed!, seeds, draw.options.length);
    expect(published.result).toEqual({ index, value: draw.options[index] });
  });
});
