import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPatientTextsHandler } from '../../functions/receive-patient-texts';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import type { ClinicConfig } from '../../shared/contracts/clinic-config';
import type { MessageKind } from '../../shared/contracts/vocabulary';
import { contactDigest } from '../../shared/domain/contacts';
import { deliverMessage } from '../../shared/domain/messages/deliver-message';
import { unknownSenderKey } from '../../shared/domain/messages/inbound-sms';
import {
  AddressRefusedError,
  type DeadLetter,
  type MessageRef,
  type OutgoingEmail,
  type OutgoingSms,
} from '../../shared/domain/ports';
import { shiftIso } from '../../shared/domain/time';
import { freshTable } from '../support/dynamo';
import { aBooking, aPlannedRecord } from '../support/fixtures';
import {
  CONFIG_WITH_FRONT_DESK,
  dynamoMessagingDeps,
  dynamoPatientTextDeps,
} from '../support/messaging-deps';

const START = '2026-11-02T16:00:00.000Z';
const baseConfig = CONFIG_WITH_FRONT_DESK;
let db: Awaited<ReturnType<typeof freshTable>>['db'];
let tableName: string;
let counter = 0;

beforeAll(async () => {
  ({ db, tableName } = await freshTable());
});

/** The patient-texts function on dynalite, with the real send path to text patients first. */
function harness(config: ClinicConfig = baseConfig) {
  let now = START;
  const kept: DeadLetter[] = [];
  const emails: OutgoingEmail[] = [];
  const texts: OutgoingSms[] = [];
  const optedOut = new Set<string>();
  const messaging = dynamoMessagingDeps({
    db,
    tableName,
    config,
    clock: { now: () => now },
    mailer: { send: async (email: OutgoingEmail) => ({ messageId: `e-${emails.push(email)}` }) },
    sms: {
      send: async (text: OutgoingSms) => {
        if (optedOut.has(text.to))
          throw new AddressRefusedError('opted-out', 'ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT');
        return { messageId: `provider-${texts.push(text)}` };
      },
    },
  });
  const { bookings, notices } = messaging;
  const deps = dynamoPatientTextDeps(messaging, {
    db,
    tableName,
    newId: () => `id-${++counter}`,
    deadLetters: { keep: async (letter) => void kept.push(letter) },
  });
  const replies = new DynamoReplyStore(db, tableName);
  const receive = createPatientTextsHandler(deps);

  /** A stored booking whose `kind` went to the patient's phone through the real send path. */
  async function texted(
    kind: MessageKind = 'checkin-same-day',
    phone = `+1555${String(++counter).padStart(7, '0')}`,
  ) {
    const bookingId = `bk-texts-${++counter}`;
    const booking = aBooking({ bookingId, patient: { id: `pt-${bookingId}`, phone } });
    const record = aPlannedRecord(booking, START);
    await bookings.save(record, undefined);
    const ref: MessageRef = { bookingId, kind, at: record.plan[kind]?.plannedAt ?? '' };
    await deliverMessage(messaging, ref, record);
    const sentText = texts.findLast((text) => text.bookingId === bookingId && text.to === phone);
    if (!sentText) throw new Error(`${kind} went by no SMS`);
    return { bookingId, booking, phone, providerId: `provider-${texts.indexOf(sentText) + 1}` };
  }

  let inbound = 0;
  /** A text as the two-way SNS topic hands it over; `id` repeats a delivery. */
  const text = (from: string, body: string, opts: { id?: string; repliesTo?: string } = {}) =>
    receive({
      Records: [
        {
          Sns: {
            Message: JSON.stringify({
              originationNumber: from,
              destinationNumber: '+18005550100',
              messageKeyword: 'KEYWORD_1',
              messageBody: body,
              inboundMessageId: opts.id ?? `in-${++inbound}-${counter}`,
              ...(opts.repliesTo ? { previousPublishedMessageId: opts.repliesTo } : {}),
            }),
            Timestamp: now,
          },
        },
      ],
    });

  const autoReplies = (phone: string) =>
    texts.filter((sent) => sent.to === phone && sent.kind === 'text-auto-reply');

  const storedTexts = async (phone: string) =>
    (
      await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :text)',
          ExpressionAttributeValues: { ':pk': `PHONE#${contactDigest('sms', phone)}`, ':text': 'TEXT#' },
        }),
      )
    ).Items ?? [];

  const markOf = async (patientId: string, phone: string) =>
    (
      await db.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `PATIENT#${patientId}`, sk: `CONTACT#${contactDigest('sms', phone)}` },
        }),
      )
    ).Item;

  return {
    deps,
    kept,
    emails,
    texts,
    optedOut,
    replies,
    notices,
    texted,
    text,
    autoReplies,
    storedTexts,
    markOf,
    advance: (hours: number) => {
      now = shiftIso(now, { hours });
    },
  };
}

