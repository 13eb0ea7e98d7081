import type { ClinicConfig } from '../contracts/clinic-config';
import { METRIC } from '../contracts/metrics';
import type {
  AlertRecord,
  AlertScheduler,
  AlertStore,
  Clock,
  LinkStore,
  Log,
  Metrics,
  SigningKeySource,
  StaffNotifier,
  StoredReply,
} from './ports';
import { staffAlertMessage } from './staff-alert-message';
import { shiftIso } from './time';
import { createLinkToken, messageScheduleName } from './tokens';

export interface AlertDeps {
  config: ClinicConfig;
  clock: Clock;
  alerts: AlertStore;
  staff: StaffNotifier;
  scheduler: AlertScheduler;
  links: LinkStore;
  signingKey: SigningKeySource;
  /** Base of staff links (the API's URL, or the local server). */
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

export type AlertStep = 'delivered' | 'escalated' | 'nothing-due' | 'in-flight' | 'acknowledged' | 'unknown';

/**
 * Turns an urgent reply's pending marker into its alert and delivers it.
 * Safe to run any number of times and concurrently (stream, sweeper, local
 * in-process dispatch): creation is idempotent and delivery is claimed.
 */
export async function dispatchReplyAlert(deps: AlertDeps, reply: StoredReply): Promise<AlertStep> {
  if (!reply.alertId) return 'unknown';
  await deps.alerts.createFromReply({ ...reply, alertId: reply.alertId });
  await deps.alerts.clearReplyMarker(reply);
  return advanceAlert(deps, reply.alertId);
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
  if (alert.state === 'acknowledged') return 'acknowledged';
  const now = deps.clock.now();
  if (alert.dueAt === undefined || Date.parse(alert.dueAt) > Date.parse(now)) return 'nothing-due';

  const expiresAt = shiftIso(now, { minutes: ALERT_CLAIM_MINUTES });
  if (!(await deps.alerts.claim(alertId, alert, { now, expiresAt }))) return 'in-flight';
  const { staff } = deps.config;
  const first = alert.state === 'pending';
  const escalation = alert.escalations + 1;
  const message = staffAlertMessage({
    kind: first ? 'alert' : 'escalation',
    alertId,
    bookingId: alert.bookingId,
    replyKind: alert.replyKind,
    receivedAt: alert.createdAt,
    clinic: { name: deps.config.clinic.name, timeZone: deps.config.clinic.timeZone },
    link: await staffLink(deps, alert),
    maxEscalations: staff.maxEscalations,
    ...(first
      ? {}
      : {
          escalation,
          minutesUnacknowledged: staff.escalateAfterMinutes + (escalation - 1) * staff.repeatEveryMinutes,
        }),
  });
  try {
    await deps.staff.publish(first ? 'alerts' : 'escalation', message);
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'unknown';
    await deps.alerts.releaseClaim(alertId, { now, reason });
    deps.metrics.count(first ? METRIC.alertDeliveryFailures : METRIC.escalationFailures);
    deps.log.error('staff alert not published', { alertId, escalation: first ? 0 : escalation, reason });
    throw new AlertDeliveryError(alertId, reason);
  }

  if (first) {
    const dueAt = shiftIso(alert.createdAt, { minutes: staff.escalateAfterMinutes });
    await deps.alerts.markDelivered(alertId, { now, dueAt });
    await scheduleEscalation(deps, alertId, 1, dueAt);
    deps.metrics.count('AlertsDelivered');
    deps.log.info('staff alert delivered', { alertId });
    return 'delivered';
  }
  const next =
    escalation < staff.maxEscalations
      ? escalationDueAt(deps.config, alert.createdAt, escalation + 1)
      : undefined;
  await deps.alerts.markEscalated(alertId, {
    now,
    escalations: escalation,
    ...(next ? { dueAt: next } : {}),
  });
  if (next) await scheduleEscalation(deps, alertId, escalation + 1, next);
  deps.metrics.count('AlertsEscalated');
  deps.log.warn('staff alert escalated', { alertId, escalation });
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
) {
  const result = await deps.alerts.acknowledge(alertId, { now: deps.clock.now(), by });
  if (result.first) {
    await deps.escalations.remove(escalationScheduleName(alertId, result.alert.escalations + 1));
    deps.log.info('staff alert acknowledged', { alertId });
  }
  return result;
}

function escalationScheduleName(alertId: string, n: number): string {
  return messageScheduleName({ bookingId: alertId, kind: 'alert', at: String(n) }, 'escalation');
}

async function scheduleEscalation(deps: AlertDeps, alertId: string, n: number, fireAt: string) {
  await deps.scheduler.upsert({
    name: escalationScheduleName(alertId, n),
    fireAt,
    timeZone: deps.config.clinic.timeZone,
    payload: { alertId },
  });
}

/** The signed acknowledge link of an alert, valid `staff.linkDays`. */
async function staffLink(deps: AlertDeps, alert: AlertRecord): Promise<string> {
  const { linkId, token } = createLinkToken(await deps.signingKey.get(), {
    bookingId: alert.bookingId,
    kind: 'alert',
    at: alert.alertId,
  });
  await deps.links.put({
    linkId,
    bookingId: alert.bookingId,
    kind: 'alert',
    purpose: 'alert',
    subjectId: alert.alertId,
    expiresAt: shiftIso(alert.createdAt, { days: deps.config.staff.linkDays }),
  });
  return `${deps.linkBaseUrl.replace(/\/$/, '')}/a/${token}`;
}
