import { toFieldErrors } from '../../contracts/booking-events';
import * as z from '../../contracts/zod';
import type { DeliveryEvent, ParsedDelivery } from '../../domain/messages/delivery-events';

/** The shape `deliveryIdOf` makes; anything else in the tag is not ours. */
const DELIVERY_ID = /^d_[A-Za-z0-9_-]{22}$/;

const timestamped = z.optional(z.object({ timestamp: z.optional(z.string()) }));

/** An SES event as EventBridge's default bus carries it (`source` `aws.ses`, the SES record in `detail`). */
const sesEventSchema = z.object({
  source: z.literal('aws.ses'),
  time: z.optional(z.string()),
  detail: z.object({
    eventType: z.string(),
    mail: z.object({
      timestamp: z.optional(z.string()),
      tags: z.optional(z.record(z.string(), z.array(z.string()))),
    }),
    bounce: z.optional(
      z.object({
        bounceType: z.string(),
        bounceSubType: z.optional(z.string()),
        timestamp: z.optional(z.string()),
      }),
    ),
    complaint: z.optional(
      z.object({ complaintFeedbackType: z.optional(z.string()), timestamp: z.optional(z.string()) }),
    ),
    delivery: timestamped,
    reject: z.optional(z.object({ reason: z.optional(z.string()) })),
  }),
});

/** An End User Messaging SMS event, the JSON its configuration set's SNS destination publishes. */
const smsEventSchema = z.object({
  eventType: z.string(),
  eventTimestamp: z.number(),
  /** False on a status the carrier may still change (a temporary carrier error): not an outcome yet. */
  isFinal: z.optional(z.boolean()),
  context: z.optional(z.record(z.string(), z.string())),
});

/** SMS event types and what each means for the message; those not listed are not outcomes. */
const SMS_STATUS: Readonly<Record<string, DeliveryEvent['status']>> = {
  TEXT_DELIVERED: 'delivered',
  TEXT_SUCCESSFUL: 'delivered',
  TEXT_BLOCKED: 'blocked',
  TEXT_CARRIER_BLOCKED: 'blocked',
  TEXT_PROTECT_BLOCKED: 'blocked',
  TEXT_UNREACHABLE: 'unreachable',
  TEXT_CARRIER_UNREACHABLE: 'unreachable',
  TEXT_INVALID: 'unreachable',
  TEXT_SPAM: 'spam',
  TEXT_TTL_EXPIRED: 'expired',
  TEXT_INVALID_MESSAGE: 'failed',
  TEXT_UNKNOWN: 'failed',
};
/** The SMS event types the configuration set sends on: outcomes only, so steps on the way cost no invocation. */
export const SMS_OUTCOME_EVENTS: readonly string[] = Object.keys(SMS_STATUS);

/** Steps on the way, not outcomes: the final event follows. */
const SMS_IN_TRANSIT = new Set(['TEXT_QUEUED', 'TEXT_PENDING', 'TEXT_SENT']);

const malformed = (reason: string, payload: unknown): ParsedDelivery => ({
  type: 'malformed',
  reason,
  payload,
});

export function firstError(error: z.core.$ZodError, prefix: string): string {
  const [first] = toFieldErrors(error, prefix);
  return first ? `${first.field}: ${first.message}` : `${prefix}: not readable`;
}

function isoOf(...candidates: (string | number | undefined)[]): string | undefined {
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const at = new Date(candidate);
    if (!Number.isNaN(at.getTime())) return at.toISOString();
  }
  return undefined;
}

/** The delivery id a provider handed back, checked; `undefined` when the message carried none (staff copies). */
function deliveryIdFrom(value: string | undefined, field: string): { id?: string; error?: string } {
  if (value === undefined) return {};
  return DELIVERY_ID.test(value) ? { id: value } : { error: `${field}: is not a delivery id` };
}

/**
 * Reads one SES event from EventBridge's default bus (AWS's documented shape). The message is found by its
 * `delivery` tag; a bounce is `bounced` only when permanent (SES reports a soft bounce once it stopped
 * retrying: the message `failed`, the address may still work).
 */
