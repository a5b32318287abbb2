/** The pieces every role's hall page shares: header with clocks, bids, summary, draw, record, timeline. */
import {
  allowedIn,
  biddersSealed,
  bidIn,
  drawIndexOf,
  drawInput,
  type HallEvent,
  type OpeningRecord,
  recordFormat,
  type TenderView,
  venueOf,
} from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import { type FormEvent, lazy, type ReactNode, Suspense, useState } from 'react';
import { sha256Hex } from '../api.ts';
import type { HallView } from '../hall-state.ts';
import { type TextKey, useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { type Connection, useTicker } from './useHall.ts';

export function useFormat() {
  const { language } = useI18n();
  const locale = language === 'zh' ? 'zh-CN' : 'en-GB';
  return {
    time: (iso: string | number) =>
      new Date(iso).toLocaleString(locale, { hour12: false, dateStyle: 'short', timeStyle: 'medium' }),
    clock: (ms: number) => new Date(ms).toLocaleTimeString(locale, { hour12: false }),
  };
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

/** Runs one user action at a time, keeping its busy state and its outcome for display. */
export function useAction() {
  const { error: describe } = useI18n();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const run = async (action: () => Promise<string | undefined | undefined>) => {
    setBusy(true);
    setMessage(null);
    try {
      const done = await action();
      if (done) setMessage({ kind: 'ok', text: done });
    } catch (error) {
      setMessage({ kind: 'error', text: describe(error) });
    } finally {
      setBusy(false);
    }
  };
  return { busy, message, run, setMessage };
}

export function Outcome({ message }: { message: { kind: 'ok' | 'error'; text: string } | null }) {
  if (!message) return null;
  return (
    <p
      className={message.kind === 'ok' ? 'outcome ok' : 'outcome error'}
      role={message.kind === 'ok' ? 'status' : 'alert'}
    >
      {message.text}
    </p>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="card" aria-labelledby={id ? `${id}-title` : undefined}>
      <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
      {children}
    </section>
  );
}

export function HallHeader({
  view,
  connection,
  client,
}: {
  view: HallView;
  connection: Connection;
  client: HallClient | null;
}) {
  const { t } = useI18n();
  const format = useFormat();
  useTicker();
  const now = client?.serverNow() ?? Date.now();
  let countdown: ReactNode = null;
  if (biddersSealed(view.status)) {
    countdown = (
      <span>
        {t('countdownToDeadline')}{' '}
        <strong className="countdown">{formatDuration(Date.parse(view.deadline) - now)}</strong>
      </span>
    );
  } else if (allowedIn('decrypting', view.status) && view.window) {
    countdown =
      view.window.pausedRemainingMs !== null ? (
        <span>
          {t('windowPaused')}{' '}
          <strong className="countdown">{formatDuration(view.window.pausedRemainingMs)}</strong>
        </span>
      ) : view.window.endsAt ? (
        <span>
          {t('countdownWindow')}{' '}
          <strong className="countdown">{formatDuration(Date.parse(view.window.endsAt) - now)}</strong>
        </span>
      ) : null;
  }
  return (
    <header className="hall-header card">
      <div>
        <p className="muted">{view.code}</p>
        <h1 className="tender-title">{view.title}</h1>
        <p>
          {t('deadline')}: {format.time(view.deadline)}
        </p>
      </div>
      <div className="hall-clocks">
        <p>
          {t('status')}:{' '}
          <span className={`badge status-${view.status}`} data-testid="status">
            {t(`status_${view.status}` as TextKey)}
          </span>
        </p>
        <p>{countdown}</p>
        <p className="muted">
          {t('serverTime')} {format.clock(now)}
        </p>
        <p role="status" aria-live="polite" className={`connection ${connection}`} data-testid="connection">
          {connection === 'online'
            ? t('connected')
            : connection === 'reconnecting'
              ? t('reconnecting')
              : t('connecting')}
        </p>
      </div>
    </header>
  );
}

export function BidList({
  view,
  progress,
  alsoCheckedIn,
}: {
  view: HallView;
  progress: Readonly<Record<string, number>>;
  /** A bidder's own check-in before the deadline, known from its ack (check-ins are not broadcast then). */
  alsoCheckedIn?: string | null;
}) {
  const checkedIn = alsoCheckedIn ? [...view.checkedIn, alsoCheckedIn] : view.checkedIn;
  const { t } = useI18n();
  const format = useFormat();
  if (view.bids.length === 0) {
    return (
      <Section title={t('bidders')}>
        <p className="muted">{biddersSealed(view.status) ? t('biddersHidden') : t('noBids')}</p>
        {view.checkedIn.length > 0 && (
          <p>
            {t('checkedInCount')}: {view.checkedIn.length}
          </p>
        )}
      </Section>
    );
  }
  return (
    <Section title={`${t('bidders')} (${view.bids.length})`}>
      <div className="table-wrap">
        <table data-testid="bids">
          <thead>
            <tr>
              <th scope="col">{t('bidder')}</th>
              <th scope="col">{t('receivedAt')}</th>
              <th scope="col">{t('checkedIn')}</th>
              <th scope="col">{t('decryption')}</th>
            </tr>
          </thead>
          <tbody>
            {view.bids.map((bid) => {
              const documents = progress[bid.bidId] ?? bid.documentsProgress;
              return (
                <tr key={bid.bidId}>
                  <td>{bid.bidderName}</td>
                  <td>{format.time(bid.receivedAt)}</td>
                  <td>{checkedIn.includes(bid.bidderName) ? '✓' : '—'}</td>
                  <td>
                    <span className={`badge opening-${bid.openingStatus}`}>
                      {t(`opening_${bid.openingStatus}` as TextKey)}
                    </span>
                    {bid.openingStatus === 'summary-decrypted' && (
                      <progress max={1} value={documents} aria-label={`${bid.bidderName} ${t('progress')}`} />
                    )}
                    {bid.reason && <span className="muted"> — {bid.reason}</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

export function SummaryTableView({ view, tender }: { view: HallView; tender: TenderView | null }) {
  const { t, language } = useI18n();
  if (!view.summaryTable) return null;
  const fields = tender?.summaryFields ?? [];
  return (
    <Section title={t('summaryTable')}>
      <div className="table-wrap">
        <table data-testid="summary-table">
          <thead>
            <tr>
              <th scope="col">{t('bidder')}</th>
              {fields.map((f) => (
                <th scope="col" key={f.key}>
                  {f.label[language]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {view.summaryTable.map((row) => (
              <tr key={row.bidderName}>
                <td>{row.bidderName}</td>
                {fields.map((f) => (
                  <td key={f.key} className={f.type === 'text' ? '' : 'number'}>
                    {String(row.fields[f.key] ?? '—')}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

/** The draw recomputed in this page from its published inputs (the formula: shared/src/draw.ts). */
export async function recomputeDraw(serverSeed: string, bidderSeeds: readonly string[], options: number) {
  return drawIndexOf(await sha256Hex(drawInput(serverSeed, bidderSeeds)), options);
}

export function DrawPanel({ view, tender }: { view: HallView; tender: TenderView | null }) {
  const { t, language } = useI18n();
  const [check, setCheck] = useState<boolean | null>(null);
  const draw = view.draw;
  if (!draw) return null;
  const recompute = async () => {
    if (!draw.serverSeed || !draw.result) return;
    const seeds = draw.seeds.filter((s) => s.seed).map((s) => s.seed!);
    const index = await recomputeDraw(draw.serverSeed, seeds, draw.options.length);
    setCheck(index === draw.result.index);
  };
  return (
    <Section title={`${t('draw')}${tender?.draw ? ` · ${tender.draw.label[language]}` : ''}`}>
      {draw.result ? (
        <p className="draw-result">
          {t('drawResult')}: <strong data-testid="draw-result">{draw.result.value}</strong>
        </p>
      ) : (
        <p className="muted">{t('drawPending')}</p>
      )}
      <details>
        <summary>{t('drawInputs')}</summary>
        <dl className="draw-inputs">
          <dt>{t('drawOptions')}</dt>
          <dd>{draw.options.join(' · ')}</dd>
          <dt>{t('serverSeedCommitment')}</dt>
          <dd className="mono">{draw.serverSeedCommitment}</dd>
          <dt>{t('serverSeed')}</dt>
          <dd className="mono">{draw.serverSeed ?? '—'}</dd>
          {draw.seeds.map((s) => (
            <div key={s.bidderName}>
              <dt>{s.bidderName}</dt>
              <dd className="mono">
                {t('commitment')} {s.commitment}
                <br />
                {t('seed')} {s.seed ?? t('notRevealed')}
              </dd>
            </div>
          ))}
        </dl>
        <p className="muted">{t('drawFormula')}</p>
      </details>
      {draw.result && draw.serverSeed && (
        <p>
          <button type="button" onClick={() => void recompute()}>
            {t('recompute')}
          </button>{' '}
          {check !== null && (
            <span role="status" className={check ? 'ok' : 'error'} data-testid="draw-check">
              {check ? t('recomputedSame') : t('recomputedDiffers')}
            </span>
          )}
        </p>
      )}
    </Section>
  );
}

function parseRecord(text: string): OpeningRecord | null {
  try {
    const record = JSON.parse(text) as OpeningRecord;
    return record.format === recordFormat ? record : null;
  } catch {
    return null;
  }
}

/**
 * The opening record as people read it, with the exact text that is signed (canonical JSON) one click
 * away: what a bidder signs must be what it was shown.
 */
export function RecordPanel({
  view,
  tender,
  children,
}: {
  view: HallView;
  tender: TenderView | null;
  children?: ReactNode;
}) {
  const { t, language } = useI18n();
  const format = useFormat();
  if (!view.record) return null;
  const record = parseRecord(view.record.text);
  const fields = tender?.summaryFields ?? [];
  const when = (iso: string | null) => (iso ? format.time(iso) : '—');
  return (
    <Section title={t('record')}>
      {record && (
        <div data-testid="record-readable">
          <dl className="record-facts">
            <dt>{t('code')}</dt>
            <dd>
              {record.tender.code} · {record.tender.title}
            </dd>
            <dt>{t('deadline')}</dt>
            <dd>{when(record.deadline)}</dd>
            <dt>{t('openedAt')}</dt>
            <dd>{when(record.openedAt)}</dd>
            <dt>{t('decryptionStartedAt')}</dt>
            <dd>{when(record.decryptionStartedAt)}</dd>
            <dt>{t('announcedAt')}</dt>
            <dd>{when(record.announcedAt)}</dd>
            {record.draw && (
              <>
                <dt>{t('drawResult')}</dt>
                <dd>{record.draw.value}</dd>
              </>
            )}
          </dl>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('bidder')}</th>
                  <th scope="col">{t('decryption')}</th>
                  {fields.map((f) => (
                    <th scope="col" key={f.key}>
                      {f.label[language]}
                    </th>
                  ))}
                  <th scope="col">{t('documentsHash')}</th>
                </tr>
              </thead>
              <tbody>
                {record.bids.map((bid) => (
                  <tr key={bid.bidder.identity}>
                    <td>{bid.bidder.name}</td>
                    <td>
                      {t(`opening_${bid.openingStatus}` as TextKey)}
                      {bid.reason ? ` — ${bid.reason}` : ''}
                    </td>
                    {fields.map((f) => (
                      <td key={f.key} className={f.type === 'text' ? '' : 'number'}>
                        {bid.summary ? String(bid.summary[f.key] ?? '—') : '—'}
                      </td>
                    ))}
                    <td className="mono" title={bid.parts.documentsSha256}>
                      {bid.parts.documentsSha256.slice(0, 12)}…
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {record.outages.length > 0 && (
            <ul>
              {record.outages.map((o) => (
                <li key={o.from}>
                  {t('recordOutage')}: {when(o.from)} – {when(o.to)} · {o.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <details>
        <summary>{t('signedText')}</summary>
        <p className="muted mono">SHA-256 {view.record.sha256}</p>
        <pre className="record-text" data-testid="record-text">
          {view.record.text}
        </pre>
      </details>
      <p>
        {t('signedBy')}: {view.record.signedBy.length ? view.record.signedBy.join('、') : '—'}
      </p>
      {children}
    </Section>
  );
}

export function ObjectionList({
  view,
  onAnswer,
}: {
  view: HallView;
  onAnswer?: (objectionId: string, text: string) => Promise<void>;
}) {
  const { t } = useI18n();
  const format = useFormat();
  if (view.objections.length === 0 && !onAnswer) return null;
  return (
    <Section title={t('objections')}>
      {view.objections.length === 0 && <p className="muted">{t('noObjections')}</p>}
      <ul className="objections" data-testid="objections">
        {view.objections.map((o) => (
          <li key={o.id}>
            <p>
              <strong>{o.bidderName}</strong> <span className="muted">{format.time(o.at)}</span>
            </p>
            <p className="quoted">{o.text}</p>
            {o.answer ? (
              <p className="answer">
                <strong>{t('answer')}:</strong> {o.answer.text}
              </p>
            ) : onAnswer ? (
              <AnswerForm onAnswer={(text) => onAnswer(o.id, text)} />
            ) : (
              <p className="muted">{t('awaitingAnswer')}</p>
            )}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function AnswerForm({ onAnswer }: { onAnswer: (text: string) => Promise<void> }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await onAnswer(text.trim());
      setText('');
    });
  };
  return (
    <form onSubmit={submit} className="inline-form">
      <label>
        {t('answerText')}
        <textarea value={text} onChange={(e) => setText(e.target.value)} required maxLength={4000} rows={2} />
      </label>
      <button type="submit" disabled={action.busy || !text.trim()}>
        {t('answer')}
      </button>
      <Outcome message={action.message} />
    </form>
  );
}

export function describeEvent(event: HallEvent, t: (key: TextKey) => string): string {
  switch (event.type) {
    case 'status':
      return `${t('status')}: ${t(`status_${event.data.status}` as TextKey)}${event.data.reason ? ` — ${event.data.reason}` : ''}`;
    case 'checked-in':
      return `${event.data.bidderName} ${t('checkedIn')}`;
    case 'bid':
      return `${event.data.bidderName}: ${t(`opening_${event.data.openingStatus}` as TextKey)}${event.data.reason ? ` — ${event.data.reason}` : ''}`;
    case 'window':
      return event.data.pausedRemainingMs !== null
        ? `${t('windowPaused')} (${formatDuration(event.data.pausedRemainingMs)})${event.data.reason ? ` — ${event.data.reason}` : ''}`
        : `${t('windowSet')}${event.data.reason ? ` — ${event.data.reason}` : ''}`;
    case 'outage':
      return `${t('recordOutage')}: ${event.data.reason}`;
    case 'remedy':
      return `${t('remedy')}: ${t('shares')} ${event.data.sharesReceived}/${event.data.quorum}${event.data.approved ? ` · ${t('remedyApproved')}` : ''}`;
    case 'summary-table':
      return `${t('summaryTable')} (${event.data.rows.length})`;
    case 'draw':
      return `${t('draw')}: ${event.data.result?.value ?? t('drawPending')}`;
    case 'record':
      return `${t('record')} · SHA-256 ${event.data.sha256.slice(0, 16)}…`;
    case 'signature':
      return `${event.data.bidderName} ${t('signed')}`;
    case 'objection':
      return `${event.data.bidderName} ${t('object')}: ${event.data.text}`;
    case 'answer':
      return `${t('answer')}: ${event.data.answer?.text ?? ''}`;
    case 'proposal':
      return `${t(event.data.kind === 'outage' ? 'recordOutage' : 'settle')}: ${
        event.data.decision
          ? t(event.data.decision.confirmed ? 'proposalConfirmed' : 'proposalRejected')
          : t('proposalPending')
      } — ${event.data.decision?.reason ?? event.data.reason}`;
    case 'fault':
      return `${t('platformFault')}: ${event.data.message}`;
  }
}

/**
 * Steps that take two people: what one of host and supervisor proposed, for the other to confirm or
 * reject; the platform faults met while opening bids; and, after the window, the way out when bids can
 * no longer be opened (a settlement).
 */
export function ProposalsPanel({ view, client, role }: { view: HallView; client: HallClient; role: string }) {
  const { t } = useI18n();
  const format = useFormat();
  const tenderId = view.tenderId;
  const name = (bidId: string) => view.bids.find((b) => b.bidId === bidId)?.bidderName ?? bidId;
  const stuck = view.bids.filter((b) => !bidIn('final', b.openingStatus));
  const canSettle =
    allowedIn('decrypting', view.status) &&
    view.window?.endsAt === null &&
    view.window.pausedRemainingMs === null &&
    stuck.length > 0;
  if (!view.proposals.length && !view.faults.length && !canSettle) return null;
  return (
    <Section title={t('proposals')}>
      {view.faults.length > 0 && (
        <ul className="faults" data-testid="faults">
          {view.faults.map((fault) => (
            <li key={`${fault.at}-${fault.bidId}`} className="error">
              <time dateTime={fault.at}>{format.time(fault.at)}</time>{' '}
              {fault.bidId ? `${name(fault.bidId)}: ` : ''}
              {fault.message}
            </li>
          ))}
        </ul>
      )}
      <ul className="proposals" data-testid="proposals">
        {view.proposals.map((p) => (
          <li key={p.id}>
            <strong>{t(p.kind === 'outage' ? 'recordOutage' : 'settle')}</strong> ·{' '}
            {t(`roles_${p.proposedRole}` as TextKey)} · {p.reason}
            {p.outage && (
              <span className="muted small">
                {' '}
                ({format.time(p.outage.from)}–{format.time(p.outage.to)}:{' '}
                {p.outage.bidIds.map(name).join('、')})
              </span>
            )}
            {p.decision ? (
              <span>
                {' '}
                — {t(p.decision.confirmed ? 'proposalConfirmed' : 'proposalRejected')}: {p.decision.reason}
              </span>
            ) : p.proposedRole === role ? (
              <span className="muted"> — {t('proposalWaits')}</span>
            ) : (
              <>
                <ReasonAction
                  label={t('proposalConfirm')}
                  onSubmit={async (reason) =>
                    void (await client.request('hall:confirm', { tenderId, proposalId: p.id, reason }))
                  }
                />
                <ReasonAction
                  label={t('proposalReject')}
                  danger
                  onSubmit={async (reason) =>
                    void (await client.request('hall:reject', { tenderId, proposalId: p.id, reason }))
                  }
                />
              </>
            )}
          </li>
        ))}
      </ul>
      {canSettle && (
        <ReasonAction
          label={t('settle')}
          danger
          extra={<p className="muted small">{t('settleHint')}</p>}
          onSubmit={async (reason) => void (await client.request('hall:settle', { tenderId, reason }))}
        />
      )}
    </Section>
  );
}

export function Timeline({ view }: { view: HallView }) {
  const { t } = useI18n();
  const format = useFormat();
  return (
    <Section title={t('timeline')}>
      {view.timeline.length === 0 ? (
        <p className="muted">{t('nothingYet')}</p>
      ) : (
        <ol className="timeline" data-testid="timeline">
          {[...view.timeline].reverse().map((entry) => (
            <li key={entry.seq}>
              <time dateTime={entry.at}>{format.time(entry.at)}</time> {describeEvent(entry.event, t)}
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}

/** Where the live audio/video of the venues goes (the SFU issue); kept so the layout does not move. */
const VideoRoom = lazy(() => import('../video/VideoRoom.tsx'));

/** The opening hall's live audio/video (the host publishes, everybody else watches). */
export function VideoSlot({ session, tenderId }: { session: Session; tenderId: string }) {
  const { t } = useI18n();
  return (
    <Suspense fallback={<div className="video-slot">{t('loading')}</div>}>
      <VideoRoom session={session} venue={venueOf({ kind: 'hall', tenderId })} title={t('liveVideo')} />
    </Suspense>
  );
}

/** A button that asks for the reason the law requires before acting. */
export function ReasonAction({
  label,
  onSubmit,
  extra,
  danger,
}: {
  label: string;
  onSubmit: (reason: string) => Promise<string | undefined | undefined>;
  extra?: ReactNode;
  danger?: boolean;
}) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const action = useAction();
  return (
    <form
      className="reason-action"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run(async () => {
          const done = await onSubmit(reason.trim());
          setReason('');
          return done;
        });
      }}
    >
      <fieldset>
        <legend>{label}</legend>
        {extra}
        <label>
          {t('reason')}
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            minLength={2}
            maxLength={500}
            required
          />
        </label>
        <button
          type="submit"
          className={danger ? 'danger' : ''}
          disabled={action.busy || reason.trim().length < 2}
        >
          {label}
        </button>
        <Outcome message={action.message} />
      </fieldset>
    </form>
  );
}
