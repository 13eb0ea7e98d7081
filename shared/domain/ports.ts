import type { DeliveryStatus } from '../contracts/delivery';
import type {
  Advice,
  Channel,
  CheckinAnswers,
  CheckinKind,
  MessageKind,
  ReplyKind,
} from '../contracts/vocabulary';
import type { BookingRecord } from './booking-record';

/** The service's notion of now; virtual in the local runtime. */
export interface Clock {
  /** Current instant as an ISO-8601 UTC string. */
  now(): string;
}

/** Versioned booking state, one item per booking. */
export interface BookingStore {
  get(bookingId: string): Promise<BookingRecord | undefined>;
  /**
   * Writes the record if the stored one still has `expectedRevision`
   * (`undefined`: no record yet). Answers `conflict` when somebody else wrote first.
   */
  save(record: BookingRecord, expectedRevision: number | undefined): Promise<'saved' | 'conflict'>;
  /**
   * The patient's active bookings whose session starts between `from` and
   * `to` (inclusive, ISO): the by-patient index, checked against each
   * booking as it stands now.
   */
  sessionsOfPatient(patientId: string, from: string, to: string): Promise<BookingRecord[]>;
}

/** Identifies one planned instance of a message: booking, kind and planned time. */
export interface MessageRef {
  bookingId: string;
  kind: MessageKind;
  /** Planned time, ISO UTC, as stored in the booking's plan. */
  at: string;
  /** Set on a check-in sent again to new contact details (`resendTag`): its own log entries and link. */
  resend?: string;
}

export type MessageLogStatus = 'sending' | 'sent' | 'failed' | 'skipped';

export interface MessageLogEntry extends MessageRef {
  /** `none` for a skip that concerns the message as a whole. */
  channel: Channel | 'none';
  status: MessageLogStatus;
  version: number;
  updatedAt: string;
  attempts: number;
  reason?: string;
  providerMessageId?: string;
  /** The opaque id providers hand back with delivery events (DESIGN section 11). */
  deliveryId?: string;
  /** What the provider's events said became of it (absent until the first event). */
  delivery?: { status: DeliveryStatus; at: string; detail: string };
}

export type ClaimResult = 'claimed' | 'already-sent' | 'in-flight';

/** What was planned, sent, skipped (with reason) and failed, per booking. */
export interface MessageLog {
  /**
   * Claims one channel of a message for sending: succeeds when nobody has, when
   * an earlier attempt failed, or when an earlier claim expired (a crashed send).
   */
  claim(
    ref: MessageRef,
    channel: Channel,
    opts: {
      version: number;
      now: string;
      expiresAt: string;
      /** The message's opaque delivery id (`deliveryIdOf`): kept on the entry, and findable for delivery events. */
      deliveryId?: string;
      /** The digest of the address it goes to (`contactDigest`): a bounce or an opt-out marks that address. */
      toDigest?: string;
    },
  ): Promise<ClaimResult>;
  /** `phoneDigest` on an SMS: the text joins that phone's history, where a patient's answer finds it. */
  markSent(
    ref: MessageRef,
    channel: Channel,
    opts: { now: string; providerMessageId: string; phoneDigest?: string },
  ): Promise<void>;
  markFailed(ref: MessageRef, channel: Channel, opts: { now: string; reason: string }): Promise<void>;
  /** The provider refused the address itself: failed, with the refusal as the message's delivery status. */
  markRefused(
    ref: MessageRef,
    channel: Channel,
    opts: { now: string; status: DeliveryStatus; rank: number; detail: string },
  ): Promise<void>;
  /** Records that a message was not sent and why; a second skip of the same message changes nothing. */
  recordSkip(ref: MessageRef, opts: { version: number; now: string; reason: string }): Promise<void>;
  list(bookingId: string): Promise<MessageLogEntry[]>;
  /** One channel's entry of a message, read consistently. */
  entryOf(ref: MessageRef, channel: Channel): Promise<MessageLogEntry | undefined>;
  /** How many texts went to the phone (by its digest) after `since`, whatever their booking. */
  textsSince(phoneDigest: string, since: string): Promise<number>;
}

/** A stored link: the opaque id in a signed URL resolves to this. */
export interface LinkRecord {
  linkId: string;
  bookingId: string;
  kind: MessageKind | 'alert' | 'reply';
  purpose: 'checkin' | 'instructions' | 'alert' | 'reply';
  /** The alert or reply a staff link opens. */
  subjectId?: string;
  expiresAt: string;
  /** Digests of the addresses the message went to (`contactDigest`); a link sent to an old one is revoked. */
  sentTo?: string[];
}

