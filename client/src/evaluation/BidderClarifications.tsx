/**
 * The bidder's clarification page (澄清, Art 52) inside its tender page: the questions the committee put
 * to this bidder, once a supervisor approved them, each with its deadline on the server's clock, followed
 * live. The bidder answers with text and up to five files, signing in the page (its own certificate) the
 * exact text that names the question, the answer and each file's SHA-256, so the signature covers the
 * files too. Nothing says who asked; a late answer is refused by the server with the reason.
 */
import {
  type BidderClarification,
  clarificationAnswerText,
  type EvaluationRequests,
  sendRequest,
} from '@bidhall/shared';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { sha256Bytes, signDetached, toBase64 } from '../crypto.ts';
import { useTicker } from '../hall/useHall.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { formatDuration, useFormat } from '../ui/format.ts';
import { Section } from '../ui/Section.tsx';
import { evaluationSocket } from './useCommittee.ts';

const maxFiles = 5;
const maxBytes = 4 * 1024 * 1024;

function Answer({
  session,
  clarification,
  onAnswered,
}: {
  session: Session;
  clarification: BidderClarification;
  onAnswered: () => void;
}) {
  const { t } = useI18n();
  const action = useAction();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const send = () =>
    action.run(async () => {
      if (files.length > maxFiles) throw new Error(t('tooManyFiles', { max: maxFiles }));
      if (files.reduce((sum, f) => sum + f.size, 0) > maxBytes)
        throw new Error(t('filesTooLarge', { mb: 4 }));
      const read = await Promise.all(
        files.map(async (file) => {
          const bytes = new Uint8Array(await file.arrayBuffer());
          return { name: file.name, bytes, sha256: await sha256Bytes(bytes) };
        }),
      );
      const signed = clarificationAnswerText({
        clarificationId: clarification.id,
        question: clarification.question,
        text,
        files: read.map((f) => ({ name: f.name, sha256: f.sha256 })),
      });
      await api('POST', `/api/clarifications/${clarification.id}/answer`, {
        token: session.token,
        body: {
          text,
          files: read.map((f) => ({ name: f.name, content: toBase64(f.bytes) })),
          signature: toBase64(signDetached(session.identity, new TextEncoder().encode(signed))),
        },
      });
      onAnswered();
      return t('clarificationAnswered');
    });
  return (
    <div className="step">
      <label>
        {t('yourAnswer')}
        <textarea rows={4} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <label>
        {t('answerFiles', { max: maxFiles })}
        <input type="file" multiple onChange={(e) => setFiles([...(e.target.files ?? [])])} />
      </label>
      <button
        type="button"
        className="primary"
        disabled={action.busy || !text.trim()}
        onClick={() => void send()}
      >
        {t('signAndAnswer')}
      </button>
      <Outcome message={action.message} />
    </div>
  );
}

export function BidderClarifications({ session, tenderId }: { session: Session; tenderId: string }) {
  const { t } = useI18n();
  const format = useFormat();
  const [items, setItems] = useState<BidderClarification[]>([]);
  const [offsetMs, setOffsetMs] = useState(0);
  const tokenRef = useRef(session.token);
  tokenRef.current = session.token;
  const now = useTicker(1000) + offsetMs;

  useEffect(() => {
    const socket = evaluationSocket(() => tokenRef.current);
    const upsert = (c: BidderClarification) =>
      setItems((current) =>
        [...current.filter((x) => x.id !== c.id), c].sort((a, b) => a.deadline.localeCompare(b.deadline)),
      );
    socket.on('eval:clarification', (c) => {
      if (c.tenderId === tenderId) upsert(c);
    });
    socket.on('connect', () => {
      const sent = Date.now();
      void sendRequest<EvaluationRequests, 'eval:clarifications'>(socket, 10_000, 'eval:clarifications', {
        tenderId,
      }).then(
        (answer) => {
          setOffsetMs(answer.serverTime - (sent + Date.now()) / 2);
          setItems(answer.clarifications);
        },
        () => undefined,
      );
    });
    return () => void socket.close();
  }, [tenderId]);
  const reload = () =>
    void api<BidderClarification[]>('GET', `/api/tenders/${tenderId}/clarifications`, {
      token: session.token,
    }).then(setItems, () => undefined);

  if (items.length === 0) return null;
  return (
    <Section title={t('clarificationsToYou')} id="clarifications">
      <p className="muted small">{t('clarificationsHint')}</p>
      <ul className="clarifications" data-testid="bidder-clarifications">
        {items.map((c) => (
          <li key={c.id} data-status={c.status}>
            <p className="quoted">{c.question}</p>
            <p className="small">
              {t(`clarificationStatus_${c.status}`)} ·{' '}
              {c.answeredAt
                ? t('answeredAtTime', { at: format.time(c.answeredAt) })
                : t('answerBy', { at: format.time(c.deadline) })}
              {c.status === 'open' && (
                <span className="countdown">
                  {' '}
                  · {t('timeLeft')} {formatDuration(Date.parse(c.deadline) - now)}
                </span>
              )}
            </p>
            {c.status === 'open' && <Answer session={session} clarification={c} onAnswered={reload} />}
          </li>
        ))}
      </ul>
    </Section>
  );
}
