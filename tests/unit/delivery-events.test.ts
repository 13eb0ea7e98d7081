import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseDeliveryPayload,
  parseSesEvent,
  parseSmsEvent,
} from '../../shared/adapters/aws/delivery-events';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../shared/contracts/delivery';
import { deliveryRank } from '../../shared/domain/messages/delivery-status';

const ID = 'd_abcdefghijklmnopqrstuv';

/** An SES event on the default bus, in the shape AWS documents (Email Bounced and friends). */
function sesEvent(detail: Record<string, unknown>, tags: Record<string, string[]> = { delivery: [ID] }) {
  return {
    version: '0',
    id: 'f1a2b3c4-0000-4000-8000-000000000000',
    'detail-type': 'Email Bounced',
    source: 'aws.ses',
    account: '123456789012',
    time: '2026-11-29T15:00:05Z',
    region: 'us-east-1',
    resources: ['arn:aws:ses:us-east-1:123456789012:configuration-set/clinic'],
    detail: {
      mail: {
        timestamp: '2026-11-29T15:00:00.000Z',
        source: 'clinic@example.org',
        sendingAccountId: '123456789012',
        messageId: '0100018c-ses-message-id',
        destination: ['ana@example.org'],
        headersTruncated: false,
        tags: { 'ses:configuration-set': ['clinic'], 'ses:from-domain': ['example.org'], ...tags },
      },
      ...detail,
    },
  };
}

/** An End User Messaging SMS event as AWS documents it, with our `context`. */
function smsEvent(
  eventType: string,
  context: Record<string, string> | null = { delivery: ID, kind: 'checkin-same-day' },
) {
  return JSON.stringify({
    eventType,
    eventVersion: '1.0',
    eventTimestamp: 1_795_964_405_000,
    isFinal: true,
    originationPhoneNumber: '+12065550152',
    destinationPhoneNumber: '+14255550156',
    isInternationalSend: false,
    mcc: '310',
    mnc: '800',
    messageId: '862a8790-60c0-4430-9b2b-658bdexample',
    messageRequestTimestamp: 1_795_964_400_000,
    messageEncoding: 'GSM',
    messageType: 'TRANSACTIONAL',
    messageStatus: eventType.replace('TEXT_', ''),
    messageStatusDescription: 'Message has been accepted by phone carrier',
    ...(context ? { context } : {}),
    totalMessageParts: 1,
    totalMessagePrice: 0.00581,
    totalCarrierFee: 0.00302,
  });
}