export interface LinkStore {
  /** Idempotent: the same id always carries the same content. */
  put(link: LinkRecord): Promise<void>;
  get(linkId: string): Promise<LinkRecord | undefined>;
}

/** A one-time schedule that fires a function with opaque ids only. */
export interface Schedule<P> {
  /** Deterministic per booking and kind (or alert and step), so creating twice is harmless. */
  name: string;
  /** When it fires, ISO UTC. */
  fireAt: string;
  /** The patient's (or clinic's) zone; the adapter renders `at()` in it. */
  timeZone: string;
  payload: P;
}

export interface SchedulePayload {
  bookingId: string;
  kind: MessageKind;
  /** The planned time the message belongs to (may differ from fireAt for a retry). */
  at: string;
  version: number;
  /** The re-send tag of a check-in sent again to new contact details (opaque). */
  resend?: string;
}

/** What the readiness deadline's schedule hands the send function: the booking and the deadline. */
export interface ReadinessCheckPayload {
  bookingId: string;
  check: 'readiness';
  at: string;
}

/** What an escalation schedule hands the alert function: the alert's opaque id only. */
export interface AlertSchedulePayload {
  alertId: string;
}

export interface Scheduler<P> {
  /** Creates the schedule or moves an existing one. */
  upsert(schedule: Schedule<P>): Promise<void>;
  /** Removes the schedule; one that is already gone is not an error. */
  remove(name: string): Promise<void>;
}

export type MessageSchedule = Schedule<SchedulePayload | ReadinessCheckPayload>;
/** Schedules that fire the send function: messages, and readiness deadlines. */
export type MessageScheduler = Scheduler<SchedulePayload | ReadinessCheckPayload>;
/** Schedules that fire the alert function (escalations). */
export type AlertScheduler = Scheduler<AlertSchedulePayload>;

export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: string;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** Absent for staff alerts, which are plain text. */
  html?: string;
  /** The message's opaque id, which SES hands back with each delivery event (as the `delivery` tag). */
  deliveryId?: string;
  attachments?: EmailAttachment[];
  /** For the local outbox and provider tags; never PHI. */
  kind: MessageKind | 'review-digest' | 'front-desk-notice' | StaffMessageKind;
  bookingId?: string;
}

/** Staff alert messages on the patient channels' adapters (SES, SMS): tagged by topic. */
export type StaffMessageKind = 'staff-alert' | 'staff-escalation';

/** The answer a patient's text to the clinic's number gets (DESIGN section 11). */
export type PatientAutoReplyKind = 'text-auto-reply';

