import * as z from '../../contracts/zod';
import type { InboundSms } from '../../domain/messages/inbound-sms';
import { firstError } from './delivery-events';

/** A patient's text as the number's two-way channel publishes it to SNS (End User Messaging's documented shape). */
const inboundSchema = z.object({
  originationNumber: z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number')),
  destinationNumber: z.optional(z.string()),
  messageKeyword: z.optional(z.string()),
  messageBody: z.string().check(z.maxLength(5000)),
  inboundMessageId: z.string().check(z.minLength(1), z.maxLength(200)),
  previousPublishedMessageId: z.optional(z.string().check(z.maxLength(200))),
});

const envelopeSchema = z.object({
  Records: z.array(z.object({ Sns: z.object({ Message: z.string(), Timestamp: z.string() }) })),
});

export type ParsedInboundSms =
  | { type: 'text'; text: InboundSms }
  /** Kept with its reason: a text we cannot read may still be a patient asking for help. */
  | { type: 'malformed'; reason: string; payload: unknown };

const malformed = (reason: string, payload: unknown): ParsedInboundSms => ({
  type: 'malformed',
  reason,
  payload,
});

/** Reads the SNS delivery of one or more inbound texts; what cannot be read is kept with the field named. */
export function parseInboundSmsPayload(payload: unknown): ParsedInboundSms[] {
  const envelope = envelopeSchema.safeParse(payload);
  if (!envelope.success) return [malformed(firstError(envelope.error, ''), payload)];
  return envelope.data.Records.map(({ Sns }) => parseInboundSms(Sns.Message, Sns.Timestamp));
}

/** Reads one inbound text (the JSON in an SNS message); `timestamp` is SNS's, the same on a redelivery. */
export function parseInboundSms(message: string, timestamp: string): ParsedInboundSms {
  let payload: unknown;
  try {
    payload = JSON.parse(message);
  } catch {
    return malformed('Message: is not JSON', message);
  }
  const result = inboundSchema.safeParse(payload);
  if (!result.success) return malformed(firstError(result.error, 'Message'), payload);
  const at = new Date(timestamp);
  if (Number.isNaN(at.getTime())) return malformed('Timestamp: is not a time', payload);
  const { originationNumber, messageBody, inboundMessageId, previousPublishedMessageId } = result.data;
  return {
    type: 'text',
    text: {
      inboundId: inboundMessageId,
      from: originationNumber,
      body: messageBody,
      receivedAt: at.toISOString(),
      ...(previousPublishedMessageId ? { repliesTo: previousPublishedMessageId } : {}),
    },
  };
}