describe('SES events from the default bus', () => {
  it('reads a permanent bounce as bounced, at the bounce time, with no address in the detail', () => {
    const parsed = parseSesEvent(
      sesEvent({
        eventType: 'Bounce',
        bounce: {
          feedbackId: 'feedback',
          bounceType: 'Permanent',
          bounceSubType: 'NoEmail',
          bouncedRecipients: [{ emailAddress: 'ana@example.org', action: 'failed', status: '5.1.1' }],
          timestamp: '2026-11-29T15:00:03.000Z',
        },
      }),
    );
    expect(parsed).toEqual({
      type: 'event',
      event: {
        channel: 'email',
        deliveryId: ID,
        status: 'bounced',
        at: '2026-11-29T15:00:03.000Z',
        detail: 'Bounce Permanent/NoEmail',
      },
    });
    expect(JSON.stringify(parsed)).not.toContain('ana@');
  });

  it('reads a soft bounce (SES gave up retrying) as failed: the address may still work', () => {
    const parsed = parseSesEvent(
      sesEvent({ eventType: 'Bounce', bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull' } }),
    );
    expect(parsed.type === 'event' && parsed.event.status).toBe('failed');
    // No timestamp on the bounce: the event's own time.
    expect(parsed.type === 'event' && parsed.event.at).toBe('2026-11-29T15:00:05.000Z');
  });

  it.each([
    [
      { eventType: 'Delivery', delivery: { timestamp: '2026-11-29T15:00:02.000Z', recipients: [] } },
      'delivered',
    ],
    [
      {
        eventType: 'Complaint',
        complaint: { complaintFeedbackType: 'abuse', timestamp: '2026-11-29T16:00:00Z' },
      },
      'complained',
    ],
    [{ eventType: 'Reject', reject: { reason: 'Bad content' } }, 'failed'],
    [{ eventType: 'Rendering Failure', failure: { errorMessage: 'x', templateName: 't' } }, 'failed'],
  ])('reads %o as %s', (detail, status) => {
    const parsed = parseSesEvent(sesEvent(detail));
    expect(parsed.type === 'event' && parsed.event.status).toBe(status);
  });

  it.each(['Send', 'DeliveryDelay', 'Open', 'Click', 'Subscription'])(
    'ignores %s: not an outcome',
    (eventType) => {
      expect(parseSesEvent(sesEvent({ eventType })).type).toBe('ignored');
    },
  );

  it('ignores an outcome of a message without a delivery tag (a copy to staff)', () => {
    expect(parseSesEvent(sesEvent({ eventType: 'Delivery' }, {}))).toEqual({
      type: 'ignored',
      reason: 'no delivery id: not a message to a patient',
    });
  });

  it.each([
    [
      'a tag that is not a delivery id',
      sesEvent({ eventType: 'Delivery' }, { delivery: ['bk-1'] }),
      'detail.mail.tags.delivery',
    ],
    ['no mail object', { source: 'aws.ses', detail: { eventType: 'Delivery' } }, 'detail.mail'],
    ['another source', { ...sesEvent({ eventType: 'Delivery' }), source: 'aws.sns' }, 'source'],
    ['an unknown event type', sesEvent({ eventType: 'Teleported' }), 'detail.eventType'],
    ['a Bounce without its bounce', sesEvent({ eventType: 'Bounce' }), 'detail.bounce'],
    [
      'no readable time',
      {
        source: 'aws.ses',
        time: 'soon',
        detail: { eventType: 'Reject', mail: { timestamp: 'never', tags: { delivery: [ID] } } },
      },
      'timestamp',
    ],
  ])('keeps %s as malformed, naming the field', (_, payload, field) => {
    const parsed = parseSesEvent(payload);
    expect(parsed.type).toBe('malformed');
    expect(parsed.type === 'malformed' && parsed.reason).toContain(field);
    expect(parsed.type === 'malformed' && parsed.payload).toBe(payload);
  });
});

describe('End User Messaging SMS events through SNS', () => {
  it.each([
    ['TEXT_DELIVERED', 'delivered'],
    ['TEXT_SUCCESSFUL', 'delivered'],
    ['TEXT_BLOCKED', 'blocked'],
    ['TEXT_CARRIER_BLOCKED', 'blocked'],
    ['TEXT_PROTECT_BLOCKED', 'blocked'],
    ['TEXT_UNREACHABLE', 'unreachable'],
    ['TEXT_CARRIER_UNREACHABLE', 'unreachable'],
    ['TEXT_INVALID', 'unreachable'],
    ['TEXT_SPAM', 'spam'],
    ['TEXT_TTL_EXPIRED', 'expired'],
    ['TEXT_INVALID_MESSAGE', 'failed'],
    ['TEXT_UNKNOWN', 'failed'],
  ])('reads %s as %s, at the event time, without the phone', (eventType, status) => {
    const parsed = parseSmsEvent(smsEvent(eventType));
    expect(parsed).toEqual({
      type: 'event',
      event: {
        channel: 'sms',
        deliveryId: ID,
        status,
        at: new Date(1_795_964_405_000).toISOString(),
        detail: eventType,
      },
    });
    expect(JSON.stringify(parsed)).not.toContain('+1425');
  });

  it.each(['TEXT_QUEUED', 'TEXT_PENDING', 'TEXT_SENT', 'VOICE_COMPLETED', 'MEDIA_DELIVERED'])(
    'ignores %s',
    (type) => {
      expect(parseSmsEvent(smsEvent(type)).type).toBe('ignored');
    },
  );

  it('ignores a failure the carrier may still retry (isFinal false), but takes a delivery as it comes', () => {
    const temporary = JSON.parse(smsEvent('TEXT_CARRIER_UNREACHABLE')) as Record<string, unknown>;
    expect(parseSmsEvent(JSON.stringify({ ...temporary, isFinal: false }))).toEqual({
      type: 'ignored',
      reason: 'TEXT_CARRIER_UNREACHABLE is not final',
    });
    const successful = JSON.parse(smsEvent('TEXT_SUCCESSFUL')) as Record<string, unknown>;
    expect(parseSmsEvent(JSON.stringify({ ...successful, isFinal: false })).type).toBe('event');
  });

  it('ignores an outcome of a text without our context (a copy to staff)', () => {
    expect(parseSmsEvent(smsEvent('TEXT_DELIVERED', null)).type).toBe('ignored');
  });

  it.each([
    ['not JSON', '{"eventType":', 'Message'],
    [
      'no timestamp',
      JSON.stringify({ eventType: 'TEXT_DELIVERED', context: { delivery: ID } }),
      'Message.eventTimestamp',
    ],
    ['a new TEXT_ type', smsEvent('TEXT_TELEPORTED'), 'Message.eventType'],
    [
      'a context that is not ours',
      smsEvent('TEXT_BLOCKED', { delivery: 'nope' }),
      'Message.context.delivery',
    ],
  ])('keeps %s as malformed, naming the field', (_, message, field) => {
    const parsed = parseSmsEvent(message);
    expect(parsed.type).toBe('malformed');
    expect(parsed.type === 'malformed' && parsed.reason).toContain(field);
  });

  it('reads every record of an SNS delivery, and keeps an envelope it cannot read', () => {
    const envelope = {
      Records: [
        { EventSource: 'aws:sns', Sns: { Message: smsEvent('TEXT_DELIVERED') } },
        { EventSource: 'aws:sns', Sns: { Message: smsEvent('TEXT_PENDING') } },
      ],
    };
    expect(parseDeliveryPayload(envelope).map((p) => p.type)).toEqual(['event', 'ignored']);
    const broken = parseDeliveryPayload({ Records: [{ Sns: {} }] });
    expect(broken).toHaveLength(1);
    expect(broken[0]?.type === 'malformed' && broken[0].reason).toContain('Records.0.Sns.Message');
  });

  it('takes anything else for an SES event, and keeps what is not one', () => {
    expect(parseDeliveryPayload(sesEvent({ eventType: 'Delivery' }))[0]?.type).toBe('event');
    expect(parseDeliveryPayload('hello')[0]?.type).toBe('malformed');
  });
});

describe('which status stands', () => {
  const statuses = fc.constantFrom(...DELIVERY_STATUSES);

  it('is the same whatever order the events come in', () => {
    fc.assert(
      fc.property(fc.array(statuses, { minLength: 1, maxLength: 8 }), fc.context(), (events, ctx) => {
        const standing = (order: DeliveryStatus[]) =>
          order.reduce((kept, next) => (deliveryRank(next) >= deliveryRank(kept) ? next : kept));
        const reversed = [...events].reverse();
        ctx.log(`${events} -> ${standing(events)}`);
        expect(standing(events)).toBe(standing(reversed));
      }),
    );
  });

  it('puts a failure above a delivery and a complaint or an opt-out above everything', () => {
    expect(deliveryRank('expired')).toBeGreaterThan(deliveryRank('delivered'));
    expect(deliveryRank('delivered')).toBeGreaterThan(deliveryRank('sent'));
    for (const status of DELIVERY_STATUSES.filter(
      (s) => s !== 'complained' && s !== 'opted-out' && s !== 'bounced',
    )) {
      expect(deliveryRank('complained')).toBeGreaterThan(deliveryRank(status));
      expect(deliveryRank('opted-out')).toBeGreaterThan(deliveryRank(status));
    }
    expect(new Set(DELIVERY_STATUSES.map(deliveryRank)).size).toBe(DELIVERY_STATUSES.length);
  });
});
