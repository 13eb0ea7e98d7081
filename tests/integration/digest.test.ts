import { describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoDigestQueue } from '../../shared/adapters/dynamodb/digest-queue';
import { DynamoMessageLog } from '../../shared/adapters/dynamodb/message-log';
import { DynamoMissedCheckinStore } from '../../shared/adapters/dynamodb/missed-checkin-store';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import { DynamoScreenerHistory } from '../../shared/adapters/dynamodb/screener-history';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import type { CheckinKind } from '../../shared/contracts/vocabulary';
import { type DigestDeps, sendReviewDigest } from '../../shared/domain/alerts/send-review-digest';
import { missedCheckins, recordMissedCheckins } from '../../shared/domain/checkins/missed-checkins';
import type { StoredReply } from '../../shared/domain/ports';
import { freshTable } from '../support/dynamo';
import { aBooking } from '../support/fixtures';

const config = parseClinicConfig({ ...clinicConfigInput, staff: { digestEmail: 'team@example-clinic.org' } });
// A session on Mon 3 Aug 2026 at 9:00 in New York; check-ins went at 14:00Z that day and the next.
const SAME_DAY_SENT = '2026-08-03T18:00:00.000Z';
const NEXT_DAY_SENT = '2026-08-04T14:00:00.000Z';

