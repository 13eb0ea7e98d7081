import { Aspects, Aws, CfnOutput, Duration, type IAspect, Stack, type StackProps } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct, IConstruct } from 'constructs';
import type { ClinicConfig } from '../../shared/contracts/clinic-config';
import { ENV } from '../../shared/contracts/env';
import { METRIC } from '../../shared/contracts/metrics';
import { helpKeywordText } from '../../shared/domain/messages/inbound-sms';
import { Alerts } from './constructs/alerts';
import { BookingHooks } from './constructs/booking-hooks';
import { CheckinApi } from './constructs/checkin-api';
import { DeliveryEvents } from './constructs/delivery-events';
import type { AliasedKey } from './constructs/encrypted-queue';
import { Ingestion } from './constructs/ingestion';
import { LinkKeyRotation } from './constructs/link-key-rotation';
import { Messaging } from './constructs/messaging';
import { alarmArnPattern, Operations } from './constructs/operations';
import { PatientTexts } from './constructs/patient-texts';
import { letLogsUse, serviceKey } from './constructs/service-key';
import { StaffConsole } from './constructs/staff-console';

export interface ServiceStackProps extends StackProps {
  /** The validated clinic config. */
  readonly config: ClinicConfig;
  /**
   * Base URL of patient links (config `links.baseUrl`, a short link domain in front of the check-in API).
   * @default - the check-in API's own URL
   */
  readonly linkBaseUrl?: string;
  /** The service table, with its stream and the work index (the alert path reads both). */
  readonly table: ITable;
  readonly linkSigningSecret: ISecret;
  /** The data key (stateful stack): also encrypts the queues that can hold a booking's contact details. */
  readonly dataKey: AliasedKey;
  /** The staff user pool (stateful stack): the console's OpenID provider. */
  readonly staffUserPool: IUserPool;
  /**
   * The optional edge (config `protection.edge`): the origin-proof secret's name in this region, which the HTTP
   * functions check on every request, the clinic's edge domain, and the API's own (origin) domain.
   * @default - no edge: the API's default endpoint answers
   */
  readonly edge?: {
    readonly originSecretName: string;
    readonly edgeDomain: string;
    readonly originDomain: string;
    readonly originCertificateArn: string;
  };
}

/**
 * The stateless part: functions, bus, schedules, the check-in API, staff alert topics, queues of failures,
 * alarms. Safe to destroy and redeploy, with two costs: without a short link domain, a new API URL breaks the
 * links already sent; and new staff topics mean every email subscriber must confirm again.
 */
export class ServiceStack extends Stack {
  /** Encrypts queues, log groups, the staff topics and the alarm topic. */
  readonly operationsKey: Key;
  readonly ingestion: Ingestion;
  readonly deliveryEvents: DeliveryEvents;
  readonly patientTexts: PatientTexts;
  readonly messaging: Messaging;
  readonly checkin: CheckinApi;
  readonly alerts: Alerts;
  readonly operations: Operations;
  readonly console: StaffConsole;
  readonly hooks: BookingHooks;
  readonly linkKeyRotation: LinkKeyRotation;
  /** What patient links start with: the configured short link domain, or the check-in API's URL. */
  readonly linkBaseUrl: string;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const key = operationsKey(this, this.stackName);
    this.operationsKey = key;
    Aspects.of(this).add(new PermissionsNameTheirAccount());

