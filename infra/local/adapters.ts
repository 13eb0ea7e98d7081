import { randomUUID } from 'node:crypto';
import { DateTime, Duration } from 'luxon';
import type { DeliveryStatus } from '../../shared/contracts/delivery';
import type { StaffReachability } from '../../shared/domain/alerts/staff-recipient-check';
import type { SecretVersions } from '../../shared/domain/messages/rotate-link-key';
import {
  AddressRefusedError,
  type AlertSchedulePayload,
  type AlertScheduler,
  type Clock,
  type DeadLetter,
  type DeadLetterSink,
  type Mailer,
  type MessageScheduler,
  type OutgoingEmail,
  type OutgoingSms,
  type ReadinessCheckPayload,
  type ReplyStore,
  type Schedule,
  type SchedulePayload,
  type SmsSender,
  type StaffNotifier,
  type StaffRecipient,
  type StaffTopic,
  type StoredReply,
} from '../../shared/domain/ports';

/** A clock that moves only when told to, so days pass in a click. */
export class VirtualClock implements Clock {
  private current: DateTime;

  constructor(start: string | undefined) {
    const parsed = start ? DateTime.fromISO(start, { zone: 'utc' }) : DateTime.utc();
    if (!parsed.isValid) throw new Error(`LOCAL_CLOCK_START is not an ISO time: ${start}`);
    this.current = parsed;
  }

  now(): string {
    return this.current.toUTC().toISO() ?? '';
  }

  /** Moves forward only: schedules already fired cannot un-fire. */
  moveTo(iso: string): void {
    const next = DateTime.fromISO(iso, { zone: 'utc' });
    if (next > this.current) this.current = next;
  }
}

/** Parses a clock request: `{advance: ISO duration}` or `{to: ISO time}`; answers the target time or an error. */
export function clockTarget(
  clock: Clock,
  body: unknown,
): { ok: true; to: string } | { ok: false; error: string } {
  const request = (body ?? {}) as { advance?: unknown; to?: unknown };
  if (typeof request.advance === 'string') {
    const duration = Duration.fromISO(request.advance);
    if (!duration.isValid || duration.toMillis() < 0)
      return { ok: false, error: 'advance: must be a positive ISO-8601 duration such as PT24H' };
    return { ok: true, to: DateTime.fromISO(clock.now()).plus(duration).toUTC().toISO() ?? '' };
  }
  if (typeof request.to === 'string') {
    const to = DateTime.fromISO(request.to, { setZone: true });
    if (!to.isValid) return { ok: false, error: 'to: must be an ISO-8601 time' };
    if (to < DateTime.fromISO(clock.now()))
      return { ok: false, error: 'to: must not be before the current virtual time' };
    return { ok: true, to: to.toUTC().toISO() ?? '' };
  }
  return { ok: false, error: 'advance or to: one is required' };
}

export type ScheduleTarget = 'send-message' | 'dispatch-alerts';

export type PendingSchedule =
  | (Schedule<SchedulePayload | ReadinessCheckPayload> & { target: 'send-message'; attempts: number })
  | (Schedule<AlertSchedulePayload> & { target: 'dispatch-alerts'; attempts: number });

/**
 * EventBridge Scheduler's local stand-in: one-time schedules in memory, for
 * the send function and the alert function, fired by the virtual clock.
 * `attempts` stands in for Lambda's async retries of a failed invocation.
 */
export class LocalScheduler {
  private readonly schedules = new Map<string, PendingSchedule>();

  readonly messages: MessageScheduler = {
    upsert: async (schedule) =>
      void this.schedules.set(schedule.name, { ...schedule, target: 'send-message', attempts: 0 }),
    remove: async (name) => void this.schedules.delete(name),
  };

  readonly alerts: AlertScheduler = {
    upsert: async (schedule) =>
      void this.schedules.set(schedule.name, { ...schedule, target: 'dispatch-alerts', attempts: 0 }),
    remove: async (name) => void this.schedules.delete(name),
  };

  /** Re-queues a failed invocation, as Lambda retries an async invocation. */
  retry(schedule: PendingSchedule, fireAt: string): void {
    this.schedules.set(schedule.name, { ...schedule, fireAt, attempts: schedule.attempts + 1 });
  }

