/**
 * The opening record (开标记录表) as a printable PDF for the archive: the centre's heading, the project,
 * its parties and staff, time and place, who checked in, every bid in upload order with its outcome and
 * summary (money grouped by thousands and in Chinese capitals), the draw with its inputs, outages,
 * objections with their answers, and who signed. It is a rendering of record.json for people: the
 * signatures cover record.json, and the bundle's manifest binds this file like every other.
 *
 * pdfkit lays it out and embeds a subset of a CJK font (Noto Sans CJK from Debian's fonts-noto-cjk
 * unless RECORD_FONT_FILE names another), so the text stays selectable and searchable.
 */
import type { OpeningRecord, SummaryField, SummaryValue } from '@bidhall/shared';
import { amountInWords, detailText, groupThousands, isMoney, openingStatusWords } from '@bidhall/shared';
import PDFDocument from 'pdfkit';

export interface RecordFont {
  readonly file: string;
  /** The face inside a font collection (.ttc), e.g. NotoSansCJKsc-Regular. */
  readonly family?: string;
}

export interface RecordPdfInput {
  readonly heading: string;
  readonly record: OpeningRecord;
  readonly recordSha256: string;
  readonly fields: readonly SummaryField[];
  readonly objections: readonly {
    readonly bidder: string;
    readonly text: string;
    readonly at: string;
    readonly answer: string | null;
    readonly answeredAt: string | null;
  }[];
  readonly signatures: readonly {
    readonly name: string;
    readonly role: 'bidder' | 'host' | 'supervisor';
    readonly at: string;
  }[];
  readonly font: RecordFont;
}

/** China Standard Time, as the centre's clocks show it: "2026-12-02 15:30:00". */
export function chinaTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}

/** A money amount as the record prints it: "12,860,000.00 元（壹仟贰佰捌拾陆万元整）". */
export function moneyText(value: string): string {
  return `${groupThousands(value)} 元（${amountInWords(value)}）`;
}

function fieldText(field: SummaryField | undefined, value: SummaryValue | undefined): string {
  if (value === undefined || value === '') return '—';
  if (field?.type === 'money' && typeof value === 'string' && isMoney(value)) return moneyText(value);
  if (field?.type === 'percent') return `${value}%`;
  if (field?.type === 'days') return `${value} 天`;
  return String(value);
}

/** A bid's reason as the archive prints it: the words of its detail, or (older records) the text. */
function reasonOf(bid: OpeningRecord['bids'][number]): string | null {
  return bid.because ? detailText(bid.because, 'zh') : bid.reason;
}

