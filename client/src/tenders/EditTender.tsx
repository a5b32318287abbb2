/**
 * The host's changes to a tender before its deadline: its words and its times. What bids were sealed
 * against (the summary fields, the custodians, the opening certificate) is not offered: it cannot change.
 */
import type { TenderView, UpdateTenderRequest } from '@bidhall/shared';
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';
import { FieldProblem, Outcome, useAction } from '../ui/action.tsx';

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
  const action = useAction({ '/title': t('title'), '/deadline': t('deadline'), '/venue': t('openingVenue') });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const changes: UpdateTenderRequest = {
      ...(title.trim() !== tender.title ? { title: title.trim() } : {}),
      // The input shows minutes: the deadline changes only if the minute shown was changed.
      ...(deadline !== localInput(tender.deadline) ? { deadline: new Date(deadline).toISOString() } : {}),
      ...(windowMinutes !== tender.decryptionWindowMinutes ? { decryptionWindowMinutes: windowMinutes } : {}),
      ...(venue.trim() !== tender.venue ? { venue: venue.trim() } : {}),
    };
    if (!Object.keys(changes).length) return;
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
        <label>
          {t('title')}
          <input
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            required
            maxLength={200}
            name="title"
          />
          <FieldProblem text={action.problemAt('/title')} />
        </label>
        <label>
          {t('deadline')}
          <input
            type="datetime-local"
            value={deadline}
            onChange={(e) => setDeadline(e.target.value)}
            required
            name="deadline"
          />
          <FieldProblem text={action.problemAt('/deadline')} />
        </label>
        <label>
          {t('windowMinutes')}
          <input
            type="number"
            min={5}
            max={1440}
            value={windowMinutes}
            onChange={(e) => setWindowMinutes(Number(e.target.value))}
          />
        </label>
        <label>
          {t('openingVenue')}
          <input value={venue} onChange={(e) => setVenue(e.target.value)} maxLength={200} name="venue" />
        </label>
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
