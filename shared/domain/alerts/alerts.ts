import type { ClinicConfig } from '../../contracts/clinic-config';
import { METRIC } from '../../contracts/metrics';
import { bookingRefOf } from '../booking-ref';
import type {
  AlertRecord,
  AlertScheduler,
  AlertStore,
  Clock,
  Log,
  Metrics,
  StaffNotifier,
  StaffSend,
  StaffSendStore,
  StaffTopic,
  StoredReply,
} from '../ports';
import { messageScheduleName } from '../schedule-names';
import { shiftIso } from '../time';
import { alertConsoleUrl } from './console-links';
import { staffAlertMessage } from './staff-alert-message';
import { staffRecipients } from './staff-recipients';

export interface AlertDeps {
  config: ClinicConfig;
  clock: Clock;
  alerts: AlertStore;
  /** Each recipient's copy of each alert step. */
  sends: StaffSendStore;
  staff: StaffNotifier;
  scheduler: AlertScheduler;
  /** Base of console links (`links.baseUrl`, the API's URL, or the local server). */
  linkBaseUrl: string;
  metrics: Metrics;
  log: Log;
}

/** Minutes past its time after which due alert work counts as overdue. */
const OVERDUE_MINUTES = 3;

/** How long a claim (on an alert's next step, or on one recipient's send) holds before a retry may take over. */
const ALERT_CLAIM_MINUTES = 2;

/** The step of the first alert; escalations are `escalation-<n>`, joined replies `update-<replyId>`. */
const FIRST_STEP = 'alert';

/**
 * Raised when at least one staff recipient refused a send. The others were
 * sent; the refused ones stay due and the sweeper retries each on its own.
 */
export class AlertDeliveryError extends Error {
  constructor(
    readonly alertId: string,
    readonly reason: string,
  ) {
    super(`alert ${alertId} not sent to every recipient: ${reason}`);
    this.name = 'AlertDeliveryError';
  }
}

export type AlertStep =
  | 'delivered'
  /** The first alert went out, and some recipient's copy is still being sent by another attempt. */
  | 'notified'
  | 'escalated'
  | 'joined'
  | 'nothing-due'
  | 'in-flight'
  | 'acknowledged'
  | 'unknown';

/**
 * Turns an urgent reply's pending marker into its alert and delivers it; a
 * reply that came while the booking's alert was open joins that alert
 * instead (one "updated" message when it adds a rule), unless it was
 * acknowledged meanwhile. Safe to run any number of times and concurrently
 * (stream, sweeper, local in-process dispatch): creation and joining are
 * idempotent and each recipient's send is claimed.
 */
export async function dispatchReplyAlert(deps: AlertDeps, reply: StoredReply): Promise<AlertStep> {
  if (!reply.alertId) return 'unknown';
  if (reply.joinsAlertId !== undefined) {
    const joined = await joinOpenAlert(deps, reply, reply.joinsAlertId);
    if (joined.outcome === 'joined') {
      // The update's sends exist now, so the sweeper owns any refused one: the marker can go.
      await deps.alerts.clearReplyMarker(reply);
      if (joined.refused > 0) throw refusedError(reply.joinsAlertId, joined.refused);
      return 'joined';
    }
  }
  await deps.alerts.createFromReply({ ...reply, alertId: reply.alertId });
  await deps.alerts.clearReplyMarker(reply);
  return advanceAlert(deps, reply.alertId);
}

/**
 * Adds the reply to the open alert and sends its "updated" message when it
 * adds a rule: `joined`, with how many recipients refused it; `not-open`
 * when that alert was acknowledged meanwhile (the reply then gets its own).
 */
async function joinOpenAlert(
  deps: AlertDeps,
  reply: StoredReply,
  alertId: string,
): Promise<{ outcome: 'joined' | 'not-open'; refused: number }> {
  const joining = { replyId: reply.replyId, rules: reply.rules };
  let result = await deps.alerts.join(alertId, joining);
  if (result.outcome === 'missing' && reply.joinsAlertOf) {
    // The earlier reply's dispatch has not created its alert yet: create it here, as it would.
    await deps.alerts.createFromReply({ ...reply, ...reply.joinsAlertOf, alertId });
    result = await deps.alerts.join(alertId, joining);
  }
  if (result.outcome === 'not-open' || result.outcome === 'missing')
    return { outcome: 'not-open', refused: 0 };
  if (result.added.length === 0) return { outcome: 'joined', refused: 0 };
  const alert = await deps.alerts.get(alertId);
  const message = staffAlertMessage({
    kind: 'update',
    alertId,
    bookingRef: bookingRefOf({
      bookingId: alert?.bookingId ?? reply.bookingId,
      ref: alert?.bookingRef ?? reply.bookingRef,
    }),
    replyKind: reply.kind,
    receivedAt: reply.receivedAt,
    clinic: { name: deps.config.clinic.name, timeZone: deps.config.clinic.timeZone },
    link: alertConsoleUrl(deps.linkBaseUrl, alertId),
  });
  const round = await sendStep(deps, alertId, `update-${reply.replyId}`, 'alerts', message);
  if (round.refused === 0) deps.log.info('staff alert updated', { alertId });
  return { outcome: 'joined', refused: round.refused };
}

