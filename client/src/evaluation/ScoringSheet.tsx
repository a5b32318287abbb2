/**
 * A member's sheet for the current stage: items or criteria down, bids across. Pass/fail stages take a
 * pass or a fail with its ground (Art 51) and reason; the detailed review takes a score within each
 * criterion's range, with a reason for every deduction. The draft is saved on the server a moment after
 * the typing stops (and in this browser at once, so a lost connection or a reload loses nothing), checked
 * here as the server checks it, and submitted after a confirmation. A sheet the leader sent back shows the note, and is revised or confirmed with a reason.
 */
import {
  type AbnormalScore,
  type CommitteeBidDocuments,
  type RejectionGround,
  type ReviewPlan,
  type ReviewStage,
  type ReviewView,
  rejectionGrounds,
  rejectionGroundWords,
  type SheetMark,
} from '@bidhall/shared';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { useFormat } from '../ui/format.ts';
import { Section } from '../ui/Section.tsx';

interface Cell {
  pass?: boolean;
  ground?: RejectionGround;
  score?: number;
  reason: string;
}
type Draft = Record<string, Cell>;

const cellKey = (bidId: string, key: string) => `${bidId}|${key}`;

/** The rows of a stage: its items (pass/fail) or its criteria (scored). */
function rowsOf(plan: ReviewPlan, stage: ReviewStage) {
  if (stage === 'detailed') return plan.criteria.map((c) => ({ key: c.key, label: c.label, max: c.max }));
  return plan[stage].map((item) => ({ key: item.key, label: item.label, max: null }));
}

function draftKey(committeeId: string, memberId: string, stage: ReviewStage) {
  return `bidhall.sheet.${committeeId}.${memberId}.${stage}`;
}

/** What is typed so far, kept in this browser too (with when), for when the server cannot be reached. */
interface LocalDraft {
  readonly cells: Draft;
  readonly at: string;
}

function cellsOf(marks: readonly SheetMark[]): Draft {
  const cells: Draft = {};
  for (const mark of marks)
    cells[cellKey(mark.bidId, mark.key)] = {
      ...(mark.pass === undefined ? {} : { pass: mark.pass }),
      ...(mark.ground ? { ground: mark.ground } : {}),
      ...(mark.score === undefined ? {} : { score: mark.score }),
      reason: mark.reason,
    };
  return cells;
}

/** Every cell typed into, as marks (the server keeps a draft unchecked; the sheet is checked on submit). */
function marksOf(cells: Draft): SheetMark[] {
  return Object.entries(cells).map(([id, cell]) => {
    const [bidId = '', key = ''] = id.split('|');
    return {
      bidId,
      key,
      ...(cell.pass === undefined ? {} : { pass: cell.pass }),
      ...(cell.ground ? { ground: cell.ground } : {}),
      ...(cell.score === undefined || Number.isNaN(cell.score) ? {} : { score: cell.score }),
      reason: cell.reason,
    };
  });
}

/** The newest of this browser's copy and the server's draft; else the sheet as submitted (to revise it). */
function initialCells(key: string, review: ReviewView, submitted: readonly SheetMark[] | undefined): Draft {
  const stored = localStorage.getItem(key);
  const local = stored ? (JSON.parse(stored) as LocalDraft) : null;
  const server = review.draft?.stage === review.stage ? review.draft : null;
  if (local && (!server || local.at > server.savedAt)) return local.cells;
  if (server) return cellsOf(server.marks);
  return cellsOf(submitted ?? []);
}

type Saving = 'idle' | 'saving' | 'saved' | 'kept-here';