export interface OutgoingSms {
  to: string;
  text: string;
  kind: MessageKind | StaffMessageKind | PatientAutoReplyKind;
  /** Absent for staff alerts. */
  bookingId?: string;
  /** The message's opaque id, which the provider hands back with each delivery event (DESIGN section 11). */
  deliveryId?: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

export interface SmsSender {
  /** Throws `AddressRefusedError` when the provider will never deliver to that phone (it opted out). */
  send(sms: OutgoingSms): Promise<{ messageId: string }>;
}

/**
 * A provider refused a message because of the address itself (a phone on the opt-out list), not a passing
 * fault: retrying changes nothing, so the send records it as the message's delivery status and goes on.
 */
export class AddressRefusedError extends Error {
  constructor(
    readonly status: 'opted-out',
    /** The provider's error, named without the address. */
    readonly detail: string,
  ) {
    super(`the provider refused the address: ${detail}`);
    this.name = 'AddressRefusedError';
  }
}

/** A rejected event or a failed send, kept with its reason (the DLQ). */
export interface DeadLetter {
  source: string;
  reason: string;
  at: string;
  detail?: unknown;
}

export interface DeadLetterSink {
  keep(letter: DeadLetter): Promise<void>;
}

/** Counts things operators alarm on; never carries patient data. */
export interface Metrics {
  count(name: string, value?: number): void;
  /** Publishes what was counted during this invocation. */
  flush(): void;
}

/** Structured logging; callers pass ids and outcomes, never names, contacts or answers. */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One link-signing key and its id (0-255), which every token it signs carries. */
export interface SigningKey {
  id: number;
  key: Uint8Array;
}

/** The keys that verify: the current one, which signs, and the one before it (DESIGN section 8). */
export interface SigningKeys {
  current: SigningKey;
  previous?: SigningKey;
}

/**
 * The link-signing keys (Secrets Manager on AWS, random per start locally):
 * the current one and the previous one, or a bare key (key 0).
 */
export interface SigningKeySource {
  get(): Promise<SigningKeys | Uint8Array>;
  /** Fetches the keys again now (throttled): a token carries a key id this copy has not seen. */
  refresh?(): Promise<SigningKeys | Uint8Array>;
}

/** One stored check-in reply: append-only, with the triage it got. */
export interface StoredReply {
  replyId: string;
  bookingId: string;
  /** The booking's opaque surrogate, carried on to the alert (absent on older replies). */
  bookingRef?: string;
  /** A check-in, or `text`: a patient's text to the clinic's number, its body as the note. */
  kind: ReplyKind;
  receivedAt: string;
  answers: CheckinAnswers;
  triage: TriageLevel;
  /** Ids of every triage rule that fired. */
  rules: string[];
  scores: { phq9?: ScreenerScore; gad7?: ScreenerScore };
  /** The clinic's patient id (the by-patient index); absent on replies stored before it existed. */
  patientId?: string;
  /** What the patient was told to do (DESIGN section 7). */
  advice?: Advice;
  /** Fields of the reply that could not be read: it was stored anyway for its red flag. */
  unread?: string[];
  /** Set on urgent replies: the staff alert this reply owes, pending until delivered. */
  alertId?: string;
  /**
   * The booking's alert that was open when this urgent reply came: the reply
   * joins it instead of starting a new escalation chain, and has an alert of
   * its own (`alertId`) only if that one was acknowledged meanwhile.
   */
  joinsAlertId?: string;
  /**
   * The reply that owes that alert, so a joining reply whose dispatch comes
   * first can create it (alert creation is idempotent).
   */
  joinsAlertOf?: Pick<StoredReply, 'replyId' | 'kind' | 'receivedAt' | 'rules'>;
  /**
   * A text from a number no message of ours went to (DESIGN section 11): the number, so staff can call it
   * back. Such a text has no booking; it is kept under the sender's own key (`unknownSenderKey`).
   */
  from?: string;
  /** Set when a clinician marked a review reply reviewed in the console. */
  reviewedAt?: string;
  reviewedBy?: string;
  reviewedBySubject?: string;
}

export type TriageLevel = 'urgent' | 'review' | 'routine';

/** Clinic-wide counts of replies by ISO week and triage level (the console's outcomes page). */
export interface ReplyCounter {
  /** Counts the reply in `week` (`2026-W48`); counting the same reply again changes nothing. */
  count(reply: { replyId: string; bookingId: string; triage: TriageLevel }, week: string): Promise<void>;
}
export interface ScreenerScore {
  total: number;
  band: string;
}

export interface ReplyStore {
  /**
   * Stores a new reply; a reply is never changed afterwards (a correction is
   * a new reply). A reply with screener scores also enters the patient's
   * screener history.
   */
  record(reply: StoredReply): Promise<void>;
  listForBooking(bookingId: string): Promise<StoredReply[]>;
}

/** A check-in that got no reply within its window (DESIGN section 7). */
export interface MissedCheckin {
  bookingId: string;
  patientId: string;
  kind: CheckinKind;
  /** When the check-in went out. */
  sentAt: string;
  /** When its window ended. */
  missedAt: string;
  recordedAt: string;
  /** On the next-day record: the same-day check-in was missed too, so the patient is review. */
  bothEarlyMissed: boolean;
}

/** Missed check-ins, once each, waiting for the digest and for review in the console. */
export interface MissedCheckinStore {
  /** Records a missed check-in; false when it was recorded before (nothing changes). */
  record(missed: MissedCheckin): Promise<boolean>;
  listForBooking(bookingId: string): Promise<MissedCheckin[]>;
}

/** A patient's first screener totals, which triage compares later ones with. */
export interface ScreenerBaseline {
  readonly phq9?: number;
  readonly gad7?: number;
}

/** Screener totals by patient (the by-patient index), oldest first. */
export interface ScreenerHistory {
  /** Enters a reply's screener totals; entering the same reply again changes nothing. */
  add(entry: {
    patientId: string;
    replyId: string;
    bookingId: string;
    at: string;
    phq9?: number;
    gad7?: number;
  }): Promise<void>;
  /** The first PHQ-9 and first GAD-7 total the patient gave; empty before any. */
  baseline(patientId: string): Promise<ScreenerBaseline>;
  /** When the patient last answered a screener for a booking other than `exceptBookingId`, if ever. */
  lastAnsweredAt(patientId: string, exceptBookingId?: string): Promise<string | undefined>;
}

export type AlertState = 'pending' | 'open' | 'escalated' | 'acknowledged' | 'closed';

/** What joining an open alert did (`AlertStore.join`). */
export interface JoinResult {
  outcome: 'joined' | 'already' | 'not-open' | 'missing';
  /** The rules the reply added to the alert. */
  added: string[];
}

/** What staff recorded when they closed an alert (DESIGN section 10). */
export type AlertOutcome =
  | { reached: true; safe: boolean; plan: string }
  | { reached: false; nextStep: string };

/** A staff alert owed by an urgent reply. */
export interface AlertRecord {
  alertId: string;
  bookingId: string;
  /** The booking's opaque surrogate, the reference staff messages carry (absent on older alerts). */
  bookingRef?: string;
  replyId: string;
  replyKind: ReplyKind;
  rules: string[];
  /** The reply's write: escalations count from here. */
  createdAt: string;
  state: AlertState;
  /** When the first alert was sent to its recipients (each then retried on its own until it accepts). */
  notifiedAt?: string;
  /** When the last recipient of the first alert accepted it. */
  deliveredAt?: string;
  escalations: number;
  /** When the next piece of work (delivery or escalation) is due; absent when none is. */
  dueAt?: string;
  acknowledgedAt?: string;
  /** Who acknowledged: the signed-in staff member's name (older signed links: what they typed). */
  acknowledgedBy?: string;
  /** The identity provider's subject of whoever acknowledged, when signed in. */
  acknowledgedBySubject?: string;
  /** Urgent replies that joined this alert while it was open (DESIGN section 7), oldest first. */
  replyIds?: string[];
  /** Each joined reply with the rules it added to the alert. */
  joins?: { replyId: string; added: string[] }[];
  closedAt?: string;
  closedBy?: string;
  closedBySubject?: string;
  outcome?: AlertOutcome;
}

/** Who did something in the console, as the audit trail and the alert record it. */
export interface StaffActor {
  name: string;
  subject: string;
}

/** Work the alert sweeper finds: a reply whose alert is not created yet, or an alert with work due. */
export type AlertWork = { dueAt: string } & (
  | { type: 'reply'; reply: StoredReply }
  | { type: 'alert'; alertId: string }
  | { type: 'send'; alertId: string }
);

export interface AlertStore {
  /** Creates the alert of an urgent reply; creating it again changes nothing. */
  createFromReply(reply: StoredReply & { alertId: string }): Promise<void>;
  get(alertId: string): Promise<AlertRecord | undefined>;
  /**
   * Adds a further urgent reply to an alert nobody has acknowledged, with the
   * rules of it the alert did not have yet (`added`): `joined`; `already`
   * when it joined before (with what it added then); `not-open` when the
   * alert was acknowledged or closed; `missing` when it does not exist (yet).
   */
  join(alertId: string, reply: { replyId: string; rules: string[] }): Promise<JoinResult>;
  /** Claims the alert's next step if it is still in `state` after `escalations` and nobody holds a live claim. */
  claim(
    alertId: string,
    expect: { state: AlertState; escalations: number },
    opts: { now: string; expiresAt: string },
  ): Promise<boolean>;
  /**
   * Records that the first alert's sends were made (each recipient's copy exists
   * and was tried) and that the next step is the first escalation at `dueAt`;
   * `delivered` when every recipient accepted it, which makes the alert `open`.
   * False when the alert was no longer pending (an acknowledgement won the race).
   */
  markNotified(alertId: string, opts: { now: string; dueAt: string; delivered: boolean }): Promise<boolean>;
  /**
   * Every recipient has now accepted the first alert (after retries): `pending` becomes `open`. False when it
   * was no longer pending (another attempt opened it, or it escalated first).
   */
  markDelivered(alertId: string, opts: { now: string }): Promise<boolean>;
  /** False when the alert was acknowledged meanwhile. */
  markEscalated(
    alertId: string,
    opts: { now: string; escalations: number; dueAt?: string },
  ): Promise<boolean>;
  releaseClaim(alertId: string, opts: { now: string; reason: string }): Promise<void>;
  /** Acknowledges once: answers the alert as it stands and whether this call was the first. */
  acknowledge(
    alertId: string,
    opts: { now: string; by: string; bySubject?: string },
  ): Promise<{ first: boolean; alert: AlertRecord }>;
  /** Records the outcome and closes an acknowledged alert; false when it was not acknowledged or already closed. */
  close(alertId: string, opts: { now: string; by: StaffActor; outcome: AlertOutcome }): Promise<boolean>;
  /** Alerts not closed yet (pending, open, escalated, acknowledged), newest first, at most `limit`. */
  listActive(limit: number): Promise<AlertRecord[]>;
  /** Alerts closed in a month (`2026-11`), newest first, at most `limit`. */
  listClosed(month: string, limit: number): Promise<AlertRecord[]>;
  /** Takes the reply off the pending-alert index once its alert exists. */
  clearReplyMarker(reply: StoredReply): Promise<void>;
  /** Alert work due at or before `now`, oldest first (a query on the sparse index, no scan). */
  dueWork(now: string): Promise<AlertWork[]>;
  /** When the earliest alert work falls due, if any. */
  nextDueAt(): Promise<string | undefined>;
  /** Alerts escalated as often as allowed and still not acknowledged. */
  countUnacknowledgedAfterEscalation(): Promise<number>;
}

export type StaffTopic = 'alerts' | 'escalation';

/** One staff contact from config `staff`: an email address (SES) or a phone (SMS). */
export interface StaffRecipient {
  channel: 'email' | 'sms';
  address: string;
  /** Stable and opaque (a hash of channel and address): names the recipient in keys, logs and metrics. */
  key: string;
  /** Where config lists it (`staff.alertEmails[0]`): what logs and the daily check name, never the address. */
  configPath: string;
}

/** What one staff recipient is sent: subject (email only) and text, for one topic. */
export interface StaffMessage {
  topic: StaffTopic;
  subject: string;
  text: string;
}

/** Sends to one staff recipient on its channel; throws when the channel refused it. */
export interface StaffNotifier {
  send(recipient: StaffRecipient, message: StaffMessage): Promise<{ messageId: string }>;
}

/**
 * One staff recipient's copy of one alert step (DESIGN section 8): the first
 * alert (`alert`), escalation n (`escalation-n`) or a joined reply's update
 * (`update-<replyId>`). Claimed, sent and retried on its own.
 */
export interface StaffSend {
  alertId: string;
  step: string;
  recipient: StaffRecipient;
  message: StaffMessage;
  state: 'due' | 'sent' | 'cancelled';
  /** When it was first due: the sweeper retries it every minute from then until sent or cancelled. */
  dueAt: string;
  attempts: number;
  sentAt?: string;
  lastError?: string;
  lastErrorAt?: string;
}

/** What happened to a recipient lately, for the daily reachability check. */
export interface StaffRecipientStatus {
  key: string;
  lastSentAt?: string;
  lastFailedAt?: string;
  lastError?: string;
}

/** Each recipient's copy of each alert step, on the alert's partition. */
export interface StaffSendStore {
  /**
   * Creates each send already claimed by this attempt: `claimed` sends are this
   * caller's to send; a send that existed is claimed if due and unclaimed
   * (`claimed`), else answered as `sent`, `cancelled` or `in-flight`.
   */
  enqueueClaimed(
    sends: StaffSend[],
    opts: { now: string; expiresAt: string },
  ): Promise<{ send: StaffSend; claim: SendClaim }[]>;
  /** Claims a due send nobody holds a live claim on. */
  claim(
    alertId: string,
    step: string,
    recipientKey: string,
    opts: { now: string; expiresAt: string },
  ): Promise<SendClaim>;
  markSent(send: StaffSend, opts: { now: string; messageId: string }): Promise<void>;
  /** Frees the claim after a refused send; the send stays due for the next attempt. */
  release(send: StaffSend, opts: { now: string; reason: string }): Promise<void>;
  /** Takes a due send off the work index: its alert was acknowledged, nothing more is owed. */
  cancel(send: StaffSend, opts: { now: string }): Promise<void>;
  /** Every send of the alert, by step then recipient. */
  ofAlert(alertId: string): Promise<StaffSend[]>;
  /** Every recipient's latest success and failure. */
  recipientStatuses(): Promise<StaffRecipientStatus[]>;
}

export type SendClaim = 'claimed' | 'sent' | 'cancelled' | 'in-flight';

/** What the daily staff digest carries: a reply, or a missed check-in. */
export type DigestEntry = { type: 'reply'; reply: StoredReply } | { type: 'missed'; missed: MissedCheckin };

/** Replies and missed check-ins waiting for the daily staff digest. */
export interface DigestQueue {
  /**
   * Entries not in a digest yet, up to `until`, claimed for this run: an
   * entry another run claimed a little earlier is left out, so overlapping
   * runs never list the same entry.
   */
  claimForDigest(until: string, opts: { run: string; now: string }): Promise<DigestEntry[]>;
  /** Takes the entry off the queue: it is in a digest that went out. */
  markDigested(entry: DigestEntry, at: string): Promise<void>;
}
