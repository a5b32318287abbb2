/** Bidders' objections to the opening and the host's answers (the host answers here). */
import { type FormEvent, useState } from 'react';
import type { HallView } from '../../hall-state.ts';
import { useI18n } from '../../i18n.tsx';
import { Outcome, useAction } from '../../ui/action.tsx';
import { useFormat } from '../../ui/format.ts';
import { ScrollList } from '../../ui/ScrollText.tsx';
import { Section } from '../../ui/Section.tsx';

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
      <ScrollList ordered={false} className="objections" label={t('objections')} testId="objections">
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
      </ScrollList>
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
