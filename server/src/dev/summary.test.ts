import type { TenderView } from '@bidhall/shared';
import { describe, expect, it } from 'vitest';
import { startSummary } from './summary.ts';

describe('the start summary', () => {
  const demo = { code: 'DEMO-1', title: '演示项目', deadline: '2026-12-04T10:05:00.000Z' } as TenderView;
  const seed = 'ab'.repeat(32);

  it('says where to open it, the demo tender, its deadline in this machine’s time, the certificates and the seed', () => {
    const text = startSummary({
      url: 'http://127.0.0.1:3000',
      demo,
      bidder: { seedFile: '/data/demo/DEMO-1/bidder1/draw-seed.txt', seed },
      pkiDir: '/repo/certs/out',
      root: '/repo',
    });
    expect(text).toContain('http://127.0.0.1:3000');
    expect(text).toContain('DEMO-1 · 演示项目');
    expect(text).toContain(new Date(demo.deadline).toLocaleString('zh-CN', { hour12: false }));
    expect(text).toContain('certs/out/actors/bidder1/sign.p12');
    expect(text).toContain(`抽取种子 (your draw seed): ${seed}`);
    expect(text).not.toContain('{"');
  });

  it('points at the seed file when the seed could not be read, and says nothing of a demo without one', () => {
    const fileOnly = startSummary({
      url: 'http://x',
      demo,
      bidder: { seedFile: '/data/seed.txt', seed: null },
      pkiDir: '/repo/certs/out',
      root: '/repo',
    });
    expect(fileOnly).toContain('/data/seed.txt');
    const plain = startSummary({ url: 'http://x', demo: null, bidder: null, pkiDir: '/p', root: '/' });
    expect(plain).not.toContain('演示项目');
    expect(plain).toContain('http://x');
  });
});
