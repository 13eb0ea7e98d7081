/**
 * Metric names and the service dimension shared by the functions (which emit
 * them) and the CDK alarms (which watch them), so the two cannot drift.
 */
export const METRICS_NAMESPACE = 'ClinicFollowup';
export const METRICS_SERVICE = 'clinic-followup';

export const METRIC = {
  rejectedEvents: 'RejectedEvents',
  alertDeliveryFailures: 'AlertDeliveryFailures',
  escalationFailures: 'EscalationFailures',
  /** Reported by every sweep, 0 included: its absence means the sweeper stopped. */
  alertWorkOverdue: 'AlertWorkOverdue',
  /** Reported by every sweep: alerts escalated as often as allowed and still not acknowledged. */
  alertsUnacknowledged: 'AlertsUnacknowledgedAfterEscalation',
  replyStoreFailures: 'ReplyStoreFailures',
  /** Reported by the daily staff recipient check, 0 included: recipients an alert may not reach. */
  staffRecipientsUnreachable: 'StaffRecipientsUnreachable',
  /** Provider delivery events that could not be read: each is kept with its reason. */
  deliveryEventsRejected: 'DeliveryEventsRejected',
  /** SMS a carrier blocked or called spam: the number's standing with carriers is at stake. */
  smsBlocked: 'SmsBlockedOrSpam',
  /** Behind the edge: a request with an origin proof the functions no longer take (a rotation half done). */
  edgeProofStale: 'EdgeProofStale',
  /** Behind the edge: a request without the origin proof (someone calling the origin domain directly). */
  edgeProofMissing: 'EdgeProofMissing',
  /** A booking webhook delivery failed (the table, the bus or a secret): the provider retries it. */
  hookFailed: 'HookFailed',
  /** A booking webhook delivery without a valid signature or bearer token. */
  hookRefused: 'HookSignatureRefused',
  /** A webhook delivery that could not be mapped: kept with its reason. */
  hookRejected: 'HookRejected',
  /** A webhook trigger or status we do not use, or a fulfilled visit outside its session (200, counted). */
  hookIgnored: 'HookIgnored',
  /** A webhook delivery older than the last one applied to its booking. */
  hookOlderIgnored: 'HookOlderIgnored',
} as const;
