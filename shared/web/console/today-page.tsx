import { DateTime } from 'luxon';
import type { VNode } from 'preact';
import type { Treatment } from '../../contracts/booking-events';
import { FAILED_FOR_GOOD } from '../../contracts/delivery';
import type { MessageKind } from '../../contracts/vocabulary';
import { formatStaffDay, formatStaffTime } from '../../domain/alerts/staff-wording';
import { telHref } from '../../domain/checkins/crisis-resources';
import type { CheckinStatus, MessageStatus, SessionRow, TodayView } from '../../domain/console/today-console';
import type { ReadinessConcern } from '../../domain/messages/readiness';
import { Outside } from '../components';
import type { ConsoleClinic } from './alerts-pages';
import { ConsoleDocument, type ConsoleViewer } from './console-document';

export const MESSAGE_LABELS: Readonly<Record<MessageKind, string>> = {
  'prep-instructions': 'Preparation instructions',
  'prep-reminder': 'Reminder the day before',
  'prep-day-of': 'Reminder on the day',
  'checkin-same-day': 'Same-day check-in',
  'checkin-next-day': 'Next-day check-in',
  'checkin-week': 'One-week check-in',
};

export const TREATMENT_LABELS: Readonly<Record<Treatment, string>> = {
  'iv-ketamine': 'IV ketamine',
  'im-ketamine': 'IM ketamine',
  'esketamine-nasal': 'Esketamine nasal spray',
  kap: 'Ketamine-assisted psychotherapy',
  other: 'Other',
};

const CHECKIN_WORDS: Readonly<Record<CheckinStatus['state'], string>> = {
  answered: 'answered',
  waiting: 'waiting for an answer',
  missed: 'not answered: missed',
  'not-sent-yet': 'not sent yet',
  skipped: 'not sent (skipped)',
};

/** A skip or failure reason in words staff read. */
function reasonWords(reason: string): string {
  return reason.replace(/-/g, ' ');
}

/** One channel of a message: what was done, why it failed, and what the provider reported since. */
export function channelWords(channel: MessageStatus['channels'][number]): string {
  const reported =
    channel.delivery && channel.delivery !== 'sent' ? `, ${reasonWords(channel.delivery)}` : '';
  return `${channel.channel} ${channel.status}${channel.reason ? ` (${reasonWords(channel.reason)})` : ''}${reported}`;
}

/** Whether the line needs a look: the send failed, or the provider said the message never arrived. */
export function messageNeedsLook(message: MessageStatus): boolean {
  return (
    message.state === 'failed' ||
    message.channels.some((c) => c.delivery !== undefined && FAILED_FOR_GOOD.has(c.delivery))
  );
}

function MessageLine(props: { message: MessageStatus; checkin?: CheckinStatus; timeZone: string }): VNode {
  const { message, checkin } = props;
  const when = formatStaffTime(message.at, props.timeZone, { withYear: false });
  const channels = message.channels.map(channelWords).join(', ');
  const state =
    message.state === 'skipped'
      ? `skipped: ${reasonWords(message.reason ?? 'not planned')}`
      : message.state === 'planned'
        ? `planned for ${when}`
        : `${message.state}${channels ? `: ${channels}` : ''}`;
  return (
    <li class={messageNeedsLook(message) || checkin?.state === 'missed' ? 'flag' : undefined}>
      {MESSAGE_LABELS[message.kind]}: {state}
      {checkin && checkin.state !== 'skipped' && checkin.state !== 'not-sent-yet'
        ? ` · ${CHECKIN_WORDS[checkin.state]}`
        : ''}
    </li>
  );
}

const CONCERN_WORDS: Readonly<Record<ReadinessConcern, string>> = {
  'ride-or-fasting': 'answered NO by text (ride home or eating and drinking times)',
  'ride-home': 'no ride home',
  fasting: 'not sure when to stop eating and drinking',
  'new-medicine': 'a new medicine since the last visit',
};

/** The readiness check in words: confirmed (and how), the concerns, or no answer yet. */
export function readinessWords(readiness: SessionRow['readiness']): string {
  if (readiness.state === 'unanswered') return 'Ready? No answer yet';
  if (readiness.state === 'concern')
    return `Ready? Needs a call: ${readiness.concerns.map((c) => CONCERN_WORDS[c]).join('; ')}`;
  const how = readiness.via.includes('form') ? 'on the form' : 'YES by text';
  return `Ready: confirmed ${how}${readiness.medicineOpen ? '; new medicines not asked yet' : ''}`;
}

function SessionCard(props: { row: SessionRow; timeZone: string }): VNode {
  const { booking, status, messages, checkins, readiness } = props.row;
  const start = DateTime.fromISO(booking.session.startsAt).setZone(props.timeZone).toFormat('h:mm a');
  return (
    <li class="card">
      <h3>
        {start} · <Outside text={booking.patient.firstName} />
        {status === 'cancelled' ? ' (cancelled)' : ''}
      </h3>
      <p class="meta">
        {TREATMENT_LABELS[booking.session.treatment]}, {booking.session.durationMinutes} min
        {booking.session.location ? (
          <>
            {' · '}
            <Outside text={booking.session.location} />
          </>
        ) : null}
      </p>
      {booking.patient.phone ? (
        <p>
          Call <a href={telHref(booking.patient.phone)}>{booking.patient.phone}</a>
        </p>
      ) : null}
      <p class={readiness.state === 'concern' ? 'flag' : undefined}>{readinessWords(readiness)}</p>
      <ul>
        {messages.map((message) => (
          <MessageLine
            message={message}
            timeZone={props.timeZone}
            {...(checkins.find((c) => c.kind === message.kind)
              ? { checkin: checkins.find((c) => c.kind === message.kind) }
              : {})}
          />
        ))}
      </ul>
    </li>
  );
}

/** Today and tomorrow: each session with its messages and check-ins, for the front desk and clinicians. */
export function TodayPage(props: { viewer: ConsoleViewer; clinic: ConsoleClinic; view: TodayView }): VNode {
  const { clinic } = props;
  return (
    <ConsoleDocument title="Today" clinicName={clinic.name} viewer={props.viewer} current="today">
      <h1>Today and tomorrow</h1>
      {props.view.days.map(({ day, sessions }) => (
        <>
          <h2>
            {formatStaffDay(day, { withYear: true })} (
            {sessions.length === 1 ? '1 session' : `${sessions.length} sessions`})
          </h2>
          {sessions.length === 0 ? (
            <p>No session.</p>
          ) : (
            <ul class="cards">
              {sessions.map((row) => (
                <SessionCard row={row} timeZone={clinic.timeZone} />
              ))}
            </ul>
          )}
        </>
      ))}
    </ConsoleDocument>
  );
}
