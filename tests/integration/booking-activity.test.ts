import { describe, expect, it } from 'vitest';
import { DynamoBookingActivity } from '../../shared/adapters/dynamodb/booking-activity';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoMessageLog } from '../../shared/adapters/dynamodb/message-log';
import { DynamoMissedCheckinStore } from '../../shared/adapters/dynamodb/missed-checkin-store';
import { DynamoNoticeStore } from '../../shared/adapters/dynamodb/notice-store';
import { DynamoReadinessStore } from '../../shared/adapters/dynamodb/readiness-store';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import type { StoredReply } from '../../shared/domain/ports';
import { freshTable } from '../support/dynamo';
import { aBooking } from '../support/fixtures';

describe("a booking's activity in one query (dynalite)", () => {
  it('reads exactly what the message log and the reply store read, and nothing else of the partition', async () => {
    const { db, tableName } = await freshTable();
    const bookings = new DynamoBookingStore(db, tableName);
    const messageLog = new DynamoMessageLog(db, tableName);
    const replies = new DynamoReplyStore(db, tableName);
    const missed = new DynamoMissedCheckinStore(db, tableName);
    await bookings.save(
      {
        bookingId: 'ba-1',
        version: 1,
        status: 'active',
        booking: aBooking({ bookingId: 'ba-1' }),
        plan: {},
        revision: 1,
        updatedAt: '2026-08-01T10:00:00.000Z',
      },
      undefined,
    );
    const at = '2026-08-01T12:00:00.000Z';
    const ref = { bookingId: 'ba-1', kind: 'prep-instructions' as const, at };
    await messageLog.claim(ref, 'email', { version: 1, now: at, expiresAt: '2026-08-01T12:05:00.000Z' });
    await messageLog.markSent(ref, 'email', { now: at, providerMessageId: 'm-1' });
    await messageLog.recordSkip(
      { bookingId: 'ba-1', kind: 'prep-day-of', at },
      { version: 1, now: at, reason: 'quiet-hours' },
    );
    const reply: StoredReply = {
      replyId: 'rp-1',
      bookingId: 'ba-1',
      kind: 'checkin-same-day',
      receivedAt: '2026-08-01T18:00:00.000Z',
      answers: { mood: 7, sideEffects: {}, selfHarm: 'no', wantsCall: false },
      triage: 'review',
      rules: ['low-mood'],
      scores: {},
    };
    await replies.record(reply);
    // A missed check-in sorts before the messages: it must not be read as one.
    await missed.record({
      bookingId: 'ba-1',
      patientId: 'pt-0001',
      kind: 'checkin-next-day',
      sentAt: at,
      missedAt: '2026-08-03T12:00:00.000Z',
      recordedAt: '2026-08-03T12:01:00.000Z',
      bothEarlyMissed: false,
    });

    // A readiness answer and a notice sort between the messages and the replies.
    const readiness = new DynamoReadinessStore(db, tableName);
    await readiness.record('ba-1', { via: 'sms', at, ready: true });
    await new DynamoNoticeStore(db, tableName).raise({
      noticeId: 'ba-1/readiness-missing',
      bookingId: 'ba-1',
      reason: 'readiness-missing',
      kind: 'prep-reminder',
      at,
      state: 'open',
    });

    const activity = await new DynamoBookingActivity(db, tableName).activityOf('ba-1');
    expect(activity.log).toEqual(await messageLog.list('ba-1'));
    expect(activity.log).toHaveLength(2);
    expect(activity.replies).toEqual(await replies.listForBooking('ba-1'));
    expect(activity.replies.map((r) => r.replyId)).toEqual(['rp-1']);
    expect(activity.readiness).toEqual(await readiness.answersOf('ba-1'));
    expect(activity.readiness).toHaveLength(1);
    expect(await new DynamoBookingActivity(db, tableName).activityOf('ba-none')).toEqual({
      log: [],
      replies: [],
      readiness: [],
    });
  });
});
