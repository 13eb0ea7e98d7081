import type { VNode } from 'preact';
import { formatStaffTime, MAX_ESCALATIONS } from '../../domain/alerts/staff-wording';
import { telHref } from '../../domain/checkins/crisis-resources';
import type { AlertDetail, AlertLists, AlertSummary, ConsoleHome } from '../../domain/console/alerts-console';
import type { AlertRecord, StaffSend } from '../../domain/ports';
import { Outside } from '../components';
import {
  type ClinicView,
  ContactSection,
  ReplySection,
  SenderSection,
  SessionSection,
  Term,
} from '../staff/reply-sections';
import { ConsoleDocument, type ConsoleViewer, CsrfField } from './console-document';

/** The clinic as the console pages show it. */
export interface ConsoleClinic extends ClinicView {
  /** Escalations at most, per alert. */
  maxEscalations?: number;
  /** Triage rule descriptions by id. */
  ruleDescriptions: Readonly<Record<string, string>>;
}

/** How long ago, in words staff read at a glance: "12 min", "3 h 5 min", "2 days". */
export function ageText(since: string, now: string): string {
  const minutes = Math.max(0, Math.floor((Date.parse(now) - Date.parse(since)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

const STATE_WORDS: Readonly<Record<AlertRecord['state'], string>> = {
  pending: 'Not acknowledged (being delivered to staff)',
  open: 'Not acknowledged',
  escalated: 'Not acknowledged, escalated',
  acknowledged: 'Acknowledged, outcome not recorded',
  closed: 'Closed',
};

function AlertCard(props: { summary: AlertSummary; clinic: ConsoleClinic; now: string }): VNode {
  const { alert, booking, reason } = props.summary;
  const urgent = alert.state !== 'acknowledged' && alert.state !== 'closed';
  return (
    <li class={urgent ? 'card card-urgent' : 'card'}>
      <h3>
        <a href={`/console/alerts/${encodeURIComponent(alert.alertId)}`}>
          {booking ? <Outside text={booking.patient.firstName} /> : 'Unknown patient'}: {reason}
        </a>
      </h3>
      <p class="meta">
        {STATE_WORDS[alert.state]} · raised {ageText(alert.createdAt, props.now)} ago · escalations{' '}
        {alert.escalations}
        {alert.acknowledgedBy ? ` · acknowledged by ${alert.acknowledgedBy}` : ''}
        {alert.closedBy ? ` · closed by ${alert.closedBy}` : ''}
      </p>
      {booking?.patient.phone ? (
        <p>
          Call <a href={telHref(booking.patient.phone)}>{booking.patient.phone}</a>
        </p>
      ) : null}
    </li>
  );
}

function AlertList(props: {
  heading: string;
  empty: string;
  items: readonly AlertSummary[];
  clinic: ConsoleClinic;
  now: string;
}): VNode {
  return (
    <>
      <h2>{props.heading}</h2>
      {props.items.length === 0 ? (
        <p>{props.empty}</p>
      ) : (
        <ul class="cards">
          {props.items.map((summary) => (
            <AlertCard summary={summary} clinic={props.clinic} now={props.now} />
          ))}
        </ul>
      )}
    </>
  );
}

/** The alerts page: alerts to acknowledge first (longest waiting on top), then outcomes to record, then closed ones. */
export function AlertsPage(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  lists: AlertLists;
  now: string;
}): VNode {
  const { lists, clinic, now } = props;
  return (
    <ConsoleDocument title="Alerts" clinicName={clinic.name} viewer={props.viewer} current="alerts">
      <h1>Alerts</h1>
      <AlertList
        heading={`To acknowledge (${lists.unacknowledged.length})`}
        empty="No alert is waiting for someone to acknowledge it."
        items={lists.unacknowledged}
        clinic={clinic}
        now={now}
      />
      <AlertList
        heading={`Outcome to record (${lists.acknowledged.length})`}
        empty="No acknowledged alert is waiting for its outcome."
        items={lists.acknowledged}
        clinic={clinic}
        now={now}
      />
      <AlertList
        heading={`Closed in ${lists.month}`}
        empty="No alert was closed this month."
        items={lists.closed}
        clinic={clinic}
        now={now}
      />
      <form method="get" action="/console/alerts">
        <label class="label" for="month">
          Closed alerts of another month
        </label>
        <input
          type="text"
          id="month"
          name="month"
          inputmode="numeric"
          placeholder="2026-11"
          pattern="\d{4}-\d{2}"
        />
        <button type="submit" class="button button-secondary">
          Show closed alerts
        </button>
      </form>
    </ConsoleDocument>
  );
}

function AlertStatus(props: {
  detail: AlertDetail;
  clinic: ConsoleClinic;
  now: string;
  notice?: string;
}): VNode {
  const { alert } = props.detail;
  const tz = props.clinic.timeZone;
  const max = props.clinic.maxEscalations ?? MAX_ESCALATIONS;
  if (alert.state === 'closed') {
    return (
      <div class="status status-done">
        <p class="lead">
          Closed by {alert.closedBy} at {formatStaffTime(alert.closedAt ?? '', tz)}.
        </p>
        <p>
          Acknowledged by {alert.acknowledgedBy} at {formatStaffTime(alert.acknowledgedAt ?? '', tz)}.
        </p>
        {props.notice ? <p>{props.notice}</p> : null}
      </div>
    );
  }
  if (alert.state === 'acknowledged') {
    return (
      <div class="status status-done">
        <p class="lead">
          Acknowledged by {alert.acknowledgedBy} at {formatStaffTime(alert.acknowledgedAt ?? '', tz)}.
        </p>
        {props.notice ? (
          <p>{props.notice}</p>
        ) : (
          <p>Escalation has stopped. Record the outcome below when you are done.</p>
        )}
      </div>
    );
  }
  return (
    <div class="status status-urgent">
      <p class="lead">Not acknowledged yet: raised {ageText(alert.createdAt, props.now)} ago.</p>
      <p>
        {alert.escalations > 0
          ? `Escalated ${alert.escalations === 1 ? 'once' : `${alert.escalations} times`} so far (at most ${max}).`
          : `Not escalated yet. It escalates if nobody acknowledges it (at most ${max} times).`}
        {alert.state === 'pending'
          ? ' Not every staff recipient has taken the alert message yet (see who was told, below).'
          : ''}
      </p>
    </div>
  );
}

function OutcomeForm(props: { alertId: string; csrfToken: string }): VNode {
  return (
    <>
      <h2 id="outcome-heading">Record the outcome and close</h2>
      <form
        method="post"
        action={`/console/alerts/${encodeURIComponent(props.alertId)}/close`}
        accept-charset="utf-8"
        aria-labelledby="outcome-heading"
      >
        <CsrfField token={props.csrfToken} />
        <fieldset class="field">
          <legend>Did you reach the patient?</legend>
          <div class="options">
            <label class="option" for="reached-yes">
              <input type="radio" id="reached-yes" name="reached" value="yes" required />
              <span>Reached</span>
            </label>
            <label class="option" for="reached-no">
              <input type="radio" id="reached-no" name="reached" value="no" required />
              <span>Not reached</span>
            </label>
          </div>
        </fieldset>
        <fieldset class="field">
          <legend>If reached: is the patient safe now?</legend>
          <div class="options">
            <label class="option" for="safe-yes">
              <input type="radio" id="safe-yes" name="safe" value="yes" />
              <span>Safe</span>
            </label>
            <label class="option" for="safe-no">
              <input type="radio" id="safe-no" name="safe" value="no" />
              <span>Not safe</span>
            </label>
          </div>
        </fieldset>
        <label class="label" for="plan">
          If reached: the plan agreed
        </label>
        <textarea id="plan" name="plan" rows={3} maxlength={1000} />
        <label class="label" for="nextStep">
          If not reached: the next step
        </label>
        <textarea id="nextStep" name="nextStep" rows={3} maxlength={1000} />
        <p />
        <button type="submit" class="button">
          Close the alert
        </button>
      </form>
    </>
  );
}

function OutcomeSection(props: { alert: AlertRecord }): VNode | null {
  const { outcome } = props.alert;
  if (!outcome) return null;
  return (
    <>
      <h2>Outcome</h2>
      <dl class="answers">
        <Term label="Patient reached">{outcome.reached ? 'Yes' : 'No'}</Term>
        {outcome.reached ? (
          <>
            <Term label="Safe now">{outcome.safe ? 'Yes' : 'No'}</Term>
            <Term label="Plan">{outcome.plan}</Term>
          </>
        ) : (
          <Term label="Next step">{outcome.nextStep}</Term>
        )}
      </dl>
    </>
  );
}

/** What a step's copy says on the page: the first alert, escalation n, or an update. */
function stepWords(step: string): string {
  if (step === 'alert') return 'Alert';
  const escalation = /^escalation-(\d+)$/.exec(step);
  if (escalation) return `Escalation ${escalation[1]}`;
  return 'Update (another urgent reply)';
}

function deliveryWords(send: StaffSend, tz: string): string {
  if (send.state === 'sent') return `Sent ${formatStaffTime(send.sentAt ?? '', tz)}`;
  if (send.state === 'cancelled') return 'Not sent: the alert was acknowledged first';
  if (send.attempts === 0) return 'Sending';
  return `Refused ${send.attempts === 1 ? 'once' : `${send.attempts} times`} (${send.lastError ?? 'unknown'}), retried every minute`;
}

/** Who was told, copy by copy: staff see at once whether a colleague's phone or inbox refused. */
function DeliverySection(props: { deliveries: StaffSend[]; timeZone: string }): VNode | null {
  if (props.deliveries.length === 0) return null;
  return (
    <>
      <h2>Who was told</h2>
      <table>
        <caption class="sr-only">Each staff recipient's copy of this alert, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Message</th>
            <th scope="col">To</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.deliveries.map((send) => (
            <tr>
              <td>{stepWords(send.step)}</td>
              <td>
                {send.recipient.address}
                <br />
                <span class="meta">{send.recipient.channel === 'email' ? 'email' : 'text message'}</span>
              </td>
              <td>{deliveryWords(send, props.timeZone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/**
 * One alert: its state and age, the clinic's protocol, how to reach the
 * patient, every reply on it with the triggering answers highlighted, and
 * the acknowledge button or the outcome form.
 */
export function AlertDetailPage(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  detail: AlertDetail;
  now: string;
  /** A sentence about what the viewer's last action did ("Someone else acknowledged first"). */
  notice?: string;
  /** An error with the outcome form, shown above it. */
  error?: string;
}): VNode {
  const { detail, clinic, viewer } = props;
  const { alert, booking } = detail;
  const open = alert.state !== 'acknowledged' && alert.state !== 'closed';
  return (
    <ConsoleDocument
      title={`Alert: ${booking ? booking.patient.firstName : 'a text from a number not on file'}`}
      clinicName={clinic.name}
      viewer={viewer}
      current="alerts"
    >
      <h1>
        {booking ? <Outside text={booking.patient.firstName} /> : 'Number not on file'}: {detail.reason}
      </h1>
      <AlertStatus
        detail={detail}
        clinic={clinic}
        now={props.now}
        {...(props.notice ? { notice: props.notice } : {})}
      />
      {open ? (
        <form method="post" action={`/console/alerts/${encodeURIComponent(alert.alertId)}/acknowledge`}>
          <CsrfField token={viewer.csrfToken} />
          <button type="submit" class="button button-danger">
            Acknowledge: I am taking care of this patient
          </button>
        </form>
      ) : null}
      <div class="protocol">
        <p>{detail.protocol}</p>
      </div>
      {booking ? <ContactSection booking={booking} /> : <SenderSection phone={detail.sender} />}
      {props.error ? (
        <div class="error-summary" role="alert">
          <p>{props.error}</p>
        </div>
      ) : null}
      {alert.state === 'acknowledged' ? (
        <OutcomeForm alertId={alert.alertId} csrfToken={viewer.csrfToken} />
      ) : null}
      <OutcomeSection alert={alert} />
      <DeliverySection deliveries={detail.deliveries} timeZone={clinic.timeZone} />
      {detail.replies.map((reply) => (
        <ReplySection
          reply={reply}
          {...(booking ? { booking } : {})}
          clinic={clinic}
          ruleDescriptions={clinic.ruleDescriptions}
          triggers={new Set(detail.triggers[reply.replyId] ?? [])}
        />
      ))}
      {booking ? <SessionSection booking={booking} clinic={clinic} /> : null}
    </ConsoleDocument>
  );
}

/** The console's front page: what needs attention now, per the viewer's groups. */
export function ConsoleHomePage(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  home: ConsoleHome;
}): VNode {
  const { home } = props;
  return (
    <ConsoleDocument title="Overview" clinicName={props.clinic.name} viewer={props.viewer} current="home">
      <h1>Overview</h1>
      {home.unacknowledgedAlerts !== undefined ? (
        <p class={home.unacknowledgedAlerts > 0 ? 'lead' : undefined}>
          <a href="/console/alerts">
            {home.unacknowledgedAlerts === 1
              ? '1 alert to acknowledge'
              : `${home.unacknowledgedAlerts} alerts to acknowledge`}
          </a>
        </p>
      ) : (
        <p>Your role has no alerts to handle. The other pages of the console are in the menu above.</p>
      )}
      {home.waitingForReview !== undefined ? (
        <p>
          <a href="/console/review">
            {home.waitingForReview === 1 ? '1 reply to review' : `${home.waitingForReview} replies to review`}
          </a>
        </p>
      ) : null}
    </ConsoleDocument>
  );
}