    // The API refers to the check-in function only; the sending functions refer to the API's URL (no cycle).
    const { edge } = props;
    this.checkin = new CheckinApi(this, 'Checkin', {
      table: props.table,
      linkSigningSecret: props.linkSigningSecret,
      key,
      ...(edge ? { origin: { domain: edge.originDomain, certificateArn: edge.originCertificateArn } } : {}),
    });
    // Behind the edge, links and the console use the clinic's edge domain; the API's own URL answers nobody else.
    this.linkBaseUrl =
      props.linkBaseUrl?.replace(/\/+$/, '') ?? (edge ? `https://${edge.edgeDomain}` : this.checkin.url);
    new CfnOutput(this, 'CheckinApiUrl', {
      description: edge
        ? 'The API origin CloudFront forwards to (its default endpoint is disabled)'
        : 'Check-in API endpoint; point the short link domain (links.baseUrl) here if there is one',
      value: this.checkin.url,
    });
    if (edge && this.checkin.originTarget) {
      new CfnOutput(this, 'ApiOriginTarget', {
        description: `Point ${edge.originDomain} here (CNAME or alias record)`,
        value: this.checkin.originTarget,
      });
    }

    this.messaging = new Messaging(this, 'Messaging', {
      table: props.table,
      linkSigningSecret: props.linkSigningSecret,
      senderEmail: props.config.sender.email,
      linkBaseUrl: this.linkBaseUrl,
      key,
      ...(props.config.sms.originationIdentity
        ? { smsOriginationIdentity: props.config.sms.originationIdentity }
        : {}),
    });
    this.ingestion = new Ingestion(this, 'Ingestion', {
      busName: props.config.busName,
      sources: props.config.bookingSources,
      publishers: props.config.publishers,
      key,
      dataKey: props.dataKey,
    });
    this.deliveryEvents = new DeliveryEvents(this, 'DeliveryEvents', {
      table: props.table,
      messaging: this.messaging,
      key,
      dataKey: props.dataKey,
      busName: props.config.busName,
    });
    this.patientTexts = new PatientTexts(this, 'PatientTexts', {
      table: props.table,
      messaging: this.messaging,
      key,
      dataKey: props.dataKey,
      linkBaseUrl: this.linkBaseUrl,
    });
    new CfnOutput(this, 'PatientTextsTopicArn', {
      description: "The two-way SMS channel of the clinic's number (README: Two-way SMS)",
      value: this.patientTexts.inboundTopic.topicArn,
    });
    new CfnOutput(this, 'SmsHelpKeywordText', {
      description: "The HELP keyword's answer to set on the clinic's number (README: Two-way SMS)",
      value: helpKeywordText(props.config),
    });
    // A readiness answer on the instructions page may email the front desk, with a link into the console.
    this.messaging.bindEmail(this.checkin.handler);
    this.checkin.handler.setEnv(ENV.linkBaseUrl, this.linkBaseUrl);
    const bookingEvents = this.ingestion.handler;
    // Due messages go out while the event is processed: a week check-in may look up the day lists.
    bookingEvents.bindTable(props.table);
    // Due-now messages (e.g. preparation instructions) are sent while the event is processed.
    this.messaging.bindSending(bookingEvents);
    this.messaging.bindScheduling(bookingEvents);

    // Staff alerts: their links open the console, on the same domain as patient links.
    this.alerts = new Alerts(this, 'Alerts', {
      table: props.table,
      linkBaseUrl: this.linkBaseUrl,
      key,
      messaging: this.messaging,
      staff: props.config.staff,
      timeZone: props.config.clinic.timeZone,
    });

