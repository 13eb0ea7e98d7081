import type { FullBooking } from '../../contracts/booking-events';
import type { ClinicConfig } from '../../contracts/clinic-config';
import { acknowledgeAlert } from '../alerts/alerts';
import { ruleDescription, triggeringAnswers } from '../checkins/triage';
import type { AlertOutcome, AlertRecord, StaffSend, StoredReply } from '../ports';
import { allowed, type ConsoleDeps, type ConsoleResult, record, type StaffRequest } from './access';
import { mayUse } from './staff';

/* The console's alert use cases (DESIGN section 10); see `access.ts` for how each checks and audits. */

/** Alerts at most on one page of the list; older closed ones are found by month. */
export const ALERT_PAGE_SIZE = 50;

/** One alert as lists show it: the alert, its booking, and its reason in one line. */
export interface AlertSummary {
  alert: AlertRecord;
  booking?: FullBooking;
  reason: string;
}

/**
 * The reason for an alert in one line: the description of its first urgent
 * rule (else its first rule, else its id), and how many more fired.
 */
export function alertReason(alert: Pick<AlertRecord, 'rules'>, config: ClinicConfig): string {
  const urgent = (id: string) => config.triage.some((rule) => rule.id === id && rule.level === 'urgent');
  const lead = alert.rules.find(urgent) ?? alert.rules[0];
  if (lead === undefined) return 'Urgent check-in reply';
  const words = ruleDescription(config.triage, lead);
  return alert.rules.length > 1 ? `${words} (+${alert.rules.length - 1} more)` : words;
}

async function summaries(deps: ConsoleDeps, alerts: AlertRecord[]): Promise<AlertSummary[]> {
  const bookings = await deps.bookings.getMany(alerts.map((alert) => alert.bookingId));
  return alerts.map((alert) => {
    const booking = bookings.get(alert.bookingId);
    return { alert, reason: alertReason(alert, deps.config), ...(booking ? { booking } : {}) };
  });
}

export interface AlertLists {
  /** Not acknowledged yet, oldest first: the ones to act on now. */
  unacknowledged: AlertSummary[];
  /** Acknowledged, waiting for their outcome, oldest first. */
  acknowledged: AlertSummary[];
  /** Closed in `month`, newest first. */
  closed: AlertSummary[];
  month: string;
}

/**
 * The alerts page: open alerts first (oldest first, so the longest wait is
 * on top), then acknowledged ones waiting for an outcome, then a month of
 * closed ones (`month`, default this month in the clinic's zone).
 */
export async function listAlerts(
  deps: ConsoleDeps,
  request: StaffRequest,
  month?: string,
): Promise<ConsoleResult<AlertLists>> {
  if (!(await allowed(deps, request, 'alerts', 'PAGE#alerts'))) return { ok: false, reason: 'forbidden' };
  const shownMonth = month ?? deps.clock.now().slice(0, 7);
  const [active, closed] = await Promise.all([
    deps.alerts.listActive(ALERT_PAGE_SIZE),
    deps.alerts.listClosed(shownMonth, ALERT_PAGE_SIZE),
  ]);
  const oldestFirst = [...active].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  // One batch read for every booking the three lists name, while the audit item is written.
  const [all] = await Promise.all([
    summaries(deps, [...oldestFirst, ...closed]),
    record(deps, request, 'view', 'PAGE#alerts'),
  ]);
  const unacknowledged = all.slice(0, oldestFirst.length).filter((s) => s.alert.state !== 'acknowledged');
  const acknowledged = all.slice(0, oldestFirst.length).filter((s) => s.alert.state === 'acknowledged');
  const closedSummaries = all.slice(oldestFirst.length);
  return { ok: true, value: { unacknowledged, acknowledged, closed: closedSummaries, month: shownMonth } };
}

/** One alert with everything staff need to act on it. */
export interface AlertDetail extends AlertSummary {
  /** Absent for a text from a number not on file: `sender` is that number. */
  booking?: FullBooking;
  sender?: string;
  /** Every reply on the alert, newest first. */
  replies: StoredReply[];
  /** Per reply id: the answers that made its rules fire (`selfHarm`, `sideEffects.chest-pain`, ...). */
  triggers: Record<string, string[]>;
  /** The clinic's protocol line for urgent alerts. */
  protocol: string;
  /** Each staff recipient's copy of each step (first alert, escalations, updates), oldest step first. */
  deliveries: StaffSend[];
}

/** One alert, its replies with the triggering answers marked, the patient and the protocol. */
export async function showAlert(
  deps: ConsoleDeps,
  request: StaffRequest,
  alertId: string,
): Promise<ConsoleResult<AlertDetail>> {
  const subject = `ALERT#${alertId}`;
  if (!(await allowed(deps, request, 'alerts', subject))) return { ok: false, reason: 'forbidden' };
  const detail = await loadAlert(deps, alertId);
  if (!detail) return { ok: false, reason: 'not-found' };
  await record(deps, request, 'view', subject);
  return { ok: true, value: detail };
}

