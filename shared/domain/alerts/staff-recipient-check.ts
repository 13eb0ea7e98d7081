import type { ClinicConfig } from '../../contracts/clinic-config';
import { METRIC } from '../../contracts/metrics';
import type { Log, Metrics, StaffRecipient, StaffRecipientStatus } from '../ports';
import { allStaffRecipients, staffRecipients } from './staff-recipients';

/** What the channel's provider says of a recipient right now, without sending anything. */
export type Reachability = { reachable: true } | { reachable: false; reason: string };

/** The providers' view of staff recipients: suppression and opt-out lists, sandboxes, paused sending. */
export interface StaffReachability {
  check(recipient: StaffRecipient): Promise<Reachability>;
}

export interface RecipientCheckDeps {
  config: ClinicConfig;
  /** Every recipient's latest success and failure, as the alert path recorded them. */
  recipients: { recipientStatuses(): Promise<StaffRecipientStatus[]> };
  reachability: StaffReachability;
  metrics: Metrics;
  log: Log;
}

/** One reason an alert may not reach someone: the recipient by its place in config, never its address. */
export interface RecipientFinding {
  recipient: string;
  reason: string;
}

/**
 * The daily check of staff recipients (issue: a configured recipient who
 * cannot be reached alarms before an urgent reply needs them). A recipient is
 * unreachable when its last staff send was refused and none went since, or
 * its provider lists it (suppressed, opted out, unverified in a sandbox), or
 * the provider could not be asked. A topic with nobody on it is a finding too.
 * Counts the findings every run, 0 included, for the alarm.
 */
export async function checkStaffRecipients(
  deps: RecipientCheckDeps,
): Promise<{ checked: number; unreachable: RecipientFinding[] }> {
  const { staff } = deps.config;
  const findings: RecipientFinding[] = [];
  for (const [topic, lists] of [
    ['alerts', 'staff.alertEmails, staff.alertSms'],
    ['escalation', 'staff.escalationEmails, staff.escalationSms'],
  ] as const) {
    if (staffRecipients(staff, topic).length === 0)
      findings.push({ recipient: lists, reason: 'no-recipients' });
  }
  const statuses = new Map((await deps.recipients.recipientStatuses()).map((status) => [status.key, status]));
  const recipients = allStaffRecipients(staff);
  const results = await Promise.all(
    recipients.map(async (recipient) => {
      const reasons: string[] = [];
      const status = statuses.get(recipient.key);
      if (status && lastSendRefused(status))
        reasons.push(`last-send-refused:${status.lastError ?? 'unknown'}`);
      try {
        const verdict = await deps.reachability.check(recipient);
        if (!verdict.reachable) reasons.push(verdict.reason);
      } catch (error) {
        reasons.push(`check-failed:${error instanceof Error ? error.name : 'unknown'}`);
      }
      return reasons.map((reason) => ({ recipient: recipient.configPath, reason }));
    }),
  );
  for (const found of results) findings.push(...found);

  const unreachable = new Set(findings.map((finding) => finding.recipient));
  deps.metrics.count(METRIC.staffRecipientsUnreachable, unreachable.size);
  for (const finding of findings) deps.log.warn('staff recipient cannot be reached', { ...finding });
  deps.log.info('staff recipients checked', { checked: recipients.length, unreachable: unreachable.size });
  return { checked: recipients.length, unreachable: findings };
}

function lastSendRefused(status: StaffRecipientStatus): boolean {
  if (status.lastFailedAt === undefined) return false;
  return status.lastSentAt === undefined || Date.parse(status.lastFailedAt) > Date.parse(status.lastSentAt);
}
