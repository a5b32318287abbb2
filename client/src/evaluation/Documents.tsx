/**
 * The bid documents as a member reads them at its seat: each bid's files as a tree (its package's
 * folders), and two readers side by side so two bids can be compared. A file is fetched when opened (the
 * server audits each opening before a byte leaves) and shown in the page: PDF through pdf.js (loaded on
 * demand), images, plain text; anything else can be saved. The opening record is one more document.
 */
import type { CommitteeBidDocuments, SummaryField } from '@bidhall/shared';
import { lazy, Suspense, useEffect, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { parseRecord, RecordReadable } from '../hall/panels/RecordPanel.tsx';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { ScrollText } from '../ui/ScrollText.tsx';
import { Section } from '../ui/Section.tsx';

const PdfView = lazy(() => import('./PdfView.tsx'));

type Opened =
  | { readonly kind: 'pdf'; readonly bytes: Uint8Array }
  | { readonly kind: 'image'; readonly url: string }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'other'; readonly url: string };

interface Choice {
  readonly bidId: string;
  readonly index: number;
  readonly path: string;
}

const textExtensions = /\.(txt|md|csv|xml|json|html?)$/i;
const imageTypes: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

async function openFile(session: Session, committeeId: string, choice: Choice): Promise<Opened> {
  const response = await fetch(
    `/api/committees/${committeeId}/documents/${choice.bidId}/files/${choice.index}`,
    { headers: { authorization: `Bearer ${session.token}` } },
  );
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
  const bytes = new Uint8Array(await response.arrayBuffer());
  const extension = choice.path.split('.').pop()?.toLowerCase() ?? '';
  if (extension === 'pdf') return { kind: 'pdf', bytes };
  const image = imageTypes[extension];
  if (image) return { kind: 'image', url: URL.createObjectURL(new Blob([bytes], { type: image })) };
  if (textExtensions.test(choice.path)) return { kind: 'text', text: new TextDecoder().decode(bytes) };
  return { kind: 'other', url: URL.createObjectURL(new Blob([bytes])) };
}

/** A bid's files grouped by folder, as the package holds them. */
function FileTree({
  bid,
  chosen,
  onChoose,
}: {
  bid: CommitteeBidDocuments;
  chosen: Choice | null;
  onChoose: (choice: Choice) => void;
}) {
  const folders = new Map<string, CommitteeBidDocuments['files'][number][]>();
  for (const file of bid.files) {
    const folder = file.path.includes('/') ? file.path.slice(0, file.path.lastIndexOf('/')) : '';
    folders.set(folder, [...(folders.get(folder) ?? []), file]);
  }
  return (
    <ul className="file-tree">
      {[...folders].map(([folder, files]) => (
        <li key={folder}>
          {folder && <span className="folder">{folder}/</span>}
          <ul>
            {files.map((file) => {
              const current = chosen?.bidId === bid.bidId && chosen.index === file.index;
              return (
                <li key={file.index}>
                  <button
                    type="button"
                    className="link"
                    aria-pressed={current}
                    onClick={() => onChoose({ bidId: bid.bidId, index: file.index, path: file.path })}
                  >
                    {file.path.split('/').pop()}
                  </button>{' '}
                  <span className="muted small">{Math.max(1, Math.round(file.bytes / 1024))} KB</span>
                </li>
              );
            })}
          </ul>
        </li>
      ))}
    </ul>
  );
}

