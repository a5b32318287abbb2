/** What every role's hall page is framed by: its props, the way back to the list, its failure screen. */
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';

export interface PageProps {
  readonly session: Session;
  readonly tenderId: string;
  readonly onBack: () => void;
}

export function BackLink({ onBack }: { onBack: () => void }) {
  const { t } = useI18n();
  return (
    <button type="button" className="link back" onClick={onBack}>
      ← {t('tenders')}
    </button>
  );
}

export function HallError({ error, onBack }: { error: unknown; onBack: () => void }) {
  const { error: describe } = useI18n();
  return (
    <main className="page">
      <BackLink onBack={onBack} />
      <p role="alert" className="outcome error">
        {describe(error)}
      </p>
    </main>
  );
}

/** Shown until the hall's first snapshot arrives. */
export function HallLoading() {
  const { t } = useI18n();
  return (
    <main className="page">
      <p className="muted">{t('loading')}</p>
    </main>
  );
}
