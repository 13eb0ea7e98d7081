import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoLinkStore } from '../../shared/adapters/dynamodb/link-store';
import { DynamoMessageLog } from '../../shared/adapters/dynamodb/message-log';
import type { BookingRecord } from '../../shared/domain/booking-record';
import { deliveryIdOf } from '../../shared/domain/messages/delivery-id';
import type { LinkRecord, MessageRef } from '../../shared/domain/ports';
import { freshTable } from '../support/dynamo';
import { aBooking, aPlannedRecord } from '../support/fixtures';

const NOW = '2026-10-27T14:00:00.000Z';
const LATER = '2026-10-27T14:01:00.000Z';
const CLAIM_EXPIRES = '2026-10-27T14:05:00.000Z';
const AFTER_EXPIRY = '2026-10-27T14:06:00.000Z';

let db: DynamoDBDocumentClient;
let tableName: string;
let counter = 0;
/** A booking id of its own for each test, so tests share the table without seeing each other. */
const uniqueId = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  ({ db, tableName } = await freshTable());
});

function aRecord(bookingId: string, revision = 1): BookingRecord {
  return aPlannedRecord(aBooking({ bookingId }), NOW, revision);
}

const refOf = (bookingId: string, kind: MessageRef['kind'] = 'checkin-same-day'): MessageRef => ({
  bookingId,
  kind,
  at: '2026-11-03T20:00:00.000Z',
});