/**
 * Does the alert's next step if it is due (the first alert, or an escalation
 * 15 min after the reply, then every 30 min, at most 4 times by default,
 * while nobody has acknowledged), then retries every recipient's send of the
 * alert still due. Steps move on time, whatever a recipient does: a refused
 * send never holds back an escalation or another recipient, and is retried on
 * its own until it is taken or the alert is acknowledged. Throws
 * `AlertDeliveryError` when a recipient refused, after all the rest is done.
 */
export async function advanceAlert(deps: AlertDeps, alertId: string): Promise<AlertStep> {
  const alert = await deps.alerts.get(alertId);
  if (!alert) return 'unknown';
  if (alert.state === 'acknowledged' || alert.state === 'closed') {
    await cancelDueSends(deps, alertId);
    return 'acknowledged';
  }
  const now = deps.clock.now();
  let step: AlertStep = 'nothing-due';
  let refused = 0;
  const tried = new Set<string>();
  if (alert.dueAt !== undefined && Date.parse(alert.dueAt) <= Date.parse(now)) {
    const expiresAt = shiftIso(now, { minutes: ALERT_CLAIM_MINUTES });
    if (await deps.alerts.claim(alertId, alert, { now, expiresAt })) {
      const taken = await takeStep(deps, alert, now);
      step = taken.step;
      refused += taken.round.refused;
      for (const id of taken.round.tried) tried.add(id);
    } else step = 'in-flight';
  }
  if (step !== 'acknowledged') refused += await retryDueSends(deps, alertId, tried);
  if (refused > 0) throw refusedError(alertId, refused);
  return step;
}

/** The claimed alert's due step: its sends made and tried, and the step recorded. */
async function takeStep(
  deps: AlertDeps,
  alert: AlertRecord,
  now: string,
): Promise<{ step: AlertStep; round: SendRound }> {
  const { staff } = deps.config;
  const alertId = alert.alertId;
  const messageFor = (escalation: number) =>
    staffAlertMessage({
      kind: escalation === 0 ? 'alert' : 'escalation',
      alertId,
      bookingRef: bookingRefOf({ bookingId: alert.bookingId, ref: alert.bookingRef }),
      replyKind: alert.replyKind,
      receivedAt: alert.createdAt,
      clinic: { name: deps.config.clinic.name, timeZone: deps.config.clinic.timeZone },
      link: alertConsoleUrl(deps.linkBaseUrl, alertId),
      maxEscalations: staff.maxEscalations,
      ...(escalation === 0
        ? {}
        : {
            escalation,
            minutesUnacknowledged: staff.escalateAfterMinutes + (escalation - 1) * staff.repeatEveryMinutes,
          }),
    });

  if (alert.state === 'pending' && alert.notifiedAt === undefined) {
    const round = await sendStep(deps, alertId, FIRST_STEP, 'alerts', messageFor(0));
    const firstEscalationAt = escalationDueAt(deps.config, alert.createdAt, 1);
    const delivered = round.sent === round.total;
    // False when an acknowledgement won the race; nothing more is due then.
    if (
      !(await deps.alerts.markNotified(alertId, {
        now: deps.clock.now(),
        dueAt: firstEscalationAt,
        delivered,
      }))
    )
      return { step: 'acknowledged', round };
    await scheduleEscalation(deps, alertId, 1, firstEscalationAt);
    if (delivered) {
      deps.metrics.count('AlertsDelivered');
      deps.log.info('staff alert delivered', { alertId });
      return { step: 'delivered', round };
    }
    // Another attempt may have finished a copy this one found in flight.
    if (round.refused === 0) await completeIfDelivered(deps, alertId);
    return { step: 'notified', round };
  }
  const escalation = alert.escalations + 1;
  const round = await sendStep(
    deps,
    alertId,
    `escalation-${escalation}`,
    'escalation',
    messageFor(escalation),
  );
  return { step: await recordEscalation(deps, alert, escalation, now), round };
}