  /** Pending schedules in firing order. */
  pending(): PendingSchedule[] {
    return [...this.schedules.values()].sort((a, b) => Date.parse(a.fireAt) - Date.parse(b.fireAt));
  }

  /** Removes and returns the earliest schedule due at or before `until` (one-time schedules delete after firing). */
  takeNextDue(until: string): PendingSchedule | undefined {
    const next = this.pending()[0];
    if (!next || Date.parse(next.fireAt) > Date.parse(until)) return undefined;
    this.schedules.delete(next.name);
    return next;
  }
}

export type OutboxEntry =
  | {
      channel: 'email';
      to: string;
      kind: string;
      bookingId?: string;
      subject: string;
      text: string;
      html?: string;
      attachments?: { filename: string; contentType: string }[];
      at: string;
      delivery: DeliveryStatus;
      /** The opaque id the provider's events name it by (patient messages). */
      deliveryId?: string;
    }
  | {
      channel: 'sms';
      to: string;
      kind: string;
      bookingId?: string;
      text: string;
      at: string;
      delivery: DeliveryStatus;
      deliveryId?: string;
    }
  /** One entry per staff recipient (DESIGN section 6): `to` the address or phone, `via` its channel. */
  | {
      channel: 'staff';
      to: string;
      via: StaffRecipient['channel'];
      topic: StaffTopic;
      subject: string;
      text: string;
      at: string;
      delivery: DeliveryStatus;
    };

/** Thrown by a local provider switched to fail, named like the real SDK's throttling error. */
export class LocalProviderFaultError extends Error {
  constructor(channel: string) {
    super(`local ${channel} provider is set to fail`);
    this.name = 'LocalProviderFaultError';
  }
}

export type FaultChannel = 'email' | 'sms' | 'staff';

/**
 * What a patient address does when sent to (`POST /local/faults`, DESIGN section 6): a phone on the opt-out list
 * is refused at once, as End User Messaging refuses it; an unreachable phone or a bouncing address takes the
 * message, and the provider's event follows.
 */
export type AddressFault = 'opted-out' | 'unreachable' | 'bounce';

/** SES and End User Messaging stand-ins: everything sent lands in the outbox; each can be made to fail. */
export class LocalOutbox {
  readonly entries: OutboxEntry[] = [];
  readonly failing = new Set<FaultChannel>();
  /** Staff addresses and phones that refuse, one by one, while the others take their copies. */
  readonly failingStaff = new Set<string>();
  /** Address faults by `<channel>:<address>`, or `<channel>:*` for every address on the channel. */
  readonly addressFaults = new Map<string, AddressFault>();
  /** Told of a message sent to an address whose provider event is to follow (the runtime plays it). */
  onReported: (channel: 'email' | 'sms', to: string, fault: AddressFault) => void = () => {};
  private sequence = 0;

  constructor(private readonly clock: Clock) {}

  faultOf(channel: 'email' | 'sms', to: string): AddressFault | undefined {
    const address = channel === 'email' ? to.trim().toLowerCase() : to.trim();
    return this.addressFaults.get(`${channel}:${address}`) ?? this.addressFaults.get(`${channel}:*`);
  }

  readonly mailer: Mailer = {
    send: async (email: OutgoingEmail) => {
      if (this.failing.has('email')) throw new LocalProviderFaultError('email');
      this.entries.push({
        channel: 'email',
        to: email.to,
        kind: email.kind,
        ...(email.bookingId ? { bookingId: email.bookingId } : {}),
        subject: email.subject,
        text: email.text,
        ...(email.html === undefined ? {} : { html: email.html }),
        ...(email.attachments
          ? { attachments: email.attachments.map(({ filename, contentType }) => ({ filename, contentType })) }
          : {}),
        at: this.clock.now(),
        delivery: 'sent',
        ...(email.deliveryId ? { deliveryId: email.deliveryId } : {}),
      });
      const fault = email.deliveryId ? this.faultOf('email', email.to) : undefined;
      if (fault) this.onReported('email', email.to, fault);
      return { messageId: `local-email-${++this.sequence}` };
    },
  };