export function recordPdf(input: RecordPdfInput): Promise<Buffer> {
  const { record } = input;
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 56, right: 56 },
    bufferPages: true,
    info: {
      Title: `开标记录表 ${record.tender.code}`,
      Author: input.heading,
      Subject: record.tender.title,
      // Made from the record, so the same record renders to the same dates.
      CreationDate: new Date(record.generatedAt),
      ModDate: new Date(record.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  if (input.font.family) doc.font(input.font.file, input.font.family);
  else doc.font(input.font.file);
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  const heading = (text: string) => {
    doc.moveDown(0.6).fontSize(12).text(text, { underline: false }).moveDown(0.2).fontSize(10);
  };
  const line = (label: string, value: string) => doc.fontSize(10).text(`${label}：${value}`, { width });

  doc.fontSize(13).text(input.heading, { align: 'center' });
  doc.moveDown(0.3).fontSize(18).text('开标记录表', { align: 'center' }).moveDown(0.8);

  const tender = record.tender;
  line('项目编号', tender.code);
  line('项目名称', tender.title);
  if (tender.lot) line('标段', tender.lot);
  line('招标人', tender.tenderee ?? '—');
  line('招标代理机构', tender.agency ?? '—');
  if (record.staff) {
    line('主持人', record.staff.host || '—');
    line('监督人', record.staff.supervisors.length ? record.staff.supervisors.join('、') : '—');
  }
  line('开标时间', chinaTime(record.openedAt ?? record.deadline));
  line('开标地点', tender.venue ?? '网上开标');
  line('投标截止时间', chinaTime(record.deadline));
  line('解密开始时间', chinaTime(record.decryptionStartedAt));
  line('解密结束时间', chinaTime(record.windowEndedAt));
  line('唱标时间', chinaTime(record.announcedAt));
  if (record.failure) line('开标结果', `流标：${record.failure.reason}`);
  if (tender.ceilingPrice) line('最高投标限价', moneyText(tender.ceilingPrice));

  if (record.checkIns) {
    heading(`签到情况（${record.checkIns.length} 家）`);
    if (!record.checkIns.length) doc.text('无');
    record.checkIns.forEach((c, i) => {
      doc.text(`${i + 1}. ${c.bidder}　签到时间：${chinaTime(c.at)}`, { width });
    });
  }

  heading(`投标文件递交与开标情况（${record.bids.length} 家，按递交顺序）`);
  const fieldsByKey = new Map(input.fields.map((f) => [f.key, f]));
  record.bids.forEach((bid, i) => {
    doc.fontSize(10.5).text(`${i + 1}. ${bid.bidder.name}`, { width });
    doc.fontSize(10);
    const indent = { width: width - 16, indent: 16 };
    doc.text(`递交时间：${chinaTime(bid.receivedAt)}`, indent);
    doc.text(
      `解密结果：${openingStatusWords[bid.openingStatus].zh}${reasonOf(bid) ? `（${reasonOf(bid)}）` : ''}`,
      indent,
    );
    for (const field of input.fields) {
      const value = bid.summary ? bid.summary[field.key] : undefined;
      doc.text(
        `${field.label.zh}：${bid.summary ? fieldText(fieldsByKey.get(field.key), value) : '—'}`,
        indent,
      );
    }
    doc.fillColor('#555').fontSize(8).text(`投标文件 SHA-256：${bid.parts.documentsSha256}`, indent);
    doc.fillColor('black').fontSize(10).moveDown(0.3);
  });

  if (record.draw) {
    heading('随机抽取');
    line('抽取结果', record.draw.value);
    line('备选项', record.draw.options.join('、'));
    line('计算方法', record.draw.formula ?? '—');
    line('平台种子承诺值', record.draw.serverSeedCommitment);
    line('平台种子', record.draw.serverSeed);
    for (const seed of record.draw.seeds)
      doc
        .fontSize(9)
        .text(`${seed.bidder}：承诺 ${seed.commitment}；种子 ${seed.seed ?? '未公开'}`, { width });
    doc.fontSize(10);
  }

  if (record.outages.length) {
    heading('平台故障记录');
    for (const o of record.outages)
      doc.text(`${chinaTime(o.from)} 至 ${chinaTime(o.to)}：${o.reason}`, { width });
  }

  if (record.recordings) {
    // 财政部87号令 Art 39: the opening is recorded; each segment's hash is the one in the audit log.
    heading(`开标录像（${record.recordings.length} 段，截至生成记录时）`);
    if (!record.recordings.length) doc.text('无录像');
    record.recordings.forEach((r, i) => {
      doc.text(`${i + 1}. ${r.peer}　${chinaTime(r.startedAt)} 至 ${chinaTime(r.endedAt)}`, { width });
      doc.fontSize(9).text(`SHA-256 ${r.sha256}`, { width: width - 16, indent: 16 });
      doc.fontSize(10);
    });
  }

  heading(`异议与答复（${input.objections.length} 条）`);
  if (!input.objections.length) doc.text('无');
  input.objections.forEach((o, i) => {
    doc.text(`${i + 1}. ${o.bidder}（${chinaTime(o.at)}）：${o.text}`, { width });
    doc.text(o.answer ? `答复（${chinaTime(o.answeredAt)}）：${o.answer}` : '答复：尚未答复', {
      width: width - 16,
      indent: 16,
    });
  });

  const roleWords = { bidder: '投标人', host: '主持人', supervisor: '监督人' } as const;
  heading(`签署情况（${input.signatures.length} 份）`);
  if (!input.signatures.length) doc.text('无');
  for (const s of input.signatures)
    doc.text(`${roleWords[s.role]} ${s.name}　已签署（CA 数字签名）　${chinaTime(s.at)}`, { width });

  doc.moveDown(1).fillColor('#555').fontSize(8);
  doc.text(
    `本记录表由 record.json 生成；数字签名覆盖 record.json 的全部字节（SHA-256 ${input.recordSha256}）。`,
    {
      width,
    },
  );
  doc.text(`生成时间：${chinaTime(record.generatedAt)}`, { width });

  const range = doc.bufferedPageRange();
  for (let page = range.start; page < range.start + range.count; page++) {
    doc.switchToPage(page);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .fillColor('#555')
      .fontSize(8)
      .text(
        `${tender.code}　第 ${page + 1} 页 / 共 ${range.count} 页`,
        doc.page.margins.left,
        doc.page.height - 36,
        {
          width,
          align: 'center',
        },
      );
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
