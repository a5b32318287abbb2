import { detailText } from '@bidhall/shared';
import canonicalize from 'canonicalize';
import { beforeAll, describe, expect, it } from 'vitest';
import { signSmall } from '../../server/src/cms/signed-data.ts';
import { signRecord } from '../../server/src/hall-client/bidder-actions.ts';
import { sha256Hex } from '../../server/src/opening/record.ts';
import { readTar, verifyRecordBundle, writeTar } from '../../server/src/opening/record-bundle.ts';
import { useServer } from '../support/fixture.ts';
import { decryptedOpening, endWindow, exportedBundle, ofType, signerOf } from '../support/hall.ts';
import { devTrustStore } from '../support/pki.ts';

const { server, work, track } = useServer('bundle');
let bundle: Buffer;

beforeAll(async () => {
  const opening = await decryptedOpening(server, work, ['bidder1', 'bidder2', 'bidder3'], {
    draw: { label: { zh: 'K值', en: 'K' }, options: ['1', '2', '3'] },
  });
  track(...opening.clients);
  const { tender, host, bidders } = opening;
  await bidders
    .get('bidder1')!
    .request('hall:reveal-seed', { tenderId: tender.id, seed: opening.drawSeeds.get('bidder1')! });
  await endWindow(server, tender.id, host);
  await host.request('hall:announce', { tenderId: tender.id });
  await host.request('hall:open-record', { tenderId: tender.id });
  const text = (await host.waitFor(ofType('record'))).data.text;
  for (const client of bidders.values()) await client.waitFor(ofType('record'));
  await signRecord(bidders.get('bidder1')!, tender.id, signerOf('bidder1'));
  // bidder2's signature says it was made in 2020, before its certificate existed: what counts is when
  // the server received it.
  const backdated = signSmall(Buffer.from(text, 'utf8'), signerOf('bidder2'), {
    detached: true,
    signingTime: new Date('2020-01-01T00:00:00Z'),
  });
  await bidders
    .get('bidder2')!
    .request('hall:sign-record', { tenderId: tender.id, signature: backdated.toString('base64') });
  const { objectionId } = await bidders
    .get('bidder3')!
    .request('hall:object', { tenderId: tender.id, text: '报价大写有误' });
  await host.request('hall:answer', { tenderId: tender.id, objectionId, text: '已核对，原样记录' });
  await host.request('hall:close', { tenderId: tender.id });
  bundle = await exportedBundle(server, tender.id);
});

const platform = () => server.app.platformSigner.certificate;
async function verify(archive: Buffer) {
  return verifyRecordBundle(archive, await devTrustStore(), platform());
}
async function edited(change: (files: Map<string, Buffer>) => void): Promise<Buffer> {
  const files = await readTar(bundle);
  change(files);
  return writeTar(Object.fromEntries(files));
}

describe('the record bundle', () => {
  it('seal-08: verifies as exported, with every signer judged when the server received its signature', async () => {
    const report = await verify(bundle);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, status: 'closed', objections: 1, unanswered: 0 });
    expect([...report.signed].sort()).toEqual(['北方路桥集团有限公司', '华东建设工程有限公司'].sort());
  });

  it('seal-08: every signature removed is reported, file by file', async () => {
    const report = await verify(
      await edited((files) => {
        for (const name of [...files.keys()]) if (name.startsWith('signatures/')) files.delete(name);
      }),
    );
    expect(report.ok).toBe(false);
    expect(report.problems.filter((p) => /^signatures\/.+ was removed$/.test(p))).toHaveLength(2);
  });

  it('seal-08: an edited answer with its hash updated in the manifest breaks the platform signature', async () => {
    const report = await verify(
      await edited((files) => {
        const objections = JSON.parse(files.get('objections.json')!.toString('utf8'));
        objections[0].answer = '异议不成立';
        const rewritten = Buffer.from(canonicalize(objections)!, 'utf8');
        files.set('objections.json', rewritten);
        const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
        manifest.files['objections.json'] = sha256Hex(rewritten);
        files.set('manifest.json', Buffer.from(canonicalize(manifest)!, 'utf8'));
      }),
    );
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/manifest\.json was changed after the platform signed it/);
  });

  it('seal-08: an added file, a changed byte of the record, a missing platform signature, a manifest signed by someone else', async () => {
    const added = await verify(await edited((files) => files.set('extra.txt', Buffer.from('补充说明'))));
    expect(added.problems).toContain('extra.txt was added: it is not in the signed manifest');
    const altered = await verify(
      await edited((files) => {
        const record = files.get('record.json')!;
        const at = record.length - 2;
        record.writeUInt8(record[at]! ^ 1, at);
      }),
    );
    expect(altered.problems).toContain('record.json was altered');
    // The page reads the same finding in its own language.
    expect(altered.findings.map((f) => detailText(f, 'zh'))).toContain('record.json 被改动');
    const unsigned = await verify(await edited((files) => files.delete('manifest.p7s')));
    expect(unsigned.problems.join('\n')).toMatch(/manifest\.p7s .* is missing/);
    const forged = await verify(
      await edited((files) =>
        files.set(
          'manifest.p7s',
          signSmall(files.get('manifest.json')!, signerOf('bidder1'), { detached: true }),
        ),
      ),
    );
    expect(forged.problems.join('\n')).toMatch(/not by the platform's receipt certificate/);
  });

  it('seal-08: a draw result that does not follow from its inputs fails, naming the draw', async () => {
    const report = await verify(
      await edited((files) => {
        const record = JSON.parse(files.get('record.json')!.toString('utf8'));
        record.draw.index = (record.draw.index + 1) % 3;
        record.draw.value = record.draw.options[record.draw.index];
        files.set('record.json', Buffer.from(canonicalize(record)!, 'utf8'));
      }),
    );
    expect(report.problems).toContain('record.json was altered');
    expect(report.problems.join('\n')).toMatch(/the draw recomputes to/);
  });
});
