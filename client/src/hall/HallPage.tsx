/** What every role's hall page is framed by: its props, the way back to the list, its failure screen. */
import { useEffect } from 'react';
import { useI18n } from '../i18n.tsx';
import type { Session } from '../session.ts';

export interface PageProps {
  readonly session: Session;
  readonly tenderId: string;
  readonly onBack: () => void;
}

/** Back to the list; while `live`, only after the person confirms (leaving disconnects them). */
export function BackLink({ onBack, live = false }: { onBack: () => void; live?: boolean }) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      className="link back"
      onClick={() => {
        if (!live || window.confirm(t('leaveLiveHall'))) onBack();
      }}
    >
      ← {t('tenders')}
    </button>
  );
}

/**
 * Asks before the page is closed or reloaded while the opening is live: a reload would drop the hall
 * connection (and the keys loaded in the page), and a host's leaving ends the broadcast.
 */
export function useLeaveWarning(live: boolean): void {
  useEffect(() => {
    if (!live) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers show the dialog only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [live]);
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
