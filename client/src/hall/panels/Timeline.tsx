/** Everything that happened in the hall, newest first, in the reader's words. */

import { detailText, type HallEvent, type UpdateTenderRequest } from '@bidhall/shared';
import type { HallView, TimelineEntry } from '../../hall-state.ts';
import { type Language, type TextKey, useI18n } from '../../i18n.tsx';
import { bidReason } from '../../ui/FieldValue.tsx';
import { formatDuration, useFormat } from '../../ui/format.ts';
import { ScrollList } from '../../ui/ScrollText.tsx';
import { Section } from '../../ui/Section.tsx';
import { faultText } from '../fault-text.ts';

/** The window's own reasons are codes of the platform; a person's reason (pause, extend) is shown as typed. */
const windowReasons = { started: 'windowStarted', ended: 'windowEnded' } as const satisfies Record<
  string,
  TextKey
>;

function isWindowCode(reason: string): reason is keyof typeof windowReasons {
  return Object.hasOwn(windowReasons, reason);
}

function windowReason(reason: string | null, t: (key: TextKey) => string): string {
  if (!reason) return '';
  return ` — ${isWindowCode(reason) ? t(windowReasons[reason]) : reason}`;
}

/** When it happened: a check-in announced at the opening happened earlier, when the bidder checked in. */
function whenOf(entry: TimelineEntry): string {
  return entry.event.type === 'checked-in' ? entry.event.data.at : entry.at;
}

/** The tender's fields a host may change (UpdateTenderRequest), in words. */
const changedFields = {
  title: 'title',
  tenderee: 'tenderee',
  lot: 'lot',
  ceilingPrice: 'ceilingPrice',
  venue: 'openingVenue',
  deadline: 'deadline',
  decryptionWindowMinutes: 'windowMinutes',
  checkInMinutes: 'checkInMinutes',
  summaryFields: 'summaryTable',
  custodianIds: 'custodians',
  quorum: 'quorum',
} as const satisfies Record<keyof UpdateTenderRequest, TextKey>;

function isChangeableField(field: string): field is keyof typeof changedFields {
  return Object.hasOwn(changedFields, field);
}

function changedFieldWords(field: string, t: (key: TextKey) => string): string {
  return isChangeableField(field) ? t(changedFields[field]) : field;
}

export function describeEvent(event: HallEvent, t: (key: TextKey) => string, language: Language): string {
  switch (event.type) {
    case 'status': {
      const why = event.data.because ? detailText(event.data.because, language) : event.data.reason;
      return `${t('status')}: ${t(`status_${event.data.status}`)}${why ? ` — ${why}` : ''}`;
    }
    case 'checked-in':
      return `${event.data.bidderName} ${t('checkedIn')}`;
    case 'bid':
      return `${event.data.bidderName}: ${t(`opening_${event.data.openingStatus}`)}${bidReason(event.data, language) ? ` — ${bidReason(event.data, language)}` : ''}`;
    case 'window':
      return event.data.pausedRemainingMs !== null
        ? `${t('windowPaused')} (${formatDuration(event.data.pausedRemainingMs)})${windowReason(event.data.reason, t)}`
        : `${t('windowSet')}${windowReason(event.data.reason, t)}`;
    case 'outage':
      return `${t('recordOutage')}: ${event.data.reason}`;
    case 'remedy':
      return `${t('remedy')}: ${t('shares')} ${event.data.sharesReceived}/${event.data.quorum}${event.data.approved ? ` · ${t('remedyApproved')}` : ''}`;
    case 'summary-table':
      return `${t('summaryTable')} (${event.data.rows.length})`;
    case 'draw':
      return `${t('draw')}: ${event.data.result?.value ?? t('drawPending')}`;
    case 'record':
      return `${t('record')} · SHA-256 ${event.data.sha256.slice(0, 16)}…`;
    case 'signature':
      return `${t(`roles_${event.data.role}`)} ${event.data.name} ${t('signed')}`;
    case 'objection':
      return `${event.data.bidderName} ${t('object')}: ${event.data.text}`;
    case 'answer':
      return `${t('answer')}: ${event.data.answer?.text ?? ''}`;
    case 'proposal':
      return `${t(event.data.kind === 'outage' ? 'recordOutage' : 'settle')}: ${
        event.data.decision
          ? t(event.data.decision.confirmed ? 'proposalConfirmed' : 'proposalRejected')
          : t('proposalPending')
      } — ${event.data.decision?.reason ?? event.data.reason}`;
    case 'tender':
      return `${t('tenderChanged')}: ${event.data.changed.map((field) => changedFieldWords(field, t)).join('、')}${event.data.resealNeeded ? ` — ${t('resealNeeded')}` : ''}`;
    case 'fault':
      return `${t('platformFault')}: ${faultText(event.data.message, language)}`;
    case 'recording':
      return t(event.data.recording ? 'recordingStarted' : 'recordingStopped');
  }
}

export function Timeline({ view }: { view: HallView }) {
  const { t, language } = useI18n();
  const format = useFormat();
  return (
    <Section title={t('timeline')}>
      {view.timeline.length === 0 ? (
        <p className="muted">{t('nothingYet')}</p>
      ) : (
        <ScrollList className="timeline" label={t('timeline')} testId="timeline">
          {[...view.timeline].reverse().map((entry) => (
            <li key={entry.seq}>
              <time dateTime={whenOf(entry)}>{format.time(whenOf(entry))}</time>{' '}
              {describeEvent(entry.event, t, language)}
            </li>
          ))}
        </ScrollList>
      )}
    </Section>
  );
}
