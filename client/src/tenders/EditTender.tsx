/**
 * The host's changes to a tender before its deadline: its words, its times and the opening summary's
 * fields, its custodians and quorum. New summary fields or custodians (a new opening certificate) ask
 * every bidder who has bid to seal and upload again: the page says so and asks the host to confirm.
 */
import type { SummaryField, TenderView, UpdateTenderRequest } from '@bidhall/shared';
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { Outcome, useAction } from '../ui/action.tsx';
import { DateTimeField, NumberField, TextField } from '../ui/fields.tsx';
import { CustodianPicker } from './CustodianPicker.tsx';
import { SummaryFieldsEditor } from './SummaryFieldsEditor.tsx';

/** A local date-time for <input type="datetime-local"> from an ISO instant. */
function localInput(iso: string): string {
  const at = new Date(iso);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export function EditTender({
  session,
  tender,
  onSaved,
}: {
  session: Session;
  tender: TenderView;
  onSaved: (tender: TenderView) => void;
}) {
  const { t } = useI18n();
  const [title, setTitle] = useState(tender.title);
  const [deadline, setDeadline] = useState(localInput(tender.deadline));
  const [windowMinutes, setWindowMinutes] = useState(tender.decryptionWindowMinutes);
  const [venue, setVenue] = useState(tender.venue);
  const [fields, setFields] = useState<SummaryField[]>(tender.summaryFields);
  const ownCustodians = tender.custodians.map((c) => c.id).sort();
  const [custodians, setCustodians] = useState<string[]>(ownCustodians);
  const [quorum, setQuorum] = useState(tender.quorum);
  const [problem, setProblem] = useState<string | null>(null);
  const action = useAction({
    '/title': t('title'),
    '/deadline': t('deadline'),
    '/venue': t('openingVenue'),
    '/summaryFields': t('fields'),
    '/custodianIds': t('custodians'),
    '/quorum': t('quorum'),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const changes: UpdateTenderRequest = {
      ...(title.trim() !== tender.title ? { title: title.trim() } : {}),
      // The input shows minutes: the deadline changes only if the minute shown was changed.
      ...(deadline !== localInput(tender.deadline) ? { deadline: new Date(deadline).toISOString() } : {}),
      ...(windowMinutes !== tender.decryptionWindowMinutes ? { decryptionWindowMinutes: windowMinutes } : {}),
      ...(venue.trim() !== tender.venue ? { venue: venue.trim() } : {}),
      ...(JSON.stringify(fields) !== JSON.stringify(tender.summaryFields) ? { summaryFields: fields } : {}),
      ...(JSON.stringify([...custodians].sort()) !== JSON.stringify(ownCustodians)
        ? { custodianIds: custodians }
        : {}),
      ...(quorum !== tender.quorum ? { quorum } : {}),
    };
    if (!Object.keys(changes).length) return;
    const reseal = changes.summaryFields || changes.custodianIds || changes.quorum !== undefined;
    if (reseal && !window.confirm(t('confirmSummaryChange'))) return;
    void action.run(async () => {
      onSaved(
        await api<TenderView>('PATCH', `/api/tenders/${tender.id}`, { token: session.token, body: changes }),
      );
      return t('changesSaved');
    });
  };
  return (
    <details className="step" data-testid="edit-tender">
      <summary>{t('editTender')}</summary>
      <p className="muted small">{t('editTenderHint')}</p>
      <form className="grid-form" onSubmit={submit}>
        <TextField
          label={t('title')}
          value={title}
          onChange={setTitle}
          required
          maxLength={200}
          name="title"
          problem={action.problemAt('/title')}
        />
        <DateTimeField
          label={t('deadline')}
          value={deadline}
          onChange={setDeadline}
          required
          name="deadline"
          problem={action.problemAt('/deadline')}
        />
        <NumberField
          label={t('windowMinutes')}
          value={windowMinutes}
          onChange={setWindowMinutes}
          min={5}
          max={1440}
        />
        <TextField label={t('openingVenue')} value={venue} onChange={setVenue} maxLength={200} name="venue" />
        <SummaryFieldsEditor fields={tender.summaryFields} onChange={setFields} />
        <CustodianPicker
          session={session}
          chosen={custodians}
          onChosen={setCustodians}
          quorum={quorum}
          onQuorum={setQuorum}
          onProblem={setProblem}
        />
        {problem && (
          <p className="outcome error wide" role="alert">
            {problem}
          </p>
        )}
        <div className="wide">
          <button type="submit" disabled={action.busy}>
            {t('saveChanges')}
          </button>
          <Outcome message={action.message} />
        </div>
      </form>
    </details>
  );
}