/** What one round of sends did: how many recipients took it (now or before), refused it, and which were tried. */
interface SendRound {
  total: number;
  sent: number;
  refused: number;
  tried: string[];
}

const sendId = (send: Pick<StaffSend, 'step' | 'recipient'>) => `${send.step}#${send.recipient.key}`;

/** Makes a step's send for each recipient of its topic (claimed by this attempt) and sends the ones it holds. */
async function sendStep(
  deps: AlertDeps,
  alertId: string,
  step: string,
  topic: StaffTopic,
  message: { subject: string; text: string },
): Promise<SendRound> {
  const now = deps.clock.now();
  const sends: StaffSend[] = staffRecipients(deps.config.staff, topic).map((recipient) => ({
    alertId,
    step,
    recipient,
    message: { topic, subject: message.subject, text: message.text },
    state: 'due',
    dueAt: now,
    attempts: 0,
  }));
  const claims = await deps.sends.enqueueClaimed(sends, {
    now,
    expiresAt: shiftIso(now, { minutes: ALERT_CLAIM_MINUTES }),
  });
  const outcomes = await Promise.all(
    claims.map(({ send, claim }) => (claim === 'claimed' ? sendOne(deps, send) : Promise.resolve(claim))),
  );
  return {
    total: sends.length,
    sent: outcomes.filter((outcome) => outcome === 'sent').length,
    refused: outcomes.filter((outcome) => outcome === 'refused').length,
    tried: sends.map(sendId),
  };
}

/** Sends one claimed copy; a refusal frees it for the next attempt (the sweeper's, a minute later at most). */
async function sendOne(deps: AlertDeps, send: StaffSend): Promise<'sent' | 'refused'> {
  let messageId: string;
  try {
    ({ messageId } = await deps.staff.send(send.recipient, send.message));
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'unknown';
    await deps.sends.release(send, { now: deps.clock.now(), reason });
    deps.metrics.count(
      send.message.topic === 'escalation' ? METRIC.escalationFailures : METRIC.alertDeliveryFailures,
    );
    // The recipient by its place in config: no address in logs.
    deps.log.error('staff alert not sent', {
      alertId: send.alertId,
      topic: send.message.topic,
      recipient: send.recipient.configPath,
      reason,
    });
    return 'refused';
  }
  await deps.sends.markSent(send, { now: deps.clock.now(), messageId });
  return 'sent';
}

/** Retries the alert's due sends not tried in this call, each claimed on its own; answers how many refused. */
async function retryDueSends(deps: AlertDeps, alertId: string, tried: Set<string>): Promise<number> {
  const due = (await deps.sends.ofAlert(alertId)).filter(
    (send) => send.state === 'due' && !tried.has(sendId(send)),
  );
  if (due.length === 0) return 0;
  const now = deps.clock.now();
  const expiresAt = shiftIso(now, { minutes: ALERT_CLAIM_MINUTES });
  const outcomes = await Promise.all(
    due.map(async (send) => {
      const claim = await deps.sends.claim(alertId, send.step, send.recipient.key, { now, expiresAt });
      return claim === 'claimed' ? sendOne(deps, send) : claim;
    }),
  );
  if (due.some((send, i) => send.step === FIRST_STEP && outcomes[i] === 'sent')) {
    await completeIfDelivered(deps, alertId);
  }
  return outcomes.filter((outcome) => outcome === 'refused').length;
}

/** A pending alert becomes open once every recipient's copy of the first alert was taken. */
async function completeIfDelivered(deps: AlertDeps, alertId: string): Promise<void> {
  const first = (await deps.sends.ofAlert(alertId)).filter((send) => send.step === FIRST_STEP);
  if (first.length === 0 || !first.every((send) => send.state === 'sent')) return;
  // Concurrent retries may all see it complete: only the one that opened it counts it.
  if (await deps.alerts.markDelivered(alertId, { now: deps.clock.now() })) {
    deps.metrics.count('AlertsDelivered');
    deps.log.info('staff alert delivered', { alertId });
  }
}

/** Nothing more is owed once someone acknowledged: due sends leave the work index unsent. */
async function cancelDueSends(deps: AlertDeps, alertId: string): Promise<void> {
  const now = deps.clock.now();
  const due = (await deps.sends.ofAlert(alertId)).filter((send) => send.state === 'due');
  await Promise.all(due.map((send) => deps.sends.cancel(send, { now })));
}