async function harness() {
  const { db, tableName } = await freshTable();
  const state = { now: '2026-08-05T12:00:00.000Z', ids: 0, mail: [] as { subject: string; text: string }[] };
  const stores = {
    bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone }),
    messageLog: new DynamoMessageLog(db, tableName),
    replies: new DynamoReplyStore(db, tableName),
    missed: new DynamoMissedCheckinStore(db, tableName),
    queue: new DynamoDigestQueue(db, tableName),
    screeners: new DynamoScreenerHistory(db, tableName),
  };
  const deps: DigestDeps = {
    config,
    clock: { now: () => state.now },
    ...stores,
    newId: () => `run-${++state.ids}`,
    mailer: {
      send: async (message) => {
        state.mail.push({ subject: message.subject, text: message.text });
        return { messageId: `m-${state.mail.length}` };
      },
    },
    linkBaseUrl: 'https://care.example-clinic.org',
    metrics: { count: () => {}, flush: () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  return { deps, stores, state };
}

type Stores = Awaited<ReturnType<typeof harness>>['stores'];

/** A booking whose same-day and next-day check-ins went out by email. */
async function bookingWithSentCheckins(deps: Stores, bookingId: string) {
  const planned = (kind: CheckinKind, at: string) => ({
    kind,
    plannedAt: at,
    at,
    status: 'scheduled' as const,
    channels: ['email' as const],
    version: 1,
  });
  await deps.bookings.save(
    {
      bookingId,
      version: 1,
      status: 'active',
      booking: aBooking({ bookingId, session: { startsAt: '2026-08-03T09:00:00-04:00' } }),
      plan: {
        'checkin-same-day': planned('checkin-same-day', SAME_DAY_SENT),
        'checkin-next-day': planned('checkin-next-day', NEXT_DAY_SENT),
      },
      revision: 1,
      updatedAt: '2026-08-01T00:00:00.000Z',
    },
    undefined,
  );
  for (const [kind, at] of [
    ['checkin-same-day', SAME_DAY_SENT],
    ['checkin-next-day', NEXT_DAY_SENT],
  ] as const) {
    const ref = { bookingId, kind, at };
    await deps.messageLog.claim(ref, 'email', { version: 1, now: at, expiresAt: at });
    await deps.messageLog.markSent(ref, 'email', { now: at, providerMessageId: `p-${kind}` });
  }
}

function reply(bookingId: string, n: number, changes: Partial<StoredReply>): StoredReply {
  return {
    replyId: `r-${n}`,
    bookingId,
    patientId: `p-${bookingId}`,
    kind: 'checkin-week',
    receivedAt: `2026-08-05T0${n}:00:00.000Z`,
    answers: { mood: 6, sideEffects: {}, selfHarm: 'no', wantsCall: false },
    triage: 'routine',
    rules: [],
    scores: {},
    ...changes,
  };
}

describe('missed check-ins', () => {
  it('counts a check-in missed 12 hours after it went, and not before, nor once answered', async () => {
    const h = await harness();
    await bookingWithSentCheckins(h.stores, 'mc-1');
    const record = await h.stores.bookings.get('mc-1');
    if (!record) throw new Error('no booking');
    const log = await h.stores.messageLog.list('mc-1');
    const at = (iso: string) => missedCheckins(record, log, new Set(), iso).map((m) => m.kind);
    expect(at('2026-08-04T06:00:00.000Z')).toEqual([]);
    expect(at('2026-08-04T06:00:01.000Z')).toEqual(['checkin-same-day']);
    expect(at('2026-08-05T02:00:01.000Z')).toEqual(['checkin-same-day', 'checkin-next-day']);
    expect(missedCheckins(record, log, new Set(['checkin-same-day']), '2026-08-05T03:00:00.000Z')).toEqual([
      { kind: 'checkin-next-day', sentAt: NEXT_DAY_SENT },
    ]);
  });

  it('records each missed check-in once, and marks the next-day one for review when both were missed', async () => {
    const h = await harness();
    await bookingWithSentCheckins(h.stores, 'mc-2');
    expect(await recordMissedCheckins(h.deps)).toBe(2);
    expect(await recordMissedCheckins(h.deps)).toBe(0);
    const missed = await h.deps.missed.listForBooking('mc-2');
    expect(missed.map((m) => [m.kind, m.bothEarlyMissed])).toEqual([
      ['checkin-next-day', true],
      ['checkin-same-day', false],
    ]);
  });
});

describe('the daily digest', () => {
  it('lists call requests, week totals with the change from the first, review replies and missed check-ins', async () => {
    const h = await harness();
    await bookingWithSentCheckins(h.stores, 'dg-1');
    await h.stores.screeners.add({
      patientId: 'p-dg-2',
      replyId: 'r-0',
      bookingId: 'dg-2',
      at: '2026-07-01T00:00:00.000Z',
      phq9: 8,
    });
    await h.stores.replies.record(
      reply('dg-2', 1, {
        triage: 'review',
        rules: ['phq9-rise'],
        scores: { phq9: { total: 14, band: 'moderate' }, gad7: { total: 3, band: 'minimal' } },
      }),
    );
    await h.stores.replies.record(
      reply('dg-3', 2, {
        kind: 'checkin-next-day',
        triage: 'review',
        rules: ['wants-call'],
        answers: { mood: 6, sideEffects: {}, selfHarm: 'no', wantsCall: true },
      }),
    );
    await h.stores.replies.record(
      reply('dg-4', 3, { kind: 'checkin-same-day', triage: 'review', rules: ['low-mood'] }),
    );
    await h.stores.replies.record(reply('dg-5', 4, { kind: 'checkin-same-day' }));

    expect(await sendReviewDigest(h.deps)).toEqual({ sent: true, entries: 5 });
    const [mail] = h.state.mail;
    expect(mail?.subject).toBe('Check-ins to follow up: 5 (Riverside Clinic, Wed 5 Aug)');
    expect(mail?.text).toContain('Call requests (1)');
    expect(mail?.text).toContain('PHQ-9 14 of 27 (moderate), +6 from the first');
    expect(mail?.text).toContain('Replies to review (1)');
    expect(mail?.text).toContain('Missed check-ins (2)');
    expect(mail?.text).toContain('missed the same-day check-in too: review');
    expect(mail?.text).not.toMatch(/phq9-rise|low-mood|wants-call|Rules/);
    expect(mail?.text).not.toContain('dg-5');
    // The next run has nothing new: no email.
    expect(await sendReviewDigest(h.deps)).toEqual({ sent: false, entries: 0 });
    expect(h.state.mail).toHaveLength(1);
  });

  it('never lists an entry twice when two runs overlap', async () => {
    const h = await harness();
    for (let n = 1; n <= 6; n++) {
      await h.stores.replies.record(
        reply(`ov-${n}`, n, { kind: 'checkin-same-day', triage: 'review', rules: ['note'] }),
      );
    }
    await Promise.all([sendReviewDigest(h.deps), sendReviewDigest(h.deps)]);
    const listed = h.state.mail.flatMap((mail) =>
      [...mail.text.matchAll(/Booking (ov-\d)/g)].map((m) => m[1]),
    );
    expect(listed.sort()).toEqual(['ov-1', 'ov-2', 'ov-3', 'ov-4', 'ov-5', 'ov-6']);
  });

  it('keeps the entries for the next digest when the email could not be sent', async () => {
    const h = await harness();
    await h.stores.replies.record(
      reply('fs-1', 1, { kind: 'checkin-same-day', triage: 'review', rules: ['note'] }),
    );
    const failing: DigestDeps = {
      ...h.deps,
      mailer: {
        send: async () => {
          throw Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' });
        },
      },
    };
    await expect(sendReviewDigest(failing)).rejects.toThrow('throttled');
    // The failed run's claim lapses after 15 minutes; the next digest carries the reply.
    h.state.now = '2026-08-05T12:16:00.000Z';
    expect(await sendReviewDigest(h.deps)).toEqual({ sent: true, entries: 1 });
  });
});