  readonly smsSender: SmsSender = {
    send: async (sms: OutgoingSms) => {
      if (this.failing.has('sms')) throw new LocalProviderFaultError('sms');
      // The opt-out list refuses every patient text, auto-replies too; only planned messages get a carrier report.
      const listed = this.faultOf('sms', sms.to);
      const fault = sms.deliveryId || listed === 'opted-out' ? listed : undefined;
      if (fault === 'opted-out') {
        throw new AddressRefusedError('opted-out', 'ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT');
      }
      this.entries.push({
        channel: 'sms',
        to: sms.to,
        kind: sms.kind,
        ...(sms.bookingId === undefined ? {} : { bookingId: sms.bookingId }),
        text: sms.text,
        at: this.clock.now(),
        delivery: 'sent',
        ...(sms.deliveryId ? { deliveryId: sms.deliveryId } : {}),
      });
      if (fault) this.onReported('sms', sms.to, fault);
      return { messageId: `local-sms-${++this.sequence}` };
    },
  };
}

/** What `POST /local/email/events` and `/local/sms/events` play (DESIGN section 6). */
export const LOCAL_EMAIL_EVENTS = ['bounce', 'complaint', 'delivery'] as const;
export const LOCAL_SMS_EVENTS = ['delivered', 'blocked', 'unreachable', 'spam', 'expired'] as const;

/** The latest patient message on `channel` to `to` (case-insensitive for email), with its delivery id. */
export function latestSentTo(
  outbox: LocalOutbox,
  channel: 'email' | 'sms',
  to: string,
): (OutboxEntry & { deliveryId: string }) | undefined {
  const wanted = channel === 'email' ? to.trim().toLowerCase() : to.trim();
  for (let i = outbox.entries.length - 1; i >= 0; i--) {
    const entry = outbox.entries[i];
    if (entry?.channel !== channel || !('deliveryId' in entry) || !entry.deliveryId) continue;
    if ((channel === 'email' ? entry.to.toLowerCase() : entry.to) === wanted)
      return entry as OutboxEntry & { deliveryId: string };
  }
  return undefined;
}

/** An SES event for one email as the default event bus carries it (AWS's documented shape). */
export function localSesEvent(
  type: (typeof LOCAL_EMAIL_EVENTS)[number],
  email: { to: string; deliveryId: string; at: string },
  now: string,
) {
  const detailType = {
    bounce: 'Email Bounced',
    complaint: 'Email Complaint Received',
    delivery: 'Email Delivered',
  };
  const eventType = { bounce: 'Bounce', complaint: 'Complaint', delivery: 'Delivery' }[type];
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType[type],
    source: 'aws.ses',
    account: '000000000000',
    time: now,
    region: 'local',
    resources: [],
    detail: {
      eventType,
      mail: {
        timestamp: email.at,
        messageId: randomUUID(),
        destination: [email.to],
        tags: { 'ses:configuration-set': ['local'], delivery: [email.deliveryId] },
      },
      ...(type === 'bounce'
        ? {
            bounce: {
              bounceType: 'Permanent',
              bounceSubType: 'General',
              bouncedRecipients: [{ emailAddress: email.to, action: 'failed', status: '5.1.1' }],
              timestamp: now,
            },
          }
        : {}),
      ...(type === 'complaint'
        ? { complaint: { complainedRecipients: [{ emailAddress: email.to }], timestamp: now } }
        : {}),
      ...(type === 'delivery' ? { delivery: { recipients: [email.to], timestamp: now } } : {}),
    },
  };
}

