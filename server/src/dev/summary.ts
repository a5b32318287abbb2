/**
 * What `bidhall start` prints on a terminal once it is up: where to open it, and for the demo what a
 * newcomer needs to play its bidder (the tender, its deadline in this machine's time, the certificates
 * and PIN, the draw seed itself), in Chinese with English beside it. The JSON logs stay for machines.
 */
import { relative } from 'node:path';
import type { TenderView } from '@bidhall/shared';
import type { DemoBidder } from './demo.ts';

export function startSummary(options: {
  url: string;
  demo: TenderView | null;
  bidder: DemoBidder | null;
  pkiDir: string;
  root: string;
}): string {
  const { url, demo, bidder } = options;
  const local = (iso: string) => {
    const at = new Date(iso);
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return `${at.toLocaleString('zh-CN', { hour12: false })} (${zone})`;
  };
  const actors = relative(options.root, `${options.pkiDir}/actors`);
  const lines = ['', `bidhall 已启动 (running): ${url}`];
  if (demo) {
    lines.push(
      `演示项目 (demo tender): ${demo.code} · ${demo.title}`,
      `投标截止 (bidding closes): ${local(demo.deadline)}`,
      `投标人登录 (log in as the bidder): ${actors}/bidder1/sign.p12，解密证书 (to decrypt) ${actors}/bidder1/enc.p12，PIN 123456`,
      `主持人 / 监督人员 / 评标专家 (host / supervisor / experts): ${actors}/{host,supervisor,expert1,expert2}/sign.p12`,
    );
    if (bidder?.seed) lines.push(`抽取种子 (your draw seed): ${bidder.seed}`);
    else if (bidder) lines.push(`抽取种子 (your draw seed): ${bidder.seedFile}`);
  }
  lines.push('按 Ctrl+C 停止 (Ctrl+C stops it)', '');
  return lines.join('\n');
}
