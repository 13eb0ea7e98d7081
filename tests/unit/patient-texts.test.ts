import { describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { parseInboundSms, parseInboundSmsPayload } from '../../shared/adapters/aws/inbound-sms';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import { isSingleGsm7Segment } from '../../shared/domain/messages/gsm7';
import { autoReplyText, helpKeywordText, intentOf } from '../../shared/domain/messages/inbound-sms';

const config = parseClinicConfig(clinicConfigInput);
/** The longest clinic phone config allows. */
const LONGEST_PHONE = '+1 (555) 555-0100 ext. 1234599';

describe('what a text to the clinic number means', () => {
  it.each([
    ['STOP', 'opt-out'],
    [' stop. ', 'opt-out'],
    ['Start', 'opt-in'],
    ['UNSTOP', 'opt-in'],
    ['HELP', 'help'],
    ['ayuda', 'help'],
    ['I feel awful', 'message'],
    ['stop texting me please', 'message'],
    ['please stop', 'message'],
  ])('on a toll-free number, %j is %s', (body, type) => {
    expect(intentOf(body, 'toll-free').type).toBe(type);
  });

  it.each(['YES', 'yes!', 'Y', 'si', 'SÍ', 'Sí.'])('%j answers the readiness question with yes', (body) => {
    expect(intentOf(body, 'toll-free')).toEqual({ type: 'readiness', ready: true });
  });

  it.each(['NO', 'no.', ' No '])('%j answers it with no', (body) => {
    expect(intentOf(body, 'toll-free')).toEqual({ type: 'readiness', ready: false });
  });

  it('takes only STOP as an opt-out on a toll-free number, the whole default list on 10DLC', () => {
    for (const word of ['QUIT', 'CANCEL', 'UNSUBSCRIBE', 'END', 'OPT-OUT']) {
      expect(intentOf(word, 'toll-free').type, word).toBe('message');
      expect(intentOf(word, '10dlc').type, word).toBe('opt-out');
    }
    expect(intentOf('UNSTOP', '10dlc').type).toBe('message');
  });
});

describe('what the clinic number answers', () => {
  const withPhone = (phone: string) => ({ ...config, clinic: { ...config.clinic, phone } });

  it.each(['en', 'es'] as const)(
    'the %s auto-reply names 911, 988 and the clinic phone in one segment',
    (language) => {
      for (const phone of [config.clinic.phone, LONGEST_PHONE]) {
        const text = autoReplyText(withPhone(phone), language);
        expect(text).toContain('911');
        expect(text).toContain('988');
        expect(text).toContain(phone);
        expect(isSingleGsm7Segment(text), text).toBe(true);
      }
    },
  );

  it('says what carriers require in the HELP answer', () => {
    const text = helpKeywordText(withPhone(LONGEST_PHONE));
    expect(text).toContain(config.clinic.smsName ?? config.clinic.name);
    expect(text).toContain(LONGEST_PHONE);
    expect(text).toContain('Msg & data rates may apply.');
    expect(text).toContain('Reply STOP to opt out.');
    expect(isSingleGsm7Segment(text), text).toBe(true);
  });
});

describe('reading inbound texts in AWS shapes', () => {
  /** End User Messaging's documented two-way payload. */
  const documented = {
    originationNumber: '+14255550182',
    destinationNumber: '+12125550101',
    messageKeyword: 'JOIN',
    messageBody: 'EXAMPLE',
    inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
    previousPublishedMessageId: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };
  const TIMESTAMP = '2026-11-30T09:00:00.123Z';
  const snsOf = (...messages: string[]) => ({
    Records: messages.map((Message) => ({
      EventSource: 'aws:sns',
      Sns: { Type: 'Notification', MessageId: 'm', TopicArn: 'arn:t', Message, Timestamp: TIMESTAMP },
    })),
  });

  it('reads the documented payload: the sender, the body, the id, the message it answers, SNS time', () => {
    expect(parseInboundSmsPayload(snsOf(JSON.stringify(documented)))).toEqual([
      {
        type: 'text',
        text: {
          inboundId: documented.inboundMessageId,
          from: documented.originationNumber,
          body: 'EXAMPLE',
          repliesTo: documented.previousPublishedMessageId,
          receivedAt: TIMESTAMP,
        },
      },
    ]);
  });

  it('reads a text that answers no message in particular', () => {
    const { previousPublishedMessageId: _, ...bare } = documented;
    const [parsed] = parseInboundSmsPayload(snsOf(JSON.stringify(bare)));
    expect(parsed?.type).toBe('text');
    expect(parsed?.type === 'text' && 'repliesTo' in parsed.text).toBe(false);
  });

  it.each([
    ['not JSON', 'hello', 'Message: is not JSON'],
    [
      'no sender',
      JSON.stringify({ ...documented, originationNumber: undefined }),
      'Message.originationNumber',
    ],
    ['a sender that is no phone', JSON.stringify({ ...documented, originationNumber: 'FRIEND' }), 'E.164'],
    ['no body', JSON.stringify({ ...documented, messageBody: 7 }), 'Message.messageBody'],
    ['no id', JSON.stringify({ ...documented, inboundMessageId: '' }), 'Message.inboundMessageId'],
  ])('keeps a text with %s, naming the field', (_, message, reason) => {
    const [parsed] = parseInboundSmsPayload(snsOf(message));
    expect(parsed?.type).toBe('malformed');
    expect(parsed?.type === 'malformed' && parsed.reason).toContain(reason);
    // The payload is kept whole, for a person to read.
    expect(parsed?.type === 'malformed' && parsed.payload).toBeTruthy();
  });

  it('keeps a delivery that is no SNS event, and one with an unreadable time', () => {
    const [notSns] = parseInboundSmsPayload({ hello: 'world' });
    expect(notSns).toMatchObject({ type: 'malformed', reason: expect.stringContaining('Records') });
    expect(parseInboundSms(JSON.stringify(documented), 'yesterday')).toMatchObject({
      type: 'malformed',
      reason: 'Timestamp: is not a time',
    });
  });

  it('reads each record of a batch on its own: one bad text does not lose the others', () => {
    const parsed = parseInboundSmsPayload(snsOf('{', JSON.stringify(documented)));
    expect(parsed.map((p) => p.type)).toEqual(['malformed', 'text']);
  });
});