/** An End User Messaging SMS event as its configuration set's SNS topic hands it to a function. */
export function localSmsEvent(
  type: (typeof LOCAL_SMS_EVENTS)[number],
  sms: { to: string; deliveryId: string; at: string },
  now: string,
  /** The End User Messaging event type, when not the one `type` maps to (TEXT_SUCCESSFUL for a delivery). */
  as?: string,
) {
  const eventType =
    as ??
    {
      delivered: 'TEXT_DELIVERED',
      blocked: 'TEXT_BLOCKED',
      unreachable: 'TEXT_UNREACHABLE',
      spam: 'TEXT_SPAM',
      expired: 'TEXT_TTL_EXPIRED',
    }[type];
  const message = {
    eventType,
    eventVersion: '1.0',
    eventTimestamp: Date.parse(now),
    isFinal: true,
    destinationPhoneNumber: sms.to,
    messageId: randomUUID(),
    messageRequestTimestamp: Date.parse(sms.at),
    messageType: 'TRANSACTIONAL',
    messageStatus: eventType.replace('TEXT_', ''),
    context: { delivery: sms.deliveryId },
  };
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          Message: JSON.stringify(message),
          Timestamp: now,
        },
      },
    ],
  };
}

/** SES and SMS to staff, one recipient at a time: each copy lands in the outbox, or refuses when told to. */
export function localStaffNotifier(outbox: LocalOutbox, clock: Clock): StaffNotifier {
  return {
    send: async (recipient, message) => {
      if (outbox.failing.has('staff') || outbox.failingStaff.has(recipient.address))
        throw new LocalProviderFaultError('staff');
      outbox.entries.push({
        channel: 'staff',
        to: recipient.address,
        via: recipient.channel,
        topic: message.topic,
        subject: message.subject,
        text: message.text,
        at: clock.now(),
        delivery: 'sent',
      });
      return { messageId: `local-staff-${outbox.entries.length}` };
    },
  };
}

/** SES's and SNS's lists, played by the local faults: a failing staff channel or address is unreachable. */
export function localStaffReachability(outbox: LocalOutbox): StaffReachability {
  return {
    check: async (recipient) =>
      outbox.failing.has('staff') || outbox.failingStaff.has(recipient.address)
        ? { reachable: false, reason: 'local-fault' }
        : { reachable: true },
  };
}

/**
 * The table stream's local stand-in: after an urgent reply is written, its
 * alert is dispatched in-process, without making the patient's answer wait
 * (`setImmediate`). The sweeper catches whatever this misses.
 */
export function withInProcessAlertDispatch(
  store: ReplyStore,
  dispatch: (reply: StoredReply) => Promise<unknown>,
  onFailure: () => void,
): ReplyStore {
  return {
    record: async (reply) => {
      await store.record(reply);
      if (reply.alertId) setImmediate(() => void dispatch(reply).catch(onFailure));
    },
    listForBooking: (bookingId) => store.listForBooking(bookingId),
  };
}

/** The DLQs' local stand-in, listed by `GET /local/dlq`. */
export class LocalDeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];

  async keep(letter: DeadLetter): Promise<void> {
    this.letters.push(letter);
  }
}

/**
 * Secrets Manager's versions of the link-signing secret, in memory: the local
 * runtime rotates it with the very rotation function AWS runs.
 */
export class LocalSecretVersions implements SecretVersions {
  private readonly values = new Map<string, string>();
  private readonly stages = new Map<string, string[]>();

  constructor(initial: string) {
    this.values.set('v-0', initial);
    this.stages.set('v-0', ['AWSCURRENT']);
  }

  /** What Secrets Manager does before the first step: a new version id, labelled pending. */
  startRotation(versionId: string): void {
    this.stages.set(versionId, ['AWSPENDING']);
  }

  current(): string {
    const id = [...this.stages].find(([, labels]) => labels.includes('AWSCURRENT'))?.[0] ?? '';
    return this.values.get(id) ?? '';
  }

  async describe() {
    return { rotationEnabled: true, stages: Object.fromEntries(this.stages) };
  }

  async value(_secretId: string, stage: 'AWSCURRENT' | 'AWSPENDING', versionId?: string) {
    const id = versionId ?? [...this.stages].find(([, labels]) => labels.includes(stage))?.[0];
    return id && this.stages.get(id)?.includes(stage) ? this.values.get(id) : undefined;
  }

  async putPending(_secretId: string, versionId: string, value: string) {
    this.values.set(versionId, value);
    this.stages.set(versionId, ['AWSPENDING']);
  }

  async promote(_secretId: string, versionId: string, fromVersionId: string) {
    this.stages.set(fromVersionId, []);
    this.stages.set(versionId, ['AWSCURRENT']);
  }
}
