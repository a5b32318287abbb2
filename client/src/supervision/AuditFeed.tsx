/** The audit trail as a supervisor reads it: live, in words, filterable, exportable. */
import { auditActionWords, isAuditAction, isRole, roleWords, sfuWords, systemWords } from '@bidhall/shared';
import { useEffect, useState } from 'react';
import { api, download, sha256Hex } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { useFormat } from '../ui/format.ts';
import { ScrollList } from '../ui/ScrollText.tsx';
import { Section } from '../ui/Section.tsx';

interface FeedEntry {
  readonly entry: {
    actorId: string | null;
    seq: number;
    at: string;
    role: string | null;
    action: string;
    outcome: string;
    detail: Record<string, unknown>;
  };
  readonly actorName: string | null;
  readonly text: string;
  readonly prevHash: string;
  readonly hash: string;
  /** Whether SHA-256(prevHash + text) equals the stored hash, computed here. */
  readonly intact?: boolean;
}

/**
 * The tender's audit trail, polled. Before the bids are opened the server withholds what bidders did
 * and says how many entries it holds back; once it holds none back, the feed is read again from the start
 * so that those entries appear in their place in the chain.
 */
function useAuditFeed(token: string, tenderId: string): { entries: FeedEntry[]; sealed: number | null } {
  const [feed, setFeed] = useState<{ entries: FeedEntry[]; sealed: number | null }>({
    entries: [],
    sealed: null,
  });
  useEffect(() => {
    let last = 0;
    let sealedBefore: number | null = null;
    let stopped = false;
    const poll = async () => {
      try {
        const page = await api<{ entries: FeedEntry[]; sealed: number | null }>(
          'GET',
          `/api/tenders/${tenderId}/audit?after=${last}`,
          { token },
        );
        const reread = (sealedBefore ?? 0) > 0 && page.sealed === 0 && last > 0;
        if (reread) {
          last = 0;
          sealedBefore = 0;
          if (!stopped) setFeed({ entries: [], sealed: 0 });
          return void poll();
        }
        sealedBefore = page.sealed;
        const checked = await Promise.all(
          page.entries.map(async (e) => ({
            ...e,
            intact: (await sha256Hex(e.prevHash + e.text)) === e.hash,
          })),
        );
        if (!stopped) {
          if (checked.length) last = checked[checked.length - 1]!.entry.seq;
          setFeed((current) => ({ entries: [...current.entries, ...checked], sealed: page.sealed }));
        }
      } catch {
        // The next poll tries again; the hall's connection badge shows whether the server is reachable.
      }
      if (!stopped) timer = setTimeout(() => void poll(), 2000);
    };
    let timer = setTimeout(() => void poll(), 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [token, tenderId]);
  return feed;
}

type OutcomeFilter = 'all' | 'ok' | 'refused';

/**
 * The supervisor's audit feed: who did what, in words, newest first; filters by person, kind of action,
 * outcome and time; the trail exported as a spreadsheet or as the JSON whose hashes anyone can re-check.
 */
export function AuditFeed({ session, tenderId, code }: { session: Session; tenderId: string; code: string }) {
  const { t, language, error: describe } = useI18n();
  const format = useFormat();
  const feed = useAuditFeed(session.token, tenderId);
  const exporter = useAction();
  const [actor, setActor] = useState('');
  const [kind, setKind] = useState('');
  const [outcome, setOutcome] = useState<OutcomeFilter>('all');
  const [since, setSince] = useState('');
  const who = (e: FeedEntry) =>
    e.actorName ??
    (e.entry.role === 'system' ? systemWords[language] : e.entry.role === 'sfu' ? sfuWords[language] : '—');
  const what = (action: string) => (isAuditAction(action) ? auditActionWords[action][language] : action);
  const roleName = (role: string | null) => (isRole(role) ? roleWords[role][language] : '');
  const people = [...new Set(feed.entries.map(who))].sort();
  const kinds = [...new Set(feed.entries.map((e) => e.entry.action))].sort();
  const shown = feed.entries.filter(
    (e) =>
      (!actor || who(e) === actor) &&
      (!kind || e.entry.action === kind) &&
      (outcome === 'all' || (outcome === 'ok') === (e.entry.outcome === 'ok')) &&
      (!since || Date.parse(e.entry.at) >= new Date(since).getTime()),
  );
  const exportAs = (fileFormat: 'csv' | 'json') =>
    exporter.run(async () => {
      await download(
        `/api/tenders/${tenderId}/audit/export?format=${fileFormat}`,
        session.token,
        `audit-${code}.${fileFormat}`,
      );
      return t('auditExported');
    });
  return (
    <Section title={t('auditFeed')}>
      {!!feed.sealed && (
        <p className="muted small" data-testid="audit-sealed">
          {t('auditSealed', { count: feed.sealed })}
        </p>
      )}
      <div className="audit-filters" data-testid="audit-filters">
        <label>
          {t('auditActor')}
          <select value={actor} onChange={(e) => setActor(e.target.value)} name="audit-actor">
            <option value="">{t('all')}</option>
            {people.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('auditAction')}
          <select value={kind} onChange={(e) => setKind(e.target.value)} name="audit-action">
            <option value="">{t('all')}</option>
            {kinds.map((action) => (
              <option key={action} value={action}>
                {what(action)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('auditOutcome')}
          <select
            value={outcome}
            onChange={(e) => setOutcome(e.target.value as OutcomeFilter)}
            name="audit-outcome"
          >
            <option value="all">{t('all')}</option>
            <option value="ok">{t('auditOk')}</option>
            <option value="refused">{t('auditRefused')}</option>
          </select>
        </label>
        <label>
          {t('auditSince')}
          <input
            type="datetime-local"
            value={since}
            onChange={(e) => setSince(e.target.value)}
            name="audit-since"
          />
        </label>
      </div>
      <p>
        <button type="button" onClick={() => void exportAs('csv')} disabled={exporter.busy}>
          {t('auditExportCsv')}
        </button>{' '}
        <button type="button" onClick={() => void exportAs('json')} disabled={exporter.busy}>
          {t('auditExportJson')}
        </button>
      </p>
      <Outcome message={exporter.message} />
      <ScrollList className="audit-feed" label={t('auditFeed')} testId="audit-feed" live>
        {[...shown]
          .reverse()
          .slice(0, 200)
          .map((e) => (
            <li key={e.entry.seq} className={e.intact === false ? 'error' : ''}>
              <span className="mono">#{e.entry.seq}</span>{' '}
              <time dateTime={e.entry.at}>{format.time(e.entry.at)}</time> <strong>{who(e)}</strong>{' '}
              <span className="muted">{roleName(e.entry.role)}</span> {what(e.entry.action)}
              {e.entry.outcome === 'ok' ? '' : ` → ${describe({ code: e.entry.outcome })}`}
              {e.intact === false && ` ⚠ ${t('hashMismatch')}`}
            </li>
          ))}
      </ScrollList>
    </Section>
  );
}