    // The staff console: same API and domain as the links, Cognito's managed login for sign-in.
    this.console = new StaffConsole(this, 'Console', {
      userPool: props.staffUserPool,
      table: props.table,
      api: this.checkin.api,
      baseUrl: this.linkBaseUrl,
      key,
      ...(props.config.staff.signInDomainPrefix
        ? { signInDomainPrefix: props.config.staff.signInDomainPrefix }
        : {}),
    });
    this.alerts.bindAcknowledging(this.console.handler);
    // Booking webhooks: on the same API, putting events on the bus with their own source.
    this.hooks = new BookingHooks(this, 'Hooks', {
      table: props.table,
      api: this.checkin.api,
      bus: this.ingestion.bus,
      rejectedEvents: this.ingestion.rejectedEvents,
      key,
    });
    this.ingestion.admitHookPublisher(this.hooks.handler.fn.role as IRole);
    // The stage's per-route budgets name the console's and the hooks' routes: they must exist first.
    this.checkin.stage.node.addDependency(...this.console.routes, ...this.hooks.routes);
    if (edge) {
      // The functions read the proof (its replica here, under the data key) at run time: current and previous,
      // so a rotation never refuses a request, and the value is in no template or environment.
      for (const fn of [this.checkin.handler, this.console.handler, this.hooks.handler]) {
        fn.bindSecretReadByName(ENV.edgeOriginSecret, edge.originSecretName, props.dataKey.key);
      }
    }
    new CfnOutput(this, 'BookingPublisherRoleArn', {
      description:
        'The role the booking system assumes to put events on the bus (the bus takes no one else but config publishers.principals)',
      value: this.ingestion.publisherRole.roleArn,
    });
    new CfnOutput(this, 'CalcomWebhookUrl', {
      description: 'Cal.com: Settings > Developer > Webhooks, the Subscriber URL (README "Booking webhooks")',
      value: `${this.linkBaseUrl}/hooks/calcom`,
    });
    new CfnOutput(this, 'CalcomWebhookSecretArn', {
      description: "The secret to paste into the Cal.com webhook's Secret field",
      value: this.hooks.calcomSecret.secretArn,
    });
    new CfnOutput(this, 'FhirAppointmentUrl', {
      description: 'Where an EHR posts FHIR R4 Appointments or Subscription notification bundles',
      value: `${this.linkBaseUrl}/hooks/fhir`,
    });
    new CfnOutput(this, 'FhirBearerTokensSecretArn', {
      description: 'Each FHIR source\'s bearer token, {"<source>": "<token>"}; give each EHR its own',
      value: this.hooks.fhirTokens.secretArn,
    });
    new CfnOutput(this, 'StaffConsoleUrl', {
      description:
        'The staff console; staff sign in with their Cognito account (email, password, authenticator app)',
      value: this.console.url,
    });
    new CfnOutput(this, 'StaffUserPoolId', {
      description: 'The staff user pool: add, reset and remove staff here (README, "Staff accounts")',
      value: props.staffUserPool.userPoolId,
    });
    this.linkKeyRotation = new LinkKeyRotation(this, 'LinkKeyRotation', {
      secret: props.linkSigningSecret,
      key,
      everyDays: props.config.links.keyRotationDays,
    });