export function parseSesEvent(payload: unknown): ParsedDelivery {
  const result = sesEventSchema.safeParse(payload);
  if (!result.success) return malformed(firstError(result.error, ''), payload);
  const { detail, time } = result.data;
  const tag = detail.mail.tags?.delivery?.[0];
  const { id, error } = deliveryIdFrom(tag, 'detail.mail.tags.delivery');
  if (error) return malformed(error, payload);

  let status: DeliveryEvent['status'];
  let described: string;
  let when: string | undefined;
  switch (detail.eventType) {
    case 'Delivery':
      status = 'delivered';
      described = 'Delivery';
      when = detail.delivery?.timestamp;
      break;
    case 'Bounce': {
      if (!detail.bounce) return malformed('detail.bounce: is missing from a Bounce event', payload);
      status = detail.bounce.bounceType === 'Permanent' ? 'bounced' : 'failed';
      described = `Bounce ${detail.bounce.bounceType}/${detail.bounce.bounceSubType ?? ''}`;
      when = detail.bounce.timestamp;
      break;
    }
    case 'Complaint':
      status = 'complained';
      described = `Complaint ${detail.complaint?.complaintFeedbackType ?? ''}`.trim();
      when = detail.complaint?.timestamp;
      break;
    case 'Reject':
      status = 'failed';
      described = `Reject ${detail.reject?.reason ?? ''}`.trim();
      break;
    case 'Rendering Failure':
      status = 'failed';
      described = 'Rendering Failure';
      break;
    case 'Send':
    case 'DeliveryDelay':
    case 'Open':
    case 'Click':
    case 'Subscription':
      return { type: 'ignored', reason: `SES ${detail.eventType} is not an outcome` };
    default:
      return malformed(
        `detail.eventType: ${JSON.stringify(detail.eventType).slice(0, 40)} is not an SES event type`,
        payload,
      );
  }
  if (!id) return { type: 'ignored', reason: 'no delivery id: not a message to a patient' };
  const at = isoOf(when, time, detail.mail.timestamp);
  if (!at) return malformed('detail: no readable timestamp', payload);
  return { type: 'event', event: { channel: 'email', deliveryId: id, status, at, detail: described } };
}

/** Reads one End User Messaging SMS event (the JSON in an SNS message); the message is found by `context.delivery`. */
export function parseSmsEvent(message: string): ParsedDelivery {
  let payload: unknown;
  try {
    payload = JSON.parse(message);
  } catch {
    return malformed('Message: is not JSON', message);
  }
  const result = smsEventSchema.safeParse(payload);
  if (!result.success) return malformed(firstError(result.error, 'Message'), payload);
  const { eventType, eventTimestamp, context, isFinal } = result.data;
  if (!eventType.startsWith('TEXT_'))
    return { type: 'ignored', reason: `${eventType.slice(0, 40)} is not an SMS event` };
  if (SMS_IN_TRANSIT.has(eventType)) return { type: 'ignored', reason: `${eventType} is not an outcome` };
  const status = SMS_STATUS[eventType];
  if (!status)
    return malformed(`Message.eventType: ${eventType.slice(0, 40)} is not an SMS event type`, payload);
  // A failure the carrier may still retry is not the message's fate: the final event follows.
  if (isFinal === false && status !== 'delivered') {
    return { type: 'ignored', reason: `${eventType} is not final` };
  }
  const { id, error } = deliveryIdFrom(context?.delivery, 'Message.context.delivery');
  if (error) return malformed(error, payload);
  if (!id) return { type: 'ignored', reason: 'no delivery id: not a message to a patient' };
  const at = isoOf(eventTimestamp);
  if (!at) return malformed('Message.eventTimestamp: is not a time', payload);
  return { type: 'event', event: { channel: 'sms', deliveryId: id, status, at, detail: eventType } };
}

const snsEnvelopeSchema = z.object({
  Records: z.array(z.object({ Sns: z.object({ Message: z.string() }) })),
});

/**
 * What the delivery-events function is invoked with: an SES event from the default bus, or an SNS
 * delivery of End User Messaging events (one or more records). Anything else is kept as malformed.
 */
export function parseDeliveryPayload(payload: unknown): ParsedDelivery[] {
  if (typeof payload === 'object' && payload !== null && 'Records' in payload) {
    const envelope = snsEnvelopeSchema.safeParse(payload);
    if (!envelope.success) return [malformed(firstError(envelope.error, ''), payload)];
    return envelope.data.Records.map((record) => parseSmsEvent(record.Sns.Message));
  }
  return [parseSesEvent(payload)];
}