function refusedError(alertId: string, refused: number): AlertDeliveryError {
  return new AlertDeliveryError(alertId, `${refused} recipient${refused === 1 ? '' : 's'} refused`);
}

/** Records escalation `n` as sent and schedules the next one, unless it was the last allowed. */
async function recordEscalation(
  deps: AlertDeps,
  alert: AlertRecord,
  n: number,
  now: string,
): Promise<AlertStep> {
  const next =
    n < deps.config.staff.maxEscalations ? escalationDueAt(deps.config, alert.createdAt, n + 1) : undefined;
  const recorded = await deps.alerts.markEscalated(alert.alertId, {
    now,
    escalations: n,
    ...(next ? { dueAt: next } : {}),
  });
  if (!recorded) return 'acknowledged';
  if (next) await scheduleEscalation(deps, alert.alertId, n + 1, next);
  deps.metrics.count('AlertsEscalated');
  deps.log.warn('staff alert escalated', { alertId: alert.alertId, escalation: n });
  return 'escalated';
}

/** When escalation `n` (from 1) of an alert created at `createdAt` is due. */
export function escalationDueAt(config: ClinicConfig, createdAt: string, n: number): string {
  const { escalateAfterMinutes, repeatEveryMinutes } = config.staff;
  return shiftIso(createdAt, { minutes: escalateAfterMinutes + (n - 1) * repeatEveryMinutes });
}

/**
 * The backstop: every due piece of alert work, oldest first. One failure does
 * not hold up the rest; the count of failures is returned (and each stays due).
 */
export async function sweepAlerts(
  deps: AlertDeps,
): Promise<{ done: number; failed: number; overdue: number }> {
  let done = 0;
  let failed = 0;
  const now = deps.clock.now();
  const work = await deps.alerts.dueWork(now);
  // Work still due minutes after its time means deliveries keep failing: the overdue alarm watches this.
  const overdueBefore = Date.parse(shiftIso(now, { minutes: -OVERDUE_MINUTES }));
  const overdue = work.filter((w) => Date.parse(w.dueAt) < overdueBefore).length;
  deps.metrics.count(METRIC.alertWorkOverdue, overdue);
  // An alert and its refused sends are all advanced by one call.
  const advanced = new Set<string>();
  for (const item of work) {
    if (item.type !== 'reply') {
      if (advanced.has(item.alertId)) continue;
      advanced.add(item.alertId);
    }
    try {
      if (item.type === 'reply') await dispatchReplyAlert(deps, item.reply);
      else await advanceAlert(deps, item.alertId);
      done++;
    } catch (error) {
      failed++;
      if (!(error instanceof AlertDeliveryError)) {
        deps.log.error('alert work failed', { error: error instanceof Error ? error.name : 'unknown' });
      }
    }
  }
  // Alerts that escalated as often as allowed stay counted, every minute, until someone acknowledges them.
  deps.metrics.count(METRIC.alertsUnacknowledged, await deps.alerts.countUnacknowledgedAfterEscalation());
  return { done, failed, overdue };
}

/**
 * Acknowledges an alert once and removes its pending escalation; a later
 * acknowledgement changes nothing and answers who was first.
 */
export async function acknowledgeAlert(
  deps: Pick<AlertDeps, 'alerts' | 'clock' | 'log'> & {
    escalations: { remove(name: string): Promise<void> };
  },
  alertId: string,
  by: string,
  bySubject?: string,
) {
  const result = await deps.alerts.acknowledge(alertId, {
    now: deps.clock.now(),
    by,
    ...(bySubject === undefined ? {} : { bySubject }),
  });
  if (result.first) {
    deps.log.info('staff alert acknowledged', { alertId });
    // Best effort: a pending escalation that still fires finds the alert acknowledged and does nothing.
    await deps.escalations
      .remove(escalationScheduleName(alertId, result.alert.escalations + 1))
      .catch((error: unknown) =>
        deps.log.warn('escalation schedule not removed', {
          alertId,
          error: error instanceof Error ? error.name : 'unknown',
        }),
      );
  }
  return result;
}

function escalationScheduleName(alertId: string, n: number): string {
  return messageScheduleName({ booking: alertId, kind: 'alert', at: String(n) }, 'escalation');
}

async function scheduleEscalation(deps: AlertDeps, alertId: string, n: number, fireAt: string) {
  await deps.scheduler.upsert({
    name: escalationScheduleName(alertId, n),
    fireAt,
    timeZone: deps.config.clinic.timeZone,
    payload: { alertId },
  });
}
