/** Two-person steps (proposals), platform faults and the settlement, for host and supervisor. */

import { allowedIn, bidIn } from '@bidhall/shared';
import type { HallClient } from '@bidhall/shared/hall-client';
import type { HallView } from '../../hall-state.ts';
import { useI18n } from '../../i18n.tsx';
import { useFormat } from '../../ui/format.ts';
import { ReasonAction } from '../../ui/ReasonAction.tsx';
import { Section } from '../../ui/Section.tsx';
import { faultText } from '../fault-text.ts';

/**
 * Steps that take two people: what one of host and supervisor proposed, for the other to confirm or
 * reject; the platform faults met while opening bids; and, after the window, the way out when bids can
 * no longer be opened (a settlement).
 */
export function ProposalsPanel({ view, client, role }: { view: HallView; client: HallClient; role: string }) {
  const { t, language } = useI18n();
  const format = useFormat();
  const tenderId = view.tenderId;
  const name = (bidId: string) => view.bids.find((b) => b.bidId === bidId)?.bidderName ?? bidId;
  const stuck = view.bids.filter((b) => !bidIn('final', b.openingStatus));
  const canSettle =
    allowedIn('decrypting', view.status) &&
    view.window?.endsAt === null &&
    view.window.pausedRemainingMs === null &&
    stuck.length > 0;
  if (!view.proposals.length && !view.faults.length && !canSettle) return null;
  return (
    <Section title={t('proposals')}>
      {view.faults.length > 0 && (
        <ul className="faults" data-testid="faults">
          {view.faults.map((fault) => (
            <li key={`${fault.at}-${fault.bidId}`} className="error">
              <time dateTime={fault.at}>{format.time(fault.at)}</time>{' '}
              {fault.bidId ? `${name(fault.bidId)}: ` : ''}
              {faultText(fault.message, language)}
            </li>
          ))}
        </ul>
      )}
      <ul className="proposals" data-testid="proposals">
        {view.proposals.map((p) => (
          <li key={p.id}>
            <strong>{t(p.kind === 'outage' ? 'recordOutage' : 'settle')}</strong> ·{' '}
            {t(`roles_${p.proposedRole}`)} · {p.reason}
            {p.outage && (
              <span className="muted small">
                {' '}
                ({format.time(p.outage.from)}–{format.time(p.outage.to)}:{' '}
                {p.outage.bidIds.map(name).join('、')})
              </span>
            )}
            {p.decision ? (
              <span>
                {' '}
                — {t(p.decision.confirmed ? 'proposalConfirmed' : 'proposalRejected')}: {p.decision.reason}
              </span>
            ) : p.proposedRole === role ? (
              <span className="muted"> — {t('proposalWaits')}</span>
            ) : (
              <>
                <ReasonAction
                  label={t('proposalConfirm')}
                  onSubmit={async (reason) =>
                    void (await client.request('hall:confirm', { tenderId, proposalId: p.id, reason }))
                  }
                />
                <ReasonAction
                  label={t('proposalReject')}
                  danger
                  onSubmit={async (reason) =>
                    void (await client.request('hall:reject', { tenderId, proposalId: p.id, reason }))
                  }
                />
              </>
            )}
          </li>
        ))}
      </ul>
      {canSettle && (
        <ReasonAction
          label={t('settle')}
          danger
          extra={<p className="muted small">{t('settleHint')}</p>}
          onSubmit={async (reason) => void (await client.request('hall:settle', { tenderId, reason }))}
        />
      )}
    </Section>
  );
}