function Reader({
  session,
  committeeId,
  bids,
  label,
  testId,
}: {
  session: Session;
  committeeId: string;
  bids: readonly CommitteeBidDocuments[];
  label: string;
  testId: string;
}) {
  const { t, error: describe } = useI18n();
  const [bidId, setBidId] = useState(bids[0]?.bidId ?? '');
  const [choice, setChoice] = useState<Choice | null>(null);
  const [opened, setOpened] = useState<Opened | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!choice) return;
    let current = true;
    setOpened(null);
    setProblem(null);
    openFile(session, committeeId, choice).then(
      (file) => current && setOpened(file),
      (error: unknown) => current && setProblem(describe(error)),
    );
    return () => {
      current = false;
    };
  }, [choice, session, committeeId, describe]);
  useEffect(
    () => () => {
      if (opened && (opened.kind === 'image' || opened.kind === 'other')) URL.revokeObjectURL(opened.url);
    },
    [opened],
  );
  const bid = bids.find((b) => b.bidId === bidId);
  const name = choice?.path.split('/').pop() ?? '';
  return (
    <section className="reader" aria-label={label} data-testid={testId}>
      <label>
        {t('bidToRead')}
        <select value={bidId} onChange={(e) => setBidId(e.target.value)}>
          {bids.map((b) => (
            <option key={b.bidId} value={b.bidId}>
              {b.bidder}
            </option>
          ))}
        </select>
      </label>
      {bid && <FileTree bid={bid} chosen={choice} onChoose={setChoice} />}
      <div className="reader-page" aria-live="polite">
        {problem && (
          <p role="alert" className="outcome error">
            {problem}
          </p>
        )}
        {choice && !opened && !problem && <p className="muted">{t('loading')}</p>}
        {opened?.kind === 'pdf' && (
          <Suspense fallback={<p className="muted">{t('loading')}</p>}>
            <PdfView bytes={opened.bytes} />
          </Suspense>
        )}
        {opened?.kind === 'image' && <img src={opened.url} alt={name} className="document-image" />}
        {opened?.kind === 'text' && <ScrollText text={opened.text} label={name} />}
        {opened?.kind === 'other' && (
          <p>
            {t('cannotShowFile')}{' '}
            <a href={opened.url} download={name}>
              {t('saveFile', { name })}
            </a>
          </p>
        )}
      </div>
    </section>
  );
}

/** The decrypted bids' file lists, for a member at its seat (null while loading or when refused). */
export function useBidDocuments(session: Session, committeeId: string, enabled: boolean) {
  const { error: describe } = useI18n();
  const [bids, setBids] = useState<CommitteeBidDocuments[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    api<CommitteeBidDocuments[]>('GET', `/api/committees/${committeeId}/documents`, {
      token: session.token,
    }).then(setBids, (error: unknown) => setProblem(describe(error)));
  }, [session.token, committeeId, describe, enabled]);
  return { bids, problem };
}

interface CommitteeOpeningRecord {
  sha256: string;
  text: string;
  summaryFields: SummaryField[];
}

/** The opening record as the hall showed it, with the exact signed text and its hash one click away. */
function OpeningRecordView({ record }: { record: CommitteeOpeningRecord }) {
  const { t } = useI18n();
  const parsed = parseRecord(record.text);
  return (
    <section className="step" aria-label={t('recordTitle')} data-testid="opening-record">
      {parsed ? (
        <RecordReadable record={parsed} fields={record.summaryFields} />
      ) : (
        <ScrollText text={record.text} label={t('recordTitle')} />
      )}
      <details>
        <summary>{t('signedText')}</summary>
        <p className="muted mono">SHA-256 {record.sha256}</p>
        <ScrollText text={record.text} label={t('signedText')} />
      </details>
    </section>
  );
}

export function Documents({
  session,
  committeeId,
  bids,
}: {
  session: Session;
  committeeId: string;
  bids: readonly CommitteeBidDocuments[];
}) {
  const { t, error: describe } = useI18n();
  const [record, setRecord] = useState<CommitteeOpeningRecord | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [sideBySide, setSideBySide] = useState(false);
  const showRecord = () =>
    api<CommitteeOpeningRecord>('GET', `/api/committees/${committeeId}/opening-record`, {
      token: session.token,
    }).then(
      (r) => setRecord(r),
      (error: unknown) => setProblem(describe(error)),
    );
  return (
    <Section title={t('bidDocuments')} id="documents">
      {problem && (
        <p role="alert" className="outcome error">
          {problem}
        </p>
      )}
      <div className="actions">
        <label className="check">
          <input type="checkbox" checked={sideBySide} onChange={(e) => setSideBySide(e.target.checked)} />
          {t('twoBidsSideBySide')}
        </label>
        <button type="button" onClick={() => void (record === null ? showRecord() : setRecord(null))}>
          {record === null ? t('showOpeningRecord') : t('hideOpeningRecord')}
        </button>
      </div>
      {record !== null && <OpeningRecordView record={record} />}
      {bids.length > 0 && (
        <div className={sideBySide ? 'readers two' : 'readers'}>
          <Reader
            session={session}
            committeeId={committeeId}
            bids={bids}
            label={t('readerLeft')}
            testId="reader-left"
          />
          {sideBySide && (
            <Reader
              session={session}
              committeeId={committeeId}
              bids={bids.length > 1 ? [...bids.slice(1), bids[0]!] : bids}
              label={t('readerRight')}
              testId="reader-right"
            />
          )}
        </div>
      )}
    </Section>
  );
}
