import type { VNode } from 'preact';
import type { FullBooking } from '../../contracts/booking-events';
import { formatStaffTime, MAX_ESCALATIONS } from '../../domain/alerts/staff-wording';
import type { AlertRecord, StoredReply } from '../../domain/ports';
import { renderPage } from '../layout';
import { type ClinicView, ContactSection, ReplySection, SessionSection, Term } from './reply-sections';
import { StaffDocument } from './staff-document';

/** The alert as the staff page shows it (an `AlertRecord` fits). */
export type StaffAlertView = Pick<
  AlertRecord,
  'alertId' | 'state' | 'createdAt' | 'escalations' | 'acknowledgedAt' | 'acknowledgedBy'
>;

export interface AlertPageInput {
  alert: StaffAlertView;
  reply: StoredReply;
  booking: FullBooking;
  clinic: ClinicView;
  /** Where the acknowledge form posts: the signed staff link itself. */
  action: string;
  /** The page answering this viewer's own acknowledgement. */
  justAcknowledged?: boolean;
  /** The page answering an acknowledgement that came second: someone else acknowledged first. */
  alreadyAcknowledged?: boolean;
  /** Triage rule descriptions by id (from the clinic config), shown next to each rule id. */
  ruleDescriptions?: Readonly<Record<string, string>>;
  /** @default 4 (DESIGN section 8) */
  maxEscalations?: number;
}

function isAcknowledged(alert: StaffAlertView): boolean {
  return alert.state === 'acknowledged' || alert.acknowledgedAt !== undefined;
}

function acknowledgerText(alert: StaffAlertView, timeZone: string): string {
  const who = alert.acknowledgedBy?.trim() ? alert.acknowledgedBy.trim() : 'a staff member (no name given)';
  const when = alert.acknowledgedAt ? ` at ${formatStaffTime(alert.acknowledgedAt, timeZone)}` : '';
  return `${who}${when}`;
}

function AlertStatus(props: { input: AlertPageInput; max: number }): VNode {
  const { input, max } = props;
  const { alert, clinic } = input;
  if (isAcknowledged(alert)) {
    return (
      <div class="status status-done">
        <p class="lead">Acknowledged by {acknowledgerText(alert, clinic.timeZone)}.</p>
        {input.alreadyAcknowledged ? (
          <p>Someone else acknowledged this alert first, so your acknowledgement changed nothing.</p>
        ) : input.justAcknowledged ? (
          <p>Thank you. Escalation has stopped. Acknowledging does not contact the patient.</p>
        ) : null}
      </div>
    );
  }
  const escalation =
    alert.escalations > 0
      ? `Escalated ${alert.escalations === 1 ? 'once' : `${alert.escalations} times`} so far (at most ${max}).`
      : `Not escalated yet. It escalates if nobody acknowledges it (at most ${max} times).`;
  const delivery = alert.state === 'pending' ? ' The alert message is still being delivered to staff.' : '';
  return (
    <div class="status status-urgent">
      <p class="lead">Not acknowledged yet.</p>
      <p>
        {escalation + delivery} Raised {formatStaffTime(alert.createdAt, clinic.timeZone)}.
      </p>
    </div>
  );
}

function AcknowledgeForm(props: { action: string }): VNode {
  return (
    <>
      <h2 id="acknowledge-heading">Acknowledge</h2>
      <p id="by-hint" class="hint">
        Acknowledge once you are taking care of this patient: your name tells colleagues who is. Acknowledging
        stops the escalation; it does not contact the patient.
      </p>
      <form method="post" action={props.action} accept-charset="utf-8" aria-labelledby="acknowledge-heading">
        <label class="label" for="by">
          Your name
        </label>
        <input type="text" id="by" name="by" autocomplete="name" maxlength={100} aria-describedby="by-hint" />
        <button type="submit" class="button">
          Acknowledge
        </button>
      </form>
    </>
  );
}

const STATE_WORDS: Readonly<Record<StaffAlertView['state'], string>> = {
  pending: 'Pending (being delivered)',
  open: 'Open (not acknowledged)',
  escalated: 'Escalated (not acknowledged)',
  acknowledged: 'Acknowledged',
  closed: 'Closed (outcome recorded)',
};

function AlertDetails(props: { input: AlertPageInput; max: number }): VNode {
  const { alert, reply, clinic } = props.input;
  return (
    <>
      <h2>Alert details</h2>
      <dl class="answers">
        <Term label="Alert">
          <code>{alert.alertId}</code>
        </Term>
        <Term label="State">{STATE_WORDS[alert.state]}</Term>
        <Term label="Raised">{formatStaffTime(alert.createdAt, clinic.timeZone)}</Term>
        <Term label="Escalations sent">{`${alert.escalations} of at most ${props.max}`}</Term>
        <Term label="Reply">
          <code>{reply.replyId}</code>
        </Term>
      </dl>
    </>
  );
}

/**
 * The staff page of an urgent alert: its state (acknowledged by whom and
 * when, prominently, or not yet and how often it escalated), what the
 * patient reported (every answer in plain English, the note with its line
 * breaks), which triage rules fired, how to reach the patient (tap to call
 * or write), the session, and, until someone acknowledges, a form posting
 * `by` ("Your name") to `action`.
 */
export function AlertPage(input: AlertPageInput): VNode {
  const { alert, reply, booking, clinic } = input;
  const max = input.maxEscalations ?? MAX_ESCALATIONS;
  const acknowledged = isAcknowledged(alert);
  return (
    <StaffDocument
      title={acknowledged ? 'Urgent check-in reply (acknowledged)' : 'Urgent check-in reply'}
      clinicName={clinic.name}
    >
      <h1>Urgent check-in reply{acknowledged ? ': acknowledged' : ''}</h1>
      <AlertStatus input={input} max={max} />
      <ReplySection
        reply={reply}
        booking={booking}
        clinic={clinic}
        ruleDescriptions={input.ruleDescriptions ?? {}}
      />
      <ContactSection booking={booking} />
      {acknowledged ? null : <AcknowledgeForm action={input.action} />}
      <SessionSection booking={booking} clinic={clinic} />
      <AlertDetails input={input} max={max} />
    </StaffDocument>
  );
}

/** The alert page as a whole page; see `AlertPage`. */
export function renderAlertPage(input: AlertPageInput): string {
  return renderPage(<AlertPage {...input} />);
}