    this.operations = new Operations(this, 'Operations', {
      key,
      alarmEmail: props.config.operations?.alarmEmail,
      alarmNamePrefix: this.stackName,
    });
    const ops = this.operations;
    if (edge) {
      ops.alarmOnServiceMetric(METRIC.edgeProofStale, {
        name: 'edge-proof-stale',
        description:
          'The check-in function refused a request that carried an origin proof it does not take: CloudFront and ' +
          'the functions disagree, so patients opening links get 403 (with the crisis lines). Usually a rotation ' +
          'half done. First: compare the secret KetamineFollowupEdge-origin-proof (us-east-1 and its replica) ' +
          'with the distribution, then redeploy the edge stack (README "Optional edge", rotating the proof).',
      });
    }
    ops.alarmOnQueue(this.ingestion.deliveryDlq, {
      name: 'booking-events-undelivered',
      description:
        'EventBridge could not deliver booking events to the booking-events function after 6 hours of retries; ' +
        'those bookings get no messages. First: read a message in the DeliveryDlq queue (attributes ERROR_CODE ' +
        'and ERROR_MESSAGE), fix the cause (throttling, deleted function, permissions), then re-put each event ' +
        'on the bus as the publisher role (BookingPublisherRoleArn) - processing is idempotent.',
    });
    ops.alarmOnQueue(bookingEvents.failureQueue, {
      name: 'booking-events-failed',
      description:
        'The booking-events function failed on an event 3 times (e.g. DynamoDB, Scheduler or SES/SNS errors, ' +
        'or a bug); the booking may be stored without its schedules. First: find the requestId of the failure ' +
        'record in the function logs, fix the cause, then re-put the event (requestPayload) on the bus as the publisher role.',
    });
    ops.alarmOnQueue(this.ingestion.rejectedEvents, {
      name: 'booking-events-rejected',
      description:
        'The booking system sent events that break the booking event contract, or a booking webhook got a ' +
        'delivery it cannot map (source hooks/calcom or hooks/fhir: an event type or code not in the config, ' +
        'no contact, no Patient); they were not processed. First: read the reason in a RejectedEvents message ' +
        '(it names the field); fix the config mapping or have the booking system fix its publisher, then ' +
        're-send the booking (a webhook: change it again, or re-send the delivery from its webhook log).',
    });
    ops.alarmOnErrors(bookingEvents.fn, {
      name: 'booking-events-errors',
      description:
        'The booking-events function threw an error; Lambda retries it twice. First: read the function logs. ' +
        'If the retries fail too, booking-events-failed follows.',
    });
    ops.alarmOnQueue(this.messaging.scheduleDlq, {
      name: 'schedules-undelivered',
      description:
        'EventBridge Scheduler could not invoke the target of a due schedule. Target send-message: the patient ' +
        'did not get that message. Target dispatch-alerts: a sweep or an alert escalation was missed (the next ' +
        'sweep retries it a minute later, but if every sweep fails, staff alerts stall: see alert-work-overdue). ' +
        'Target send-review-digest: no digest today. First: read the ScheduleDlq message attributes for the ' +
        'error (role permission, deleted function, throttling), fix it, then invoke the target with the message ' +
        'body if it is still useful (send-message never sends twice; the digest sends each reply once).',
    });
    ops.alarmOnQueue(this.messaging.sendFunction.failureQueue, {
      name: 'send-message-failed',
      description:
        'The send-message function failed 3 times on a due message (e.g. SES sandbox or paused sending, SMS ' +
        'spend limit reached, DynamoDB errors); the patient did not get it. First: read the function logs for ' +
        'the requestId, check SES account status and the SMS spend limit, then re-invoke with requestPayload: ' +
        'it re-checks the booking and never sends a message twice.',
    });
    ops.alarmOnErrors(this.messaging.sendFunction.fn, {
      name: 'send-message-errors',
      description:
        'The send-message function threw an error; Lambda retries it twice. First: read the function logs. ' +
        'If the retries fail too, send-message-failed follows.',
    });
    ops.alarmOnErrors(this.checkin.handler.fn, {
      name: 'checkin-errors',
      description:
        'The check-in function failed on a patient link request (uncaught error, timeout or out of memory); ' +
        'nothing retries it. That patient got a bare gateway error (500) instead of the form, instructions or ' +
        'answer: no crisis resources after an urgent answer, and the reply may not be saved (if it was, its ' +
        'staff alert still goes out). First: read the function logs for the error and fix it (a recent ' +
        'deploy, the link-signing secret or its key, DynamoDB); while it lasts, ask the clinic to phone ' +
        'patients whose check-in was due.',
    });
    ops.alarmOnErrors(this.console.handler.fn, {
      name: 'console-errors',
      description:
        'The staff console function failed on a request (uncaught error, timeout or out of memory); nothing ' +
        'retries it, and that staff member saw a bare gateway error. Alerts still go out and escalate by ' +
        'message, whatever the console does. First: read the function logs (a recent deploy, Cognito ' +
        'discovery at the issuer URL, the session secret or its key, DynamoDB); while it lasts, staff act on ' +
        'alerts by phone and record outcomes once the console is back.',
    });
    ops.alarmOnErrors(this.linkKeyRotation.handler.fn, {
      name: 'link-key-rotation-errors',
      description:
        'A step of the scheduled rotation of the link-signing key failed; Secrets Manager retries the rotation. ' +
        'Links keep working with the current key: nothing a patient sees changes, but the key is older than ' +
        'planned. First: read the rotate-link-key logs (which step, the error; never a key) and the secret in ' +
        'Secrets Manager; if a version is left AWSPENDING, fix the cause and use "Rotate secret immediately".',
    });
    ops.alarmOnServiceMetric(METRIC.hookFailed, {
      name: 'booking-hooks-failing',
      description:
        'A booking webhook delivery (Cal.com or FHIR) could not be put on the bus: the hook answered 503 and the ' +
        'booking system will retry, but until then that booking change has no messages. First: read the ' +
        'handle-booking-hooks logs (the error name; DynamoDB, Secrets Manager, EventBridge PutEvents), fix the ' +
        "cause, then check the booking system's webhook log for deliveries it gave up on and re-send them.",
    });
    ops.alarmOnErrors(this.hooks.handler.fn, {
      name: 'booking-hooks-errors',
      description:
        'The booking-hooks function itself failed (timeout, out of memory, a bug): the booking system got a ' +
        'gateway error and will retry. First: read the handle-booking-hooks logs; a redelivery changes nothing twice.',
    });
    this.alarmOnAlerts(ops);
    this.alarmOnDeliveries(ops);
    ops.alarmOnHttpApiServerErrors(this.checkin.api, {
      name: 'checkin-api-5xx',
      description:
        'The check-in API answered 5xx at least once in 5 minutes: patients may be unable to submit check-ins ' +
        'or open instructions. A 503 from the function means a reply could not be stored: the patient was told ' +
        'so and an urgent answer still showed crisis resources (988, 911) and the clinic phone, but no staff ' +
        'alert exists for it. A 500, 502 or 504 means the function itself failed or timed out (checkin-errors ' +
        'alarms too): a bare error page, no crisis resources. First: query the API access logs for status ' +
        '>= 500 (routeKey, integrationStatus, requestId), then the function logs; check DynamoDB, Secrets ' +
        'Manager and KMS; ask the clinic to phone patients whose check-in was due. Throttled requests get 429 ' +
        'and do not count here. A 503 on POST /hooks/{provider} is a booking webhook delivery that failed ' +
        '(booking-hooks-failing alarms too); the booking system retries it.',
    });
  }

  /** What providers report of patient messages, and the standing of the SES account and the SMS number. */
  private alarmOnDeliveries(ops: Operations): void {
    const { deliveryEvents } = this;
    const reputation = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
    ops.alarmOnLevel(reputation('Reputation.BounceRate'), 0.05, {
      name: 'ses-bounce-rate',
      description:
        "The account's SES bounce rate reached 5 %: AWS reviews the account at 5 % and may pause sending at 10 %, " +
        'which would stop every patient email and staff alert email. First: look at the bounced messages in ' +
        'the console (delivery status) and at the patients marked unreachable; have the front desk correct ' +
        'addresses; check that nothing else in the account sends to old lists.',
    });
    ops.alarmOnLevel(reputation('Reputation.ComplaintRate'), 0.001, {
      name: 'ses-complaint-rate',
      description:
        "The account's SES complaint rate reached 0.1 %: AWS reviews the account at 0.1 % and may pause sending " +
        'at 0.5 %. First: see which message kinds drew complaints (delivery status "complained"), check the ' +
        'plan and templates with the medical director, and confirm patients agreed to be emailed.',
    });
    ops.alarmOnServiceMetric(METRIC.smsBlocked, {
      name: 'sms-blocked-or-spam',
      description:
        'A carrier blocked an SMS or reported it as spam: those patients did not get the text (the message goes ' +
        'by email where it can, or the front desk is told), and carriers may block the number altogether. ' +
        "First: check the number's registration (10DLC campaign or toll-free verification) in End User " +
        'Messaging and the template text, then look at the SMS delivery statuses in the console.',
    });
    ops.alarmOnQueue(deliveryEvents.unreadableEvents, {
      name: 'delivery-events-unreadable',
      description:
        'SES or End User Messaging sent a delivery event the delivery-events function could not read; it is kept ' +
        'with its reason, and that message shows no delivery status. First: read the reason in an ' +
        'UnreadableEvents message (it names the field); a new provider event type needs a code change.',
    });
    ops.alarmOnQueue(deliveryEvents.deliveryDlq, {
      name: 'delivery-events-undelivered',
      description:
        'EventBridge could not hand SES events to the delivery-events function for 24 hours: bounces and ' +
        'complaints went unrecorded, so no fallback and no front-desk notice followed. First: read the ' +
        'SesEventsDlq message attributes (ERROR_CODE), fix the cause, then invoke the function with each event.',
    });
    ops.alarmOnQueue(deliveryEvents.handler.failureQueue, {
      name: 'delivery-events-failed',
      description:
        'The delivery-events function failed 3 times on an event (DynamoDB, SES or SMS errors, or a message ' +
        'not found by its delivery id); that status, and any fallback or front-desk notice, is missing. ' +
        'First: read the function logs for the requestId, fix the cause, then re-invoke with requestPayload: ' +
        'recording is idempotent and a fallback never sends twice.',
    });
    const texts = this.patientTexts;
    ops.alarmOnQueue(texts.unreadableTexts, {
      name: 'patient-texts-unreadable',
      description:
        "End User Messaging handed over a patient's text the patient-texts function could not read; it is kept " +
        'with its reason and was neither screened nor answered. It may be a patient asking for help. First: read ' +
        'the text in an UnreadableTexts message and have a clinician act on it; the reason names the field.',
    });
    ops.alarmOnQueue(texts.undeliveredTexts, {
      name: 'patient-texts-undelivered',
      description:
        "SNS could not hand a patient's text to the patient-texts function (throttling, permissions, a deleted " +
        'function): it was neither screened nor answered, and may be a patient asking for help. First: read the ' +
        'text in an UndeliveredTexts message and have a clinician act on it; fix the cause, then invoke the ' +
        'function with the message (a text is stored once).',
    });
    ops.alarmOnQueue(texts.handler.failureQueue, {
      name: 'patient-texts-failed',
      description:
        "The patient-texts function failed 3 times on a patient's text (DynamoDB, SES or SMS errors): it may be " +
        'unscreened, unlisted and unanswered. It may be a patient asking for help. First: read the text in ' +
        'requestPayload and have a clinician act on it; fix the cause from the logs, then re-invoke with ' +
        'requestPayload (a text is stored once, the auto-reply goes at most once a day).',
    });
    ops.alarmOnErrors(texts.handler.fn, {
      name: 'patient-texts-errors',
      description:
        'The patient-texts function threw an error; SNS and Lambda retry it. First: read the function logs. If ' +
        'the retries fail too, patient-texts-failed follows.',
    });
    ops.alarmOnErrors(deliveryEvents.handler.fn, {
      name: 'delivery-events-errors',
      description:
        'The delivery-events function threw an error; Lambda retries it twice (SNS and EventBridge retry too). ' +
        'First: read the function logs. If the retries fail too, delivery-events-failed follows.',
    });
  }

  /** The staff alert path's alarms: each says what it means for patients and staff, and what to do first. */
  private alarmOnAlerts(ops: Operations): void {
    const { alerts } = this;
    const dispatch = alerts.dispatchFunction;
    ops.alarmOnServiceMetric(METRIC.alertDeliveryFailures, {
      name: 'alert-delivery-failures',
      description:
        'A staff recipient (an address in staff.alertEmails or a phone in staff.alertSms) refused a staff alert ' +
        'for an urgent reply (self-harm thoughts, a severe side effect, a call request). The other recipients ' +
        'got their copies; this one is retried on its own every minute until SES or SMS takes it, and the ' +
        'alert shows as pending until every copy is taken. First: read the dispatch-alerts logs (' +
        "'staff alert not sent': alertId, recipient as its place in config, reason) and fix the cause (SES " +
        'sandbox or suppression list, SMS spend limit or opt-out, throttling). If nobody got it, phone the ' +
        'on-call clinician: the table item ALERT#<alertId> holds the bookingId.',
    });
    ops.alarmOnServiceMetric(METRIC.escalationFailures, {
      name: 'alert-escalation-failures',
      description:
        'An escalation contact (staff.escalationEmails, staff.escalationSms) refused the escalation of an alert ' +
        'nobody acknowledged. The other contacts got it and escalations go on at their times; this copy is ' +
        'retried every minute until taken or the alert is acknowledged. First: read the dispatch-alerts logs ' +
        '(alertId, recipient, reason) and fix the cause; meanwhile phone the clinical lead about the alert ' +
        '(table item ALERT#<alertId> holds the bookingId).',
    });
    ops.alarmOnServiceMetric(METRIC.alertWorkOverdue, {
      name: 'alert-work-overdue',
      description:
        'The alert sweeper found a staff alert or an escalation more than 3 minutes past due: deliveries keep ' +
        'failing or dispatch-alerts is not getting to them (errors, throttling). Staff may not know of an ' +
        'urgent reply. First: look at alert-delivery-failures, alert-escalation-failures, dispatch-alerts-errors ' +
        'and the Throttles metric of dispatch-alerts, and fix what they point to. Until it clears, phone the ' +
        'on-call clinician: query the work-by-time index (workKey = ALERT) for what is due.',
    });
    ops.alarmOnMissingServiceMetric(METRIC.alertWorkOverdue, {
      name: 'alert-sweeper-silent',
      description:
        'No alert sweep finished in 5 minutes (each sweep reports AlertWorkOverdue, even 0). The backstop of ' +
        'staff alerts has stopped: an alert whose first delivery failed, and every escalation whose schedule ' +
        'did not fire, now waits with no alarm of its own. First: check that the alert-sweeper schedule in the ' +
        `${alerts.recurringScheduleGroupName} group exists and is enabled, then schedules-undelivered, ` +
        'dispatch-alerts-errors and the dispatch-alerts logs (a failing query of the work-by-time index, permissions, throttling).',
    });
    ops.alarmOnServiceMetric(METRIC.alertsUnacknowledged, {
      name: 'alert-unacknowledged',
      description:
        'A staff alert was escalated as often as configured (staff.maxEscalations) and nobody acknowledged it; ' +
        'no further automatic notice goes out. A patient reported something urgent and may not have been ' +
        'contacted. First: phone the clinical lead and the on-call clinician now; the latest escalation email ' +
        'has the console link to the alert. Then find out why the recipients do not act (staff-recipient-unreachable, ' +
        'numbers or addresses changed).',
    });
    ops.alarmOnQueue(alerts.streamFailures, {
      name: 'alert-stream-failed',
      description:
        'The DynamoDB stream batch carrying new urgent replies kept failing in dispatch-alerts (10 retries or ' +
        '1 hour), so the fast path gave up on it. The alerts are not lost: the sweeper delivers them within a ' +
        'minute of the failure clearing (watch alert-work-overdue). First: find the error in the dispatch-alerts ' +
        'logs and fix it; once alert-work-overdue is OK, delete the StreamFailures messages (they hold shard ' +
        'and sequence numbers only, no reply).',
    });
    ops.alarmOnErrors(dispatch.fn, {
      name: 'dispatch-alerts-errors',
      description:
        'dispatch-alerts threw on a stream batch, a sweep or an escalation schedule; staff alerts may be ' +
        'delayed. Stream batches and escalations are retried and the sweeper catches up every minute. First: ' +
        'read the function logs; alert-delivery-failures or alert-escalation-failures tell whether SNS is the ' +
        'cause, alert-work-overdue whether staff are now waiting.',
    });
    ops.alarmOnQueue(dispatch.failureQueue, {
      name: 'dispatch-alerts-failed',
      description:
        'An asynchronous dispatch-alerts invocation (an escalation schedule or a sweep) failed 3 times. The ' +
        'work stays due on the work index and the next sweep retries it. First: read the function logs for ' +
        'the requestId of the failure record and fix the cause; once alert-work-overdue is OK, delete the ' +
        'FailureQueue messages - re-invoking is not needed.',
    });
    ops.alarmOnDailyServiceMetric(METRIC.staffRecipientsUnreachable, {
      name: 'staff-recipient-unreachable',
      description:
        'The daily staff recipient check found someone an urgent alert may not reach: a topic with no recipient, ' +
        'a recipient whose last staff message was refused, an address on the SES suppression list or unverified ' +
        'in the SES sandbox, a phone that opted out of SMS or is unverified in the SMS sandbox, or a provider ' +
        "that could not be asked. First: read the check-staff-recipients logs ('staff recipient cannot be " +
        "reached': the recipient as its place in config, e.g. staff.alertEmails[1], and the reason), then fix " +
        'the address or number in config, remove it from the suppression list, or have the phone text START. It ' +
        'clears when the next daily check finds nothing.',
    });
    ops.alarmOnQueue(alerts.recipientCheckFunction.failureQueue, {
      name: 'recipient-check-failed',
      description:
        'The daily staff recipient check failed 3 times: today nobody checked that alerts can reach staff. First: ' +
        'fix the cause in the check-staff-recipients logs, invoke it with {}, and delete the FailureQueue message.',
    });
    ops.alarmOnErrors(alerts.recipientCheckFunction.fn, {
      name: 'recipient-check-errors',
      description:
        'The daily staff recipient check failed (the schedule retries it). Nobody is told about unreachable staff ' +
        'recipients until it runs. First: read the check-staff-recipients logs (DynamoDB, SES or SNS permissions), ' +
        'fix it, then invoke check-staff-recipients with {}.',
    });
    ops.alarmOnErrors(alerts.digestFunction.fn, {
      name: 'review-digest-errors',
      description:
        'The daily review digest failed (Lambda retries it twice). Replies triaged review are not lost: they ' +
        'stay queued and go in the next digest, a day late. First: read the send-review-digest logs (SES ' +
        'sandbox or paused sending, the sender identity, DynamoDB), fix it, then invoke send-review-digest ' +
        'with {} - it sends each reply once.',
    });
    ops.alarmOnQueue(alerts.digestFunction.failureQueue, {
      name: 'review-digest-failed',
      description:
        "The daily review digest failed 3 times; today's review replies were not emailed and wait for " +
        "tomorrow's digest. First: fix the cause in the send-review-digest logs, then invoke it with {} to " +
        'send them now (each reply is sent once), and delete the FailureQueue message.',
    });
  }
}