async function loadAlert(deps: ConsoleDeps, alertId: string): Promise<AlertDetail | undefined> {
  const alert = await deps.alerts.get(alertId);
  if (!alert) return undefined;
  const [record, replies, sends] = await Promise.all([
    deps.bookings.get(alert.bookingId),
    deps.replies.listForBooking(alert.bookingId),
    deps.sends.ofAlert(alertId),
  ]);
  const booking = record?.booking;
  // A text from a number not on file has no booking: its replies carry the number to call back.
  const sender = booking ? undefined : replies.find((reply) => reply.from !== undefined)?.from;
  if (!booking && sender === undefined) return undefined;
  const onAlert = replies
    .filter(
      (reply) =>
        reply.alertId === alertId ||
        reply.replyId === alert.replyId ||
        alert.replyIds?.includes(reply.replyId),
    )
    .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  const triggers = Object.fromEntries(
    onAlert.map((reply) => {
      const fired = deps.config.triage.filter((rule) => reply.rules.includes(rule.id));
      return [reply.replyId, [...triggeringAnswers(reply.answers, fired, reply.scores)]];
    }),
  );
  return {
    alert,
    ...(booking ? { booking } : { sender }),
    reason: alertReason(alert, deps.config),
    replies: onAlert,
    triggers,
    protocol: deps.config.staff.protocol,
    deliveries: [...sends].sort((a, b) => a.dueAt.localeCompare(b.dueAt)),
  };
}

/** What acknowledging answered: the alert as it stands, and whether this was the first acknowledgement. */
export interface Acknowledgement {
  first: boolean;
  alert: AlertRecord;
}

/**
 * Acknowledges an alert as the signed-in staff member: their name goes on
 * the alert and escalation stops. A second acknowledgement changes nothing
 * and the answer says who was first.
 */
export async function acknowledgeAsStaff(
  deps: ConsoleDeps,
  request: StaffRequest,
  alertId: string,
): Promise<ConsoleResult<Acknowledgement>> {
  const subject = `ALERT#${alertId}`;
  if (!(await allowed(deps, request, 'alerts', subject))) return { ok: false, reason: 'forbidden' };
  if (!(await deps.alerts.get(alertId))) return { ok: false, reason: 'not-found' };
  const result = await acknowledgeAlert(deps, alertId, request.staff.name, request.staff.subject);
  await record(deps, request, 'acknowledge', subject);
  return { ok: true, value: result };
}

/**
 * Records what happened and closes an acknowledged alert. An alert that is
 * not acknowledged yet, or already closed, is a conflict: nothing changes.
 */
export async function closeAlert(
  deps: ConsoleDeps,
  request: StaffRequest,
  alertId: string,
  outcome: AlertOutcome,
): Promise<ConsoleResult<AlertRecord>> {
  const subject = `ALERT#${alertId}`;
  if (!(await allowed(deps, request, 'alerts', subject))) return { ok: false, reason: 'forbidden' };
  if (!(await deps.alerts.get(alertId))) return { ok: false, reason: 'not-found' };
  const closed = await deps.alerts.close(alertId, {
    now: deps.clock.now(),
    by: { name: request.staff.name, subject: request.staff.subject },
    outcome,
  });
  if (!closed) return { ok: false, reason: 'conflict' };
  await record(deps, request, 'close', subject);
  deps.log.info('staff alert closed', { alertId });
  const alert = await deps.alerts.get(alertId);
  return alert ? { ok: true, value: alert } : { ok: false, reason: 'not-found' };
}

/** The console's front page: what needs attention, for every group. */
export interface ConsoleHome {
  /** Alerts not acknowledged yet; shown to those who may see alerts. */
  unacknowledgedAlerts?: number;
  /** Replies waiting for review (at most a page); shown to those who review. */
  waitingForReview?: number;
}

export async function consoleHome(
  deps: ConsoleDeps,
  request: StaffRequest,
): Promise<ConsoleResult<ConsoleHome>> {
  if (!(await allowed(deps, request, 'home', 'PAGE#home'))) return { ok: false, reason: 'forbidden' };
  const home: ConsoleHome = {};
  if (mayUse(request.staff, 'alerts')) {
    const active = await deps.alerts.listActive(ALERT_PAGE_SIZE);
    home.unacknowledgedAlerts = active.filter((alert) => alert.state !== 'acknowledged').length;
  }
  if (mayUse(request.staff, 'review'))
    home.waitingForReview = (await deps.reviews.listToReview(ALERT_PAGE_SIZE)).length;
  await record(deps, request, 'view', 'PAGE#home');
  return { ok: true, value: home };
}

/** One check-in reply as the console shows it (the review digest links here). */
export interface ReplyDetail {
  reply: StoredReply;
  /** Absent for a text from a number not on file (the reply carries the number as `from`). */
  booking?: FullBooking;
  /** The answers that made its rules fire. */
  triggers: string[];
}

/** One reply with its answers: clinicians only (the front desk never sees answers). */
export async function showReply(
  deps: ConsoleDeps,
  request: StaffRequest,
  bookingId: string,
  replyId: string,
): Promise<ConsoleResult<ReplyDetail>> {
  const subject = `REPLY#${bookingId}#${replyId}`;
  if (!(await allowed(deps, request, 'answers', subject))) return { ok: false, reason: 'forbidden' };
  const [stored, replies] = await Promise.all([
    deps.bookings.get(bookingId),
    deps.replies.listForBooking(bookingId),
  ]);
  const reply = replies.find((candidate) => candidate.replyId === replyId);
  const booking = stored?.booking;
  if (!reply || (!booking && reply.from === undefined)) return { ok: false, reason: 'not-found' };
  const fired = deps.config.triage.filter((rule) => reply.rules.includes(rule.id));
  await record(deps, request, 'view', subject);
  return {
    ok: true,
    value: {
      reply,
      ...(booking ? { booking } : {}),
      triggers: [...triggeringAnswers(reply.answers, fired, reply.scores)],
    },
  };
}