export function ScoringSheet({
  session,
  committeeId,
  memberId,
  review,
  bids,
  reload,
}: {
  session: Session;
  committeeId: string;
  memberId: string;
  review: ReviewView;
  bids: readonly CommitteeBidDocuments[];
  reload: () => Promise<void>;
}) {
  const { t, language } = useI18n();
  const format = useFormat();
  const plan = review.plan;
  const stage = review.stage;
  const mine = review.sheets.find((s) => s.memberId === memberId && s.stage === stage);
  const storageKey = stage ? draftKey(committeeId, memberId, stage) : '';
  const [draft, setDraft] = useState<Draft>(() =>
    stage ? initialCells(storageKey, review, mine?.marks) : {},
  );
  /** Changes not yet on the server: saved a moment after the typing stops, retried while they fail. */
  const [unsaved, setUnsaved] = useState(0);
  const [saving, setSaving] = useState<{ state: Saving; at?: string }>({ state: 'idle' });
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [confirmReason, setConfirmReason] = useState('');
  const action = useAction();
  const inFlight = useRef<Promise<unknown> | null>(null);
  const editable = !mine || mine.status === 'returned';
  // A sheet sent back is no longer "submitted": the old confirmation would contradict the leader's note.
  const sheetStatus = mine?.status;
  const clearOutcome = action.setMessage;
  useEffect(() => {
    if (sheetStatus === 'returned') clearOutcome(null);
  }, [sheetStatus, clearOutcome]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: one save per burst of changes, with the draft of that moment
  useEffect(() => {
    if (!unsaved || !stage || !editable) return;
    const timer = setTimeout(() => {
      setSaving({ state: 'saving' });
      inFlight.current = api<{ savedAt: string }>('PUT', `/api/committees/${committeeId}/sheets/draft`, {
        token: session.token,
        body: { stage, marks: marksOf(draft) },
      }).then(
        ({ savedAt }) => {
          setSaving({ state: 'saved', at: savedAt });
          setUnsaved((n) => (n === unsaved ? 0 : n));
        },
        // Kept in this browser meanwhile, and tried again shortly: the connection may be back by then.
        () => {
          setSaving({ state: 'kept-here' });
          setTimeout(() => setUnsaved((n) => n + 1), 4_000);
        },
      );
    }, 800);
    return () => clearTimeout(timer);
  }, [unsaved]);
  if (!plan || !stage) return null;

  const rejected = new Set(review.results.flatMap((r) => r.rejected.map((x) => x.bidId)));
  const inReview = bids.filter((b) => !rejected.has(b.bidId));
  const rows = rowsOf(plan, stage);
  const flags = review.flags.filter((f: AbnormalScore) => f.memberId === memberId);
  const update = (bidId: string, key: string, change: Partial<Cell>) => {
    setDraft((current) => {
      const next = {
        ...current,
        [cellKey(bidId, key)]: { reason: '', ...current[cellKey(bidId, key)], ...change },
      };
      const local: LocalDraft = { cells: next, at: new Date().toISOString() };
      localStorage.setItem(storageKey, JSON.stringify(local));
      return next;
    });
    setUnsaved((n) => n + 1);
    setConfirming(false);
  };

  /** The marks, or the first cell that is not complete, in the reader's words. */
  const check = (): SheetMark[] | string => {
    const marks: SheetMark[] = [];
    for (const bid of inReview)
      for (const row of rows) {
        const cell = draft[cellKey(bid.bidId, row.key)];
        const where = `${bid.bidder} · ${row.label[language]}`;
        if (row.max === null) {
          if (cell?.pass === undefined) return t('sheetMissingMark', { where });
          if (!cell.pass && (!cell.ground || cell.reason.trim().length < 2))
            return t('sheetFailNeedsReason', { where });
          marks.push({
            bidId: bid.bidId,
            key: row.key,
            pass: cell.pass,
            ...(cell.pass ? {} : { ground: cell.ground }),
            reason: cell.reason.trim(),
          });
        } else {
          const score = cell?.score;
          if (score === undefined || Number.isNaN(score)) return t('sheetMissingMark', { where });
          if (score < 0 || score > row.max) return t('sheetScoreOutOfRange', { where, max: row.max });
          if (score < row.max && (cell?.reason.trim().length ?? 0) < 2)
            return t('sheetDeductionNeedsReason', { where });
          marks.push({ bidId: bid.bidId, key: row.key, score, reason: cell?.reason.trim() ?? '' });
        }
      }
    return marks;
  };

  const submit = () =>
    action.run(async () => {
      const marks = check();
      if (typeof marks === 'string') throw new Error(marks);
      // A draft save still under way lands first: after the sheet it would be refused, or outlive it.
      setUnsaved(0);
      await inFlight.current?.catch(() => undefined);
      await api('POST', `/api/committees/${committeeId}/sheets`, {
        token: session.token,
        body: { stage, marks },
      });
      localStorage.removeItem(storageKey);
      setConfirming(false);
      await reload();
      return t('sheetSubmitted');
    });
  const confirmSheet = () =>
    action.run(async () => {
      await api('POST', `/api/committees/${committeeId}/sheets/confirm`, {
        token: session.token,
        body: { reason: confirmReason },
      });
      await reload();
      return t('sheetConfirmed');
    });

  return (
    <Section title={t('scoringSheet', { stage: t(`stage_${stage}`) })} id="sheet">
      {mine && (
        <p className={mine.status === 'returned' ? 'notice' : 'muted'} data-testid="sheet-status">
          {t(`sheetStatus_${mine.status}`)}
          {mine.note ? ` — ${t('leaderNote')}: ${mine.note}` : ''}
        </p>
      )}
      {flags.length > 0 && (
        <ul className="flags" aria-label={t('abnormalScores')}>
          {flags.map((f) => (
            <li key={`${f.bidId}|${f.key}`} className="notice">
              {t('abnormalScoreLine', {
                bidder: bids.find((b) => b.bidId === f.bidId)?.bidder ?? '',
                criterion: plan.criteria.find((c) => c.key === f.key)?.label[language] ?? f.key,
                score: f.score,
                median: f.median,
              })}
            </li>
          ))}
        </ul>
      )}
      <div className="table-wrap">
        <table className="sheet" data-testid="sheet" data-stage={stage}>
          <caption className="muted small">
            {t(stage === 'detailed' ? 'sheetHintScores' : 'sheetHintPass')}
          </caption>
          <thead>
            <tr>
              <th scope="col">{stage === 'detailed' ? t('criterion') : t('reviewItem')}</th>
              {inReview.map((b) => (
                <th scope="col" key={b.bidId}>
                  {b.bidder}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">
                  {row.label[language]}
                  {row.max !== null && <span className="muted small"> (0–{row.max})</span>}
                </th>
                {inReview.map((bid) => {
                  const cell = draft[cellKey(bid.bidId, row.key)] ?? { reason: '' };
                  const where = `${bid.bidder} · ${row.label[language]}`;
                  const flagged = flags.some((f) => f.bidId === bid.bidId && f.key === row.key);
                  return (
                    <td key={bid.bidId} className={flagged ? 'flagged' : undefined}>
                      {row.max === null ? (
                        <select
                          aria-label={t('markOf', { where })}
                          value={cell.pass === undefined ? '' : cell.pass ? 'pass' : 'fail'}
                          disabled={!editable}
                          onChange={(e) =>
                            update(bid.bidId, row.key, {
                              pass: e.target.value === '' ? undefined : e.target.value === 'pass',
                            })
                          }
                        >
                          <option value="">—</option>
                          <option value="pass">{t('markPass')}</option>
                          <option value="fail">{t('markFail')}</option>
                        </select>
                      ) : (
                        <input
                          type="number"
                          min={0}
                          max={row.max}
                          step={0.5}
                          aria-label={t('scoreOf', { where })}
                          value={cell.score ?? ''}
                          disabled={!editable}
                          onChange={(e) =>
                            update(bid.bidId, row.key, {
                              score: e.target.value === '' ? undefined : Number(e.target.value),
                            })
                          }
                        />
                      )}
                      {row.max === null && cell.pass === false && (
                        <select
                          aria-label={t('groundOf', { where })}
                          value={cell.ground ?? ''}
                          disabled={!editable}
                          onChange={(e) =>
                            update(bid.bidId, row.key, {
                              ground: (e.target.value || undefined) as RejectionGround,
                            })
                          }
                        >
                          <option value="">{t('chooseGround')}</option>
                          {rejectionGrounds.map((g) => (
                            <option key={g} value={g}>
                              {rejectionGroundWords[g][language]}
                            </option>
                          ))}
                        </select>
                      )}
                      {((row.max === null && cell.pass === false) ||
                        (row.max !== null && cell.score !== undefined && cell.score < row.max)) && (
                        <input
                          type="text"
                          aria-label={t('reasonOf', { where })}
                          placeholder={t('reasonRequired')}
                          value={cell.reason}
                          disabled={!editable}
                          onChange={(e) => update(bid.bidId, row.key, { reason: e.target.value })}
                        />
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {problem && (
        <p role="alert" className="outcome error">
          {problem}
        </p>
      )}
      {editable && saving.state !== 'idle' && (
        <p className="muted small" role="status" data-testid="draft-state">
          {saving.state === 'saved' && saving.at
            ? t('draftSaved', { at: format.clock(Date.parse(saving.at)) })
            : t(saving.state === 'saving' ? 'draftSaving' : 'draftKeptHere')}
        </p>
      )}
      {editable && !confirming && (
        <button
          type="button"
          className="primary"
          onClick={() => {
            const marks = check();
            setProblem(typeof marks === 'string' ? marks : null);
            if (typeof marks !== 'string') setConfirming(true);
          }}
        >
          {mine ? t('resubmitSheet') : t('submitSheet')}
        </button>
      )}
      {confirming && (
        <fieldset className="step">
          <legend>{t('confirmSubmit')}</legend>
          <p className="notice">{t('confirmSubmitHint')}</p>
          <div className="actions">
            <button type="button" className="primary" disabled={action.busy} onClick={() => void submit()}>
              {t('confirmSubmit')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t('cancel')}
            </button>
          </div>
        </fieldset>
      )}
      {mine && (mine.status === 'returned' || mine.status === 'flagged') && (
        <div className="inline-form">
          <label>
            {t('confirmSheetReason')}
            <input type="text" value={confirmReason} onChange={(e) => setConfirmReason(e.target.value)} />
          </label>
          <button type="button" disabled={action.busy} onClick={() => void confirmSheet()}>
            {t('confirmSheet')}
          </button>
        </div>
      )}
      <Outcome message={action.message} />
    </Section>
  );
}
