/** Steps the law lets happen only with a stated reason (pause, extend, fail, settle…). */
import { type ReactNode, useState } from 'react';
import { useI18n } from '../i18n.tsx';
import { Outcome, useAction } from './action.tsx';

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