describe('dynamodb stores (dynalite)', () => {
  describe('DynamoBookingStore', () => {
    describe('get', () => {
      it('returns undefined for an unknown booking', async () => {
        const store = new DynamoBookingStore(db, tableName);
        expect(await store.get(uniqueId('none'))).toBeUndefined();
      });

      it('returns the saved record unchanged (round trip)', async () => {
        const store = new DynamoBookingStore(db, tableName);
        const record = aRecord(uniqueId('rt'));
        expect(await store.save(record, undefined)).toBe('saved');
        expect(await store.get(record.bookingId)).toStrictEqual(record);
      });

      it('round-trips a tombstone and a pending completion', async () => {
        const store = new DynamoBookingStore(db, tableName);
        const tombstone: BookingRecord = {
          bookingId: uniqueId('tomb'),
          version: 4,
          status: 'cancelled',
          cancelledAt: NOW,
          cancelReason: 'no-show',
          plan: {},
          revision: 1,
          updatedAt: NOW,
        };
        const pending: BookingRecord = {
          bookingId: uniqueId('pend'),
          version: 0,
          status: 'pending',
          endedAt: '2026-11-03T11:05:00-05:00',
          plan: {},
          revision: 1,
          updatedAt: NOW,
        };
        await store.save(tombstone, undefined);
        await store.save(pending, undefined);
        expect(await store.get(tombstone.bookingId)).toStrictEqual(tombstone);
        expect(await store.get(pending.bookingId)).toStrictEqual(pending);
      });
    });

    describe('save', () => {
      it('answers conflict when the booking is created twice', async () => {
        const store = new DynamoBookingStore(db, tableName);
        const record = aRecord(uniqueId('twice'));
        expect(await store.save(record, undefined)).toBe('saved');
        expect(await store.save({ ...record, version: 2 }, undefined)).toBe('conflict');
        expect((await store.get(record.bookingId))?.version).toBe(1);
      });

      it('saves with the current revision and answers conflict with a stale one', async () => {
        const store = new DynamoBookingStore(db, tableName);
        const first = aRecord(uniqueId('rev'));
        await store.save(first, undefined);
        const second = { ...first, version: 2, revision: 2, updatedAt: LATER };
        expect(await store.save(second, 1)).toBe('saved');
        expect(await store.save({ ...first, version: 3, revision: 2 }, 1)).toBe('conflict');
        expect(await store.get(first.bookingId)).toStrictEqual(second);
      });

      it('answers conflict when a revision is expected but nothing is stored', async () => {
        const store = new DynamoBookingStore(db, tableName);
        const record = aRecord(uniqueId('missing'), 3);
        expect(await store.save(record, 2)).toBe('conflict');
        expect(await store.get(record.bookingId)).toBeUndefined();
      });

      it('lets exactly one of several concurrent writers win each revision', async () => {
        await fc.assert(
          fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.boolean(), async (writers, creating) => {
            const store = new DynamoBookingStore(db, tableName);
            const bookingId = uniqueId('race');
            if (!creating) await store.save(aRecord(bookingId, 1), undefined);
            const expected = creating ? undefined : 1;
            const results = await Promise.all(
              Array.from({ length: writers }, (_, i) =>
                store.save({ ...aRecord(bookingId, creating ? 1 : 2), version: 10 + i }, expected),
              ),
            );
            expect(results.filter((r) => r === 'saved')).toHaveLength(1);
            const winner = results.indexOf('saved');
            expect((await store.get(bookingId))?.version).toBe(10 + winner);
          }),
          { numRuns: 15 },
        );
      });
    });
  });

  describe('DynamoMessageLog', () => {
    describe('claim', () => {
      it('claims a free message, then answers in-flight to a second claim', async () => {
        const log = new DynamoMessageLog(db, tableName);
        const ref = refOf(uniqueId('claim'));
        expect(await log.claim(ref, 'sms', { version: 1, now: NOW, expiresAt: CLAIM_EXPIRES })).toBe(
          'claimed',
        );
        expect(await log.claim(ref, 'sms', { version: 1, now: LATER, expiresAt: CLAIM_EXPIRES })).toBe(
          'in-flight',
        );
      });

      it('keeps the delivery id on the entry', async () => {
        const log = new DynamoMessageLog(db, tableName);
        const ref = refOf(uniqueId('delivery'));
        const deliveryId = deliveryIdOf(ref, 'email');
        expect(
          await log.claim(ref, 'email', { version: 1, now: NOW, expiresAt: CLAIM_EXPIRES, deliveryId }),
        ).toBe('claimed');
        const [entry] = await log.list(ref.bookingId);
        expect(entry).toMatchObject({ channel: 'email', status: 'sending', deliveryId });
        // Opaque: the id names no booking.
        expect(deliveryId).not.toContain(ref.bookingId);
      });

      it('claims each channel on its own', async () => {
        const log = new DynamoMessageLog(db, tableName);
        const ref = refOf(uniqueId('chan'));
        expect(await log.claim(ref, 'sms', { version: 1, now: NOW, expiresAt: CLAIM_EXPIRES })).toBe(
          'claimed',
        );
        expect(await log.claim(ref, 'email', { version: 1, now: NOW, expiresAt: CLAIM_EXPIRES })).toBe(
          'claimed',
        );
        expect(
          await log.claim({ ...ref, at: '2026-11-03T21:00:00.000Z' }, 'sms', {
            version: 2,
            now: NOW,
            expiresAt: CLAIM_EXPIRES,
          }),
        ).toBe('claimed');
      });

      it('answers already-sent after markSent, even once the claim would have expired', async () => {
        const log = new DynamoMessageLog(db, tableName);
        const ref = refOf(uniqueId('sent'));
        await log.claim(ref, 'email', { version: 1, now: NOW, expiresAt: CLAIM_EXPIRES });
        await log.markSent(ref, 'email', { now: LATER, providerMessageId: 'ses-123' });
        expect(await log.claim(ref, 'email', { version: 1, now: LATER, expiresAt: CLAIM_EXPIRES })).toBe(
          'already-sent',
        );
        expect(
          await log.claim(ref, 'email', {
            version: 1,
            now: AFTER_EXPIRY,
            expiresAt: '2026-10-27T15:00:00.000Z',
          }),
        ).toBe('already-sent');
      });

      it('claims again after markFailed and counts the attempts', async () => {
        const log = new DynamoMessageLog(db, tableName);
        const bookingId = uniqueId('failed');
        const ref = refOf(bookingId);
        await log.claim(ref, 'sms', { version: 1, now: NOW, expiresAt: CLAIM_EXPIRES });
        await log.markFailed(ref, 'sms', { now: LATER, reason: 'ThrottlingException (HTTP 400)' });
        const [failed] = await log.list(bookingId);
        expect(failed).toMatchObject({
          status: 'failed',
          attempts: 1,
          reason: 'ThrottlingException (HTTP 400)',
        });
        expect(await log.claim(ref, 'sms', { version: 1, now: LATER, expiresAt: CLAIM_EXPIRES })).toBe(
          'claimed',
        );
        const [again] = await log.list(bookingId);
        expect(again).toMatchObject({ status: 'sending', attempts: 2 });
        await log.markSent(ref, 'sms', { now: LATER, providerMessageId: 'sns-9' });
        const [sent] = await log.list(bookingId);
        expect(sent).toMatchObject({ status: 'sent', attempts: 2, providerMessageId: 'sns-9' });
        expect(sent?.reason).toBeUndefined();
      });

      it('claims again once a crashed claim has expired, and not before', async () => {
        const log = new DynamoMessageLog(db, tableName);
        const bookingId = uniqueId('expired');
        const ref = refOf(bookingId);
        await log.claim(ref, 'email', { version: 1, now: NOW, expiresAt: CLAIM_EXPIRES });
        expect(
          await log.claim(ref, 'email', { version: 1, now: CLAIM_EXPIRES, expiresAt: AFTER_EXPIRY }),
        ).toBe('in-flight');
        expect(
          await log.claim(ref, 'email', {
            version: 1,
            now: AFTER_EXPIRY,
            expiresAt: '2026-10-27T14:11:00.000Z',
          }),
        ).toBe('claimed');
        const [entry] = await log.list(bookingId);
        expect(entry).toMatchObject({ status: 'sending', attempts: 2, updatedAt: AFTER_EXPIRY });
      });

      it('gives exactly one of many concurrent claims the message', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 2, max: 8 }),
            fc.constantFrom('email' as const, 'sms' as const),
            fc.constantFrom('fresh', 'failed', 'expired'),
            async (claimers, channel, state) => {
              const log = new DynamoMessageLog(db, tableName);
              const ref = refOf(uniqueId('concurrent'));
              if (state !== 'fresh') {
                await log.claim(ref, channel, { version: 1, now: NOW, expiresAt: CLAIM_EXPIRES });
                if (state === 'failed') await log.markFailed(ref, channel, { now: NOW, reason: 'boom' });
              }
              const results = await Promise.all(
                Array.from({ length: claimers }, () =>
                  log.claim(ref, channel, {
                    version: 1,
                    now: AFTER_EXPIRY,
                    expiresAt: '2026-10-27T14:11:00.000Z',
                  }),
                ),
              );
              expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
              expect(results.filter((r) => r === 'in-flight')).toHaveLength(claimers - 1);
            },
          ),
          { numRuns: 20 },
        );
      });

      it('answers every claim as a model of free / sending / sent / failed says, for any sequence', async () => {
        type Op = { op: 'claim'; afterMinutes: number } | { op: 'sent' } | { op: 'fail' };
        const opArb: fc.Arbitrary<Op> = fc.oneof(
          fc.record({ op: fc.constant('claim' as const), afterMinutes: fc.integer({ min: 0, max: 7 }) }),
          fc.constant({ op: 'sent' as const }),
          fc.constant({ op: 'fail' as const }),
        );
        await fc.assert(
          fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
            const log = new DynamoMessageLog(db, tableName);
            const ref = refOf(uniqueId('model'));
            const model = {
              status: 'free' as 'free' | 'sending' | 'sent' | 'failed',
              expiresAt: 0,
              attempts: 0,
            };
            let clock = Date.parse(NOW);
            let holder = false;
            for (const op of ops) {
              if (op.op === 'claim') {
                clock += op.afterMinutes * 60_000;
                const now = new Date(clock).toISOString();
                const expiresAt = new Date(clock + 5 * 60_000).toISOString();
                const free =
                  model.status === 'free' ||
                  model.status === 'failed' ||
                  (model.status === 'sending' && model.expiresAt < clock);
                const expected = free ? 'claimed' : model.status === 'sent' ? 'already-sent' : 'in-flight';
                expect(
                  await log.claim(ref, 'email', { version: 1, now, expiresAt }),
                  `${JSON.stringify(ops)}`,
                ).toBe(expected);
                if (free) {
                  Object.assign(model, {
                    status: 'sending',
                    expiresAt: clock + 5 * 60_000,
                    attempts: model.attempts + 1,
                  });
                  holder = true;
                }
              } else if (holder) {
                // Only the holder of the latest claim reports how its send went.
                const now = new Date(clock).toISOString();
                if (op.op === 'sent') await log.markSent(ref, 'email', { now, providerMessageId: 'ses-1' });
                else await log.markFailed(ref, 'email', { now, reason: 'provider down' });
                model.status = op.op === 'sent' ? 'sent' : 'failed';
                holder = false;
              }
            }
            const entries = await log.list(ref.bookingId);
            if (model.status === 'free') {
              expect(entries).toEqual([]);
            } else {
              expect(entries).toHaveLength(1);
              expect(entries[0]).toMatchObject({
                status: model.status,
                attempts: model.attempts,
                channel: 'email',
              });
            }
          }),
          { numRuns: 25 },
        );
      });
    });

    describe('recordSkip', () => {
      it('keeps the first skip when a message is skipped twice', async () => {
        const log = new DynamoMessageLog(db, tableName);
        const bookingId = uniqueId('skip');
        const ref = refOf(bookingId, 'prep-reminder');
        await log.recordSkip(ref, { version: 1, now: NOW, reason: 'cancelled' });
        await log.recordSkip(ref, { version: 2, now: LATER, reason: 'superseded' });
        expect(await log.list(bookingId)).toEqual([
          {
            bookingId,
            kind: 'prep-reminder',
            at: ref.at,
            channel: 'none',
            status: 'skipped',
            reason: 'cancelled',
            version: 1,
            updatedAt: NOW,
            attempts: 0,
          },
        ]);
      });
    });

    describe('list', () => {
      it('returns every entry of the booking and none of another booking', async () => {
        const log = new DynamoMessageLog(db, tableName);
        const bookingId = uniqueId('list');
        const other = uniqueId('other');
        const reminder = refOf(bookingId, 'prep-reminder');
        const checkin = refOf(bookingId, 'checkin-week');
        await log.claim(reminder, 'email', { version: 1, now: NOW, expiresAt: CLAIM_EXPIRES });
        await log.markSent(reminder, 'email', { now: LATER, providerMessageId: 'ses-1' });
        await log.claim(reminder, 'sms', { version: 1, now: NOW, expiresAt: CLAIM_EXPIRES });
        await log.recordSkip(checkin, { version: 1, now: NOW, reason: 'not-in-plan' });
        await log.claim(refOf(other), 'sms', { version: 1, now: NOW, expiresAt: CLAIM_EXPIRES });
        // A booking record beside the messages is not a message.
        await new DynamoBookingStore(db, tableName).save(aRecord(bookingId), undefined);

        const entries = await log.list(bookingId);
        expect(entries).toHaveLength(3);
        expect(entries).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              kind: 'prep-reminder',
              channel: 'email',
              status: 'sent',
              providerMessageId: 'ses-1',
              attempts: 1,
              version: 1,
              at: reminder.at,
              bookingId,
            }),
            expect.objectContaining({
              kind: 'prep-reminder',
              channel: 'sms',
              status: 'sending',
              attempts: 1,
            }),
            expect.objectContaining({
              kind: 'checkin-week',
              channel: 'none',
              status: 'skipped',
              reason: 'not-in-plan',
            }),
          ]),
        );
        expect(await log.list(uniqueId('empty'))).toEqual([]);
      });

      it('returns every entry of a booking with many messages', async () => {
        const log = new DynamoMessageLog(db, tableName);
        const bookingId = uniqueId('many');
        const times = Array.from({ length: 40 }, (_, i) =>
          new Date(Date.parse(NOW) + i * 60_000).toISOString(),
        );
        for (const at of times) {
          await log.recordSkip(
            { bookingId, kind: 'checkin-week', at },
            { version: 1, now: NOW, reason: 'past' },
          );
        }
        const entries = await log.list(bookingId);
        expect(entries.map((e) => e.at).sort()).toEqual(times);
      });
    });
  });

  describe('DynamoLinkStore', () => {
    const aLink = (linkId: string, overrides: Partial<LinkRecord> = {}): LinkRecord => ({
      linkId,
      bookingId: 'bk-0001',
      kind: 'checkin-next-day',
      purpose: 'checkin',
      expiresAt: '2026-11-11T16:00:00.000Z',
      ...overrides,
    });

    it('returns a stored link and undefined for an unknown one', async () => {
      const links = new DynamoLinkStore(db, tableName);
      const link = aLink(uniqueId('link'));
      await links.put(link);
      expect(await links.get(link.linkId)).toStrictEqual(link);
      expect(await links.get(uniqueId('nolink'))).toBeUndefined();
    });

    it("keeps the digests of the addresses a link went to, and reads unreadable ones as none of the patient's", async () => {
      const links = new DynamoLinkStore(db, tableName);
      const link = aLink(uniqueId('sent'), { sentTo: ['abc', 'def'] });
      await links.put(link);
      expect(await links.get(link.linkId)).toStrictEqual(link);
      const broken = uniqueId('broken');
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `LINK#${broken}`, sk: 'LINK', ...aLink(broken), sentTo: 'abc' },
        }),
      );
      expect((await links.get(broken))?.sentTo).toEqual(['unreadable']);
    });

    it('keeps the first write of a link id', async () => {
      const links = new DynamoLinkStore(db, tableName);
      const first = aLink(uniqueId('first'));
      await links.put(first);
      await expect(links.put({ ...first, expiresAt: '2026-12-31T00:00:00.000Z' })).resolves.toBeUndefined();
      expect(await links.get(first.linkId)).toStrictEqual(first);
    });

    it('keeps exactly one of several concurrent first writes', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 6 }), async (writers) => {
          const links = new DynamoLinkStore(db, tableName);
          const linkId = uniqueId('race-link');
          const candidates = Array.from({ length: writers }, (_, i) =>
            aLink(linkId, { expiresAt: new Date(Date.parse(NOW) + i * 86_400_000).toISOString() }),
          );
          await Promise.all(candidates.map((link) => links.put(link)));
          const stored = await links.get(linkId);
          expect(candidates).toContainEqual(stored);
        }),
        { numRuns: 15 },
      );
    });
  });
});
