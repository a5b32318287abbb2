/** The hall's header: what is being opened, its status, the clock that matters now, the link. */
import { allowedIn } from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import type { ReactNode } from 'react';
import type { HallView } from '../../hall-state.ts';
import { useI18n } from '../../i18n.tsx';
import { formatDuration, useFormat } from '../../ui/format.ts';
import { type Connection, useTicker } from '../useHall.ts';

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
  if (allowedIn('bidding', view.status)) {
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
            {t(`status_${view.status}`)}
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