describe("a patient's text to the clinic's number", () => {
  it('is listed for review on the booking of the message it answers, and answered once a day', async () => {
    const h = harness();
    const { bookingId, phone } = await h.texted();
    expect(await h.text(phone, 'I feel awful')).toEqual(['review']);
    const [reply] = (await h.replies.listForBooking(bookingId)).filter((r) => r.kind === 'text');
    expect(reply).toMatchObject({
      triage: 'review',
      rules: ['text-message'],
      answers: { note: 'I feel awful' },
    });
    expect((await h.replies.listToReview(500)).map((r) => r.replyId)).toContain(reply?.replyId);
    expect(h.autoReplies(phone)).toHaveLength(1);
    expect(h.autoReplies(phone)[0]?.text).toContain('988');

    h.advance(23);
    expect(await h.text(phone, 'still awful')).toEqual(['review']);
    expect(h.autoReplies(phone)).toHaveLength(1);
    h.advance(1);
    expect(await h.text(phone, 'hello?')).toEqual(['review']);
    expect(h.autoReplies(phone)).toHaveLength(2);
    // Every text is stored by the phone's digest, never by the number.
    const stored = await h.storedTexts(phone);
    expect(stored.map((item) => item.body)).toEqual(['I feel awful', 'still awful', 'hello?']);
    expect(JSON.stringify(stored)).not.toContain(phone);
  });

  it('with an urgent phrase owes a staff alert, and is answered with the crisis lines every time', async () => {
    const h = harness();
    const { bookingId, phone } = await h.texted();
    expect(await h.text(phone, 'honestly I want to kill myself')).toEqual(['urgent']);
    expect(await h.text(phone, 'I want to kill myself')).toEqual(['urgent']);
    const urgent = (await h.replies.listForBooking(bookingId)).filter((r) => r.triage === 'urgent');
    expect(urgent).toHaveLength(2);
    // The first owes the alert; the second joins it rather than starting another escalation chain.
    expect(urgent.every((r) => r.alertId !== undefined && r.kind === 'text')).toBe(true);
    expect(urgent.some((r) => r.joinsAlertId !== undefined)).toBe(true);
    expect(urgent[0]?.rules).toEqual(['text-urgent-phrase']);
    expect(h.autoReplies(phone)).toHaveLength(2);
  });

  it('finds the message it names before the latest one sent to that phone', async () => {
    const h = harness();
    const first = await h.texted('checkin-same-day');
    const second = await h.texted('checkin-same-day', first.phone);
    await h.text(first.phone, 'about the first one', { repliesTo: first.providerId });
    await h.text(first.phone, 'no idea which one');
    expect((await h.replies.listForBooking(first.bookingId)).map((r) => r.answers.note)).toContain(
      'about the first one',
    );
    expect((await h.replies.listForBooking(second.bookingId)).map((r) => r.answers.note)).toEqual([
      'no idea which one',
    ]);
  });

  it('published twice (another SNS time) is stored as one reply', async () => {
    const h = harness();
    const { bookingId, phone } = await h.texted();
    await h.text(phone, 'I feel awful', { id: 'published-twice' });
    h.advance(0.01);
    await h.text(phone, 'I feel awful', { id: 'published-twice' });
    expect((await h.replies.listForBooking(bookingId)).filter((r) => r.kind === 'text')).toHaveLength(1);
  });

  it('delivered twice is stored once and answered once', async () => {
    const h = harness();
    const { bookingId, phone } = await h.texted();
    await h.text(phone, 'I want to kill myself', { id: 'same-text' });
    await h.text(phone, 'I want to kill myself', { id: 'same-text' });
    expect(await h.replies.listForBooking(bookingId)).toHaveLength(1);
    expect(await h.storedTexts(phone)).toHaveLength(1);
    // An urgent text is answered every time it arrives; the same delivery twice is still one text, one alert.
    expect((await h.replies.listForBooking(bookingId))[0]?.alertId).toBeDefined();
  });

  it('STOP records the opt-out on the patient and tells the front desk once; START clears it', async () => {
    const h = harness();
    const { bookingId, booking, phone } = await h.texted('prep-reminder');
    expect(await h.text(phone, 'STOP')).toEqual(['opted-out']);
    expect(await h.text(phone, 'stop')).toEqual(['opted-out']);
    expect(await h.markOf(booking.patient.id, phone)).toMatchObject({ status: 'opted-out', channel: 'sms' });
    const notices = (await h.notices.open(500)).filter((n) => n.bookingId === bookingId);
    expect(notices.map((n) => [n.reason, n.kind])).toEqual([['sms-opted-out', 'prep-reminder']]);
    expect(h.emails.filter((e) => e.kind === 'front-desk-notice')).toHaveLength(1);
    // A keyword is not a message to the clinic: no reply, no auto-reply.
    expect(await h.replies.listForBooking(bookingId)).toEqual([]);
    expect(h.autoReplies(phone)).toEqual([]);

    h.advance(1);
    expect(await h.text(phone, 'START')).toEqual(['opted-in']);
    expect(await h.markOf(booking.patient.id, phone)).toMatchObject({ status: 'reachable' });
    // A STOP delivered again late (a retry) does not undo the later START.
    h.advance(-1);
    await h.text(phone, 'STOP', { id: 'late-stop' });
    expect(await h.markOf(booking.patient.id, phone)).toMatchObject({ status: 'reachable' });
  });

  it('takes QUIT as a message on a toll-free number and as an opt-out on a 10DLC one', async () => {
    const tollFree = harness();
    const a = await tollFree.texted();
    expect(await tollFree.text(a.phone, 'QUIT')).toEqual(['review']);
    const tenDlc = harness({ ...baseConfig, sms: { ...baseConfig.sms, numberType: '10dlc' } });
    const b = await tenDlc.texted();
    expect(await tenDlc.text(b.phone, 'QUIT')).toEqual(['opted-out']);
  });

  it('HELP is left to the number, which answers it: nothing stored on the booking, nothing sent', async () => {
    const h = harness();
    const { bookingId, phone } = await h.texted();
    expect(await h.text(phone, 'HELP')).toEqual(['help']);
    expect(await h.replies.listForBooking(bookingId)).toEqual([]);
    expect(h.autoReplies(phone)).toEqual([]);
    expect((await h.storedTexts(phone)).map((item) => item.intent)).toEqual(['help']);
  });

  it('from a phone we never texted is kept with the number to call back, listed for review, and answered', async () => {
    const h = harness();
    expect(await h.text('+15550009999', 'who is this?')).toEqual(['unmatched']);
    expect(h.autoReplies('+15550009999')).toHaveLength(1);
    expect(await h.storedTexts('+15550009999')).toHaveLength(1);
    const key = unknownSenderKey(contactDigest('sms', '+15550009999'));
    const [reply] = await h.replies.listForBooking(key);
    expect(reply).toMatchObject({ kind: 'text', triage: 'review', from: '+15550009999' });
    expect((await h.replies.listToReview(500)).map((r) => r.replyId)).toContain(reply?.replyId);
  });

  it('from a phone we never texted, with an urgent phrase, still owes a staff alert, with the number to call', async () => {
    const h = harness();
    // A patient texting from a relative's phone.
    expect(await h.text('+15550008888', 'I want to kill myself')).toEqual(['urgent']);
    const key = unknownSenderKey(contactDigest('sms', '+15550008888'));
    const [reply] = await h.replies.listForBooking(key);
    expect(reply).toMatchObject({ triage: 'urgent', from: '+15550008888', rules: ['text-urgent-phrase'] });
    expect(reply?.alertId).toBeDefined();
    expect(h.autoReplies('+15550008888')[0]?.text).toContain('988');
  });

  it('sends no auto-reply to a phone on the opt-out list, and loses nothing', async () => {
    const h = harness();
    const { bookingId, phone } = await h.texted();
    h.optedOut.add(phone);
    expect(await h.text(phone, 'I feel awful')).toEqual(['review']);
    expect(h.autoReplies(phone)).toEqual([]);
    expect(await h.replies.listForBooking(bookingId)).toHaveLength(1);
  });

  it('gives the auto-reply claim back when the send fails, so the retry answers', async () => {
    const h = harness();
    const { phone } = await h.texted();
    const send = h.deps.sms.send;
    h.deps.sms.send = async () => {
      throw new Error('ThrottlingException');
    };
    await expect(h.text(phone, 'anyone there?', { id: 'retried' })).rejects.toThrow('ThrottlingException');
    h.deps.sms.send = send;
    expect(await h.text(phone, 'anyone there?', { id: 'retried' })).toEqual(['review']);
    expect(h.autoReplies(phone)).toHaveLength(1);
  });

  it('keeps a text it cannot read with the field named', async () => {
    const h = harness();
    const handler = createPatientTextsHandler(h.deps);
    expect(
      await handler({ Records: [{ Sns: { Message: '{"messageBody":"help me"}', Timestamp: START } }] }),
    ).toEqual(['kept']);
    expect(h.kept).toEqual([
      expect.objectContaining({
        source: 'patient-texts',
        reason: expect.stringContaining('Message.originationNumber'),
        detail: { messageBody: 'help me' },
      }),
    ]);
  });
});
