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
  StoredReply,
} from '../ports';
import { messageScheduleName } from '../schedule-names';
import { shiftIso } from '../time';
import { alertConsoleUrl } from './console-links';
import { staffAlertMessage } from './staff-alert-message';

export interface AlertDeps {
  config: ClinicConfig;
  clock: Clock;
  alerts: AlertStore;
  staff: StaffNotifier;
  scheduler: AlertScheduler;
  /** Base of console links (`links.baseUrl`, the API's URL, or the local server). */
  linkBaseUrl: string;
  metrics: Metrics;
  log: Log;
}

/** Minutes past its time after which due alert work counts as overdue. */
const OVERDUE_MINUTES = 3;

/** How long a claim on an alert's next step holds before a retry may take over from a crashed attempt. */
const ALERT_CLAIM_MINUTES = 2;

/** Raised when the staff topic refused a publish; the alert stays due and the sweeper retries it. */
export class AlertDeliveryError extends Error {
  constructor(
    readonly alertId: string,
    readonly reason: string,
  ) {
    super(`alert ${alertId} not published: ${reason}`);
    this.name = 'AlertDeliveryError';
  }
}

export type AlertStep =
  | 'delivered'
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
 * idempotent and delivery is claimed.
 */
export async function dispatchReplyAlert(deps: AlertDeps, reply: StoredReply): Promise<AlertStep> {
  if (!reply.alertId) return 'unknown';
  if (reply.joinsAlertId !== undefined) {
    const joined = await joinOpenAlert(deps, reply, reply.joinsAlertId);
    if (joined === 'in-flight') return 'in-flight';
    if (joined === 'joined') {
      await deps.alerts.clearReplyMarker(reply);
      return 'joined';
    }
  }
  await deps.alerts.createFromReply({ ...reply, alertId: reply.alertId });
  await deps.alerts.clearReplyMarker(reply);
  return advanceAlert(deps, reply.alertId);
}

/**
 * Adds the reply to the open alert: `joined` (the marker may go), `in-flight`
 * (its "updated" message is being sent by another attempt: the marker stays
 * for the sweeper), or `not-open` when that alert was acknowledged meanwhile
 * (the reply then gets its own). A publish failure of the "updated" message
 * throws, leaving the reply's marker for the sweeper.
 */
async function joinOpenAlert(
  deps: AlertDeps,
  reply: StoredReply,
  alertId: string,
): Promise<'joined' | 'in-flight' | 'not-open'> {
  const joining = { replyId: reply.replyId, rules: reply.rules };
  let result = await deps.alerts.join(alertId, joining);
  if (result.outcome === 'missing' && reply.joinsAlertOf) {
    // The earlier reply's dispatch has not created its alert yet: create it here, as it would.
    await deps.alerts.createFromReply({ ...reply, ...reply.joinsAlertOf, alertId });
    result = await deps.alerts.join(alertId, joining);
  }
  if (result.outcome === 'not-open' || result.outcome === 'missing') return 'not-open';
  if (result.added.length === 0) return 'joined';
  const now = deps.clock.now();
  const claim = await deps.alerts.claimUpdate(alertId, reply.replyId, {
    now,
    expiresAt: shiftIso(now, { minutes: ALERT_CLAIM_MINUTES }),
  });
  if (claim === 'already-sent') return 'joined';
  if (claim === 'in-flight') return 'in-flight';
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
  try {
    await deps.staff.publish('alerts', message);
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'unknown';
    await deps.alerts.settleUpdate(alertId, reply.replyId, { now: deps.clock.now(), sent: false });
    deps.metrics.count(METRIC.alertDeliveryFailures);
    deps.log.error('staff alert update not published', { alertId, reason });
    throw new AlertDeliveryError(alertId, reason);
  }
  await deps.alerts.settleUpdate(alertId, reply.replyId, { now: deps.clock.now(), sent: true });
  deps.log.info('staff alert updated', { alertId });
  return 'joined';
}

/**
 * Does the alert's next step if it is due: the first delivery to the staff
 * topic, or an escalation (15 min after the reply, then every 30 min, at most
 * 4 times by default) while nobody has acknowledged. A failed publish leaves
 * the step due, so it is retried until it goes through.
 */
export async function advanceAlert(deps: AlertDeps, alertId: string): Promise<AlertStep> {
  const alert = await deps.alerts.get(alertId);
  if (!alert) return 'unknown';
  if (alert.state === 'acknowledged' || alert.state === 'closed') return 'acknowledged';
  const now = deps.clock.now();
  if (alert.dueAt === undefined || Date.parse(alert.dueAt) > Date.parse(now)) return 'nothing-due';

  const expiresAt = shiftIso(now, { minutes: ALERT_CLAIM_MINUTES });
  if (!(await deps.alerts.claim(alertId, alert, { now, expiresAt }))) return 'in-flight';
  const { staff } = deps.config;
  const link = alertConsoleUrl(deps.linkBaseUrl, alert.alertId);
  const messageFor = (escalation: number) =>
    staffAlertMessage({
      kind: escalation === 0 ? 'alert' : 'escalation',
      alertId,
      bookingRef: bookingRefOf({ bookingId: alert.bookingId, ref: alert.bookingRef }),
      replyKind: alert.replyKind,
      receivedAt: alert.createdAt,
      clinic: { name: deps.config.clinic.name, timeZone: deps.config.clinic.timeZone },
      link,
      maxEscalations: staff.maxEscalations,
      ...(escalation === 0
        ? {}
        : {
            escalation,
            minutesUnacknowledged: staff.escalateAfterMinutes + (escalation - 1) * staff.repeatEveryMinutes,
          }),
    });
  const failed = async (error: unknown, metric: string) => {
    const reason = error instanceof Error ? error.name : 'unknown';
    await deps.alerts.releaseClaim(alertId, { now, reason });
    deps.metrics.count(metric);
    deps.log.error('staff alert not published', { alertId, metric, reason });
    return new AlertDeliveryError(alertId, reason);
  };

  if (alert.state === 'pending') {
    const firstEscalationAt = escalationDueAt(deps.config, alert.createdAt, 1);
    try {
      await deps.staff.publish('alerts', messageFor(0));
    } catch (error) {
      // Escalation counts from the reply, not from a delivery that may never come: when the alert
      // topic still fails at the first escalation's time, the escalation contacts are told instead.
      if (Date.parse(now) < Date.parse(firstEscalationAt))
        throw await failed(error, METRIC.alertDeliveryFailures);
      deps.metrics.count(METRIC.alertDeliveryFailures);
      try {
        await deps.staff.publish('escalation', messageFor(1));
      } catch (fallbackError) {
        throw await failed(fallbackError, METRIC.escalationFailures);
      }
      await deps.alerts.markDelivered(alertId, { now, dueAt: firstEscalationAt });
      return recordEscalation(deps, alert, 1, now);
    }
    // False when an acknowledgement won the race; nothing more is due then.
    if (!(await deps.alerts.markDelivered(alertId, { now, dueAt: firstEscalationAt }))) return 'acknowledged';
    await scheduleEscalation(deps, alertId, 1, firstEscalationAt);
    deps.metrics.count('AlertsDelivered');
    deps.log.info('staff alert delivered', { alertId });
    return 'delivered';
  }
  const escalation = alert.escalations + 1;
  try {
    await deps.staff.publish('escalation', messageFor(escalation));
  } catch (error) {
    throw await failed(error, METRIC.escalationFailures);
  }
  return recordEscalation(deps, alert, escalation, now);
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
  for (const item of work) {
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
