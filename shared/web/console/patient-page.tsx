import type { VNode } from 'preact';
import { replyConsoleUrl } from '../../domain/alerts/console-links';
import { checkinKindLabel, formatStaffTime } from '../../domain/alerts/staff-wording';
import { GAD7_FLOORS, PHQ9_FLOORS } from '../../domain/checkins/screeners';
import type { PatientView, TimelineEntry } from '../../domain/console/patient-console';
import { Outside, PhoneLink } from '../components';
import type { ConsoleClinic } from './alerts-pages';
import { ConsoleDocument, type ConsoleViewer } from './console-document';
import { ScreenerChart, type ScreenerSeries } from './screener-chart';
import { channelWords, MESSAGE_LABELS, messageNeedsLook, TREATMENT_LABELS } from './today-page';

const ALERT_STATES: Readonly<Record<string, string>> = {
  pending: 'being delivered',
  open: 'open, not acknowledged',
  escalated: 'escalated, not acknowledged',
  acknowledged: 'acknowledged',
  closed: 'closed',
};

/** A console path with the patient id as one segment, and where the page starts (`before`, a cursor). */
export function patientConsolePath(patientId: string, before?: string): string {
  return `/console/patients/${encodeURIComponent(patientId)}${before ? `?before=${encodeURIComponent(before)}` : ''}`;
}

function Entry(props: { entry: TimelineEntry; clinic: ConsoleClinic }): VNode {
  const { entry, clinic } = props;
  const when = <span class="meta">{formatStaffTime(entry.at, clinic.timeZone)}</span>;
  switch (entry.type) {
    case 'session':
      return (
        <li>
          {when} <strong>Session</strong>: {TREATMENT_LABELS[entry.booking.session.treatment]},{' '}
          {entry.booking.session.durationMinutes} min
          {entry.status === 'cancelled' ? ' (cancelled)' : ''}
        </li>
      );
    case 'message': {
      const { message } = entry;
      const channels = message.channels.map(channelWords).join(', ');
      const state =
        message.state === 'skipped'
          ? `skipped (${(message.reason ?? 'not planned').replace(/-/g, ' ')})`
          : `${message.state}${channels ? `: ${channels}` : ''}`;
      return (
        <li class={messageNeedsLook(message) ? 'flag' : undefined}>
          {when} {MESSAGE_LABELS[message.kind]}: {state}
        </li>
      );
    }
    case 'answered':
      return (
        <li>
          {when} {checkinKindLabel(entry.kind)} answered
        </li>
      );
    case 'reply': {
      const { reply } = entry;
      const totals = [
        reply.scores.phq9 ? `PHQ-9 ${reply.scores.phq9.total}` : undefined,
        reply.scores.gad7 ? `GAD-7 ${reply.scores.gad7.total}` : undefined,
      ].filter((t) => t !== undefined);
      return (
        <li class={reply.triage === 'urgent' ? 'flag' : undefined}>
          {when} {checkinKindLabel(reply.kind)} reply: {reply.triage}
          {totals.length > 0 ? ` (${totals.join(', ')})` : ''}.{' '}
          <a href={replyConsoleUrl('', reply.bookingId, reply.replyId)}>Open the reply</a>
        </li>
      );
    }
    case 'alert': {
      const { alert } = entry;
      return (
        <li class={alert.state === 'closed' || alert.state === 'acknowledged' ? undefined : 'flag'}>
          {when} <strong>Urgent alert</strong>: {entry.reason}; {ALERT_STATES[alert.state] ?? alert.state}
          {alert.acknowledgedBy ? `, by ${alert.acknowledgedBy}` : ''}.{' '}
          <a href={`/console/alerts/${encodeURIComponent(alert.alertId)}`}>Open the alert</a>
        </li>
      );
    }
  }
}

/**
 * One patient (DESIGN section 10): how to reach them, the PHQ-9 and GAD-7
 * charts (clinicians), and everything that happened, newest first, a page of
 * sessions at a time.
 */
export function PatientPage(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  view: PatientView;
}): VNode {
  const { view, clinic } = props;
  const { patient } = view;
  const series: (ScreenerSeries & { id: string })[] = [
    {
      id: 'phq9',
      name: 'PHQ-9',
      max: 27,
      floors: PHQ9_FLOORS,
      points: view.screeners.flatMap((p) => (p.phq9 === undefined ? [] : [{ at: p.at, total: p.phq9 }])),
    },
    {
      id: 'gad7',
      name: 'GAD-7',
      max: 21,
      floors: GAD7_FLOORS,
      points: view.screeners.flatMap((p) => (p.gad7 === undefined ? [] : [{ at: p.at, total: p.gad7 }])),
    },
  ];
  return (
    <ConsoleDocument
      title={`Patient ${patient.firstName}`}
      clinicName={clinic.name}
      viewer={props.viewer}
      current="patient"
    >
      <h1>
        <Outside text={patient.firstName} />{' '}
        <span class="meta">
          (patient id <Outside text={view.patientId} />)
        </span>
      </h1>
      <p>
        {view.bookings === 1 ? '1 booking' : `${view.bookings} bookings`}
        {patient.phone ? (
          <>
            {' · Call '}
            <PhoneLink phone={patient.phone} />
          </>
        ) : null}
        {patient.email ? (
          <>
            {' · '}
            <Outside text={patient.email} />
          </>
        ) : null}
        {` · prefers ${patient.preferredChannel === 'both' ? 'email and SMS' : patient.preferredChannel}, ${
          patient.language === 'es' ? 'Spanish' : 'English'
        }`}
      </p>
      {view.clinical ? (
        <section aria-labelledby="outcomes">
          <h2 id="outcomes">PHQ-9 and GAD-7</h2>
          {series.every((s) => s.points.length === 0) ? (
            <p>No screener answers yet.</p>
          ) : (
            <div class="charts">
              {series
                .filter((s) => s.points.length > 0)
                .map((s) => (
                  <ScreenerChart series={s} timeZone={clinic.timeZone} id={s.id} />
                ))}
            </div>
          )}
        </section>
      ) : null}
      <section aria-labelledby="timeline">
        <h2 id="timeline">What happened, newest first{view.before ? ' (older sessions)' : ''}</h2>
        <ol class="timeline">
          {view.timeline.map((entry) => (
            <Entry entry={entry} clinic={clinic} />
          ))}
        </ol>
        {view.before || view.next ? (
          <nav aria-label="Pages" class="pager">
            {view.before ? <a href={patientConsolePath(view.patientId)}>Newest sessions</a> : null}
            {view.next ? <a href={patientConsolePath(view.patientId, view.next)}>Older sessions</a> : null}
          </nav>
        ) : null}
      </section>
    </ConsoleDocument>
  );
}

/** Finding a patient by the clinic's patient id (a GET form, so it works without script). */
export function PatientSearchPage(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  notFound?: string;
}): VNode {
  return (
    <ConsoleDocument title="Patients" clinicName={props.clinic.name} viewer={props.viewer} current="patient">
      <h1>Find a patient</h1>
      {props.notFound !== undefined ? (
        <div class="status" role="status">
          <p>
            No booking has the patient id <Outside text={props.notFound} />.
          </p>
        </div>
      ) : null}
      <form method="get" action="/console/patients">
        <label for="patient-id">Clinic patient id</label>
        <input id="patient-id" name="id" type="text" required maxLength={128} autoComplete="off" />
        <button type="submit" class="button">
          Open
        </button>
      </form>
    </ConsoleDocument>
  );
}
