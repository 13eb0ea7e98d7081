import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoHookBookingStore,
  DynamoPatientIdKey,
} from '../../shared/adapters/dynamodb/hook-booking-store';
import { deliveryDigest, versionDelivery } from '../../shared/domain/hooks/booking-versions';
import { freshTable } from '../support/dynamo';

let store: DynamoHookBookingStore;
let counter = 0;

beforeAll(async () => {
  const { db, tableName } = await freshTable();
  store = new DynamoHookBookingStore(db, tableName);
});

/** One provider delivery about `bookingId` made at minute `minute`. */
const delivery = (bookingId: string, minute: number) => {
  const at = new Date(Date.UTC(2026, 10, 30, 10, minute)).toISOString();
  return {
    provider: 'calcom',
    bookingId,
    at,
    digest: deliveryDigest({ bookingId, at }),
    build: (version: number) => ({ detailType: 'Booking Rescheduled', detail: { bookingId, version, at } }),
  };
};

describe("the hook's booking versions on dynalite", () => {
  it('numbers newer deliveries, puts a repeated one again as it was, and ignores an older one', async () => {
    const id = `calcom:v-${++counter}`;
    expect((await versionDelivery(store, delivery(id, 1))).state.version).toBe(1);
    const second = await versionDelivery(store, delivery(id, 5));
    expect(second).toMatchObject({ outcome: 'new', state: { version: 2 } });
    // The provider's retry of the same delivery: the same event, the same version.
    expect(await versionDelivery(store, delivery(id, 5))).toEqual({ outcome: 'repeat', state: second.state });
    expect(await versionDelivery(store, delivery(id, 3))).toMatchObject({
      outcome: 'older',
      state: { version: 2 },
    });
    expect((await store.state('calcom', id))?.event.detail).toEqual({
      bookingId: id,
      version: 2,
      at: second.state.at,
    });
  });

  it('gives deliveries arriving at once each its own version', async () => {
    const id = `calcom:v-${++counter}`;
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((minute) => versionDelivery(store, delivery(id, minute))),
    );
    const numbered = results.filter((r) => r.outcome === 'new').map((r) => r.state.version);
    expect(new Set(numbered).size).toBe(numbered.length);
    expect((await store.state('calcom', id))?.version).toBe(Math.max(...numbered));
  });

  it('ends on the newest delivery, numbered above every other it put, whatever the order and repeats', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (minutes, repeats) => {
          const id = `calcom:p-${++counter}`;
          const order = [...minutes, ...repeats.map((r) => minutes[r % minutes.length] ?? 0)];
          const put: number[] = [];
          for (const minute of order) {
            const result = await versionDelivery(store, delivery(id, minute));
            if (result.outcome === 'new') put.push(result.state.version);
          }
          const final = await store.state('calcom', id);
          expect(final?.at).toBe(delivery(id, Math.max(...minutes)).at);
          // Versions only grow, one at a time.
          expect(put).toEqual(put.map((_, i) => i + 1));
          expect(final?.version).toBe(put.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('names a rescheduled booking by its original id once, whatever comes after', async () => {
    await store.alias('calcom', 'uid-new', 'calcom:uid-old');
    await store.alias('calcom', 'uid-new', 'calcom:somebody-else');
    expect(await store.bookingOf('calcom', 'uid-new')).toBe('calcom:uid-old');
    expect(await store.bookingOf('calcom', 'uid-unknown')).toBeUndefined();
  });
});

describe('the Cal.com patient-id key on dynalite', () => {
  it('is made once, whoever asks first and however many ask at once, and read back unchanged', async () => {
    const { db, tableName } = await freshTable();
    const containers = Array.from({ length: 5 }, () => new DynamoPatientIdKey(db, tableName));
    const keys = await Promise.all(containers.map((container) => container.get()));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A later container (a cold start next week) reads the same key.
    expect(await new DynamoPatientIdKey(db, tableName).get()).toBe(keys[0]);
  });
});