/**
 * Every Lambda permission (API routes, the bus rule) names this account as well as its source ARN, so
 * a source of the same name in another account can never invoke our functions (confused deputy).
 */
class PermissionsNameTheirAccount implements IAspect {
  visit(node: IConstruct): void {
    // The literal account where the environment names one (as at deploy), so static checks can read it.
    if (node instanceof CfnPermission && node.sourceAccount === undefined) {
      node.sourceAccount = Stack.of(node).account;
    }
  }
}

/**
 * The key of this stack's queues, log groups and alarm topic, kept apart from the data key so that the
 * service principals below never get a say over patient data at rest.
 */
function operationsKey(stack: Stack, alarmNamePrefix: string): Key {
  const key = serviceKey(stack, 'OperationsKey', {
    description: 'Encrypts the follow-up service queues, log groups, staff topics and alarm topic',
    // Queues (functions, Scheduler and Lambda destinations send through SQS), topics, the session secret.
    services: ['sqs', 'sns', 'secretsmanager'],
  });
  // CloudWatch Logs encrypts this stack's log groups (CloudFormation names them after the stack).
  letLogsUse(key, [`${stack.stackName}-*`]);
  // Our CloudWatch alarms publish to the (encrypted) operations topic.
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': alarmArnPattern(alarmNamePrefix) },
      },
    }),
  );
  return key;
}
