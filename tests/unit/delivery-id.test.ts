import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGE_KINDS } from '../../shared/contracts/vocabulary';
import { deliveryIdOf } from '../../shared/domain/messages/delivery-id';
import type { MessageRef } from '../../shared/domain/ports';

const ref = fc.record({
  bookingId: fc.string({ minLength: 1, maxLength: 40 }),
  kind: fc.constantFrom(...MESSAGE_KINDS),
  at: fc
    .date({ min: new Date('2026-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  resend: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
});
const channel = fc.constantFrom('email' as const, 'sms' as const);

describe('deliveryIdOf', () => {
  it('gives a message on a channel the same id every time, and the same instant in any notation', () => {
    fc.assert(
      fc.property(ref, channel, (r, c) => {
        const { resend, ...base } = r;
        const message = resend === undefined ? base : { ...base, resend };
        expect(deliveryIdOf(message, c)).toBe(deliveryIdOf({ ...message }, c));
        const offset = new Date(Date.parse(r.at)).toISOString().replace('Z', '+00:00');
        expect(deliveryIdOf({ ...message, at: offset }, c)).toBe(deliveryIdOf(message, c));
        expect(deliveryIdOf(message, c)).toMatch(/^d_[A-Za-z0-9_-]{22}$/);
      }),
    );
  });

  it('tells apart the channels, times, kinds and re-sends of a booking', () => {
    fc.assert(
      fc.property(ref, ref, channel, channel, (a, b, ca, cb) => {
        const same =
          a.bookingId === b.bookingId &&
          a.kind === b.kind &&
          Date.parse(a.at) === Date.parse(b.at) &&
          (a.resend ?? '') === (b.resend ?? '') &&
          ca === cb;
        const idA = deliveryIdOf(a as MessageRef, ca);
        const idB = deliveryIdOf(b as MessageRef, cb);
        expect(idA === idB).toBe(same);
      }),
    );
  });
});
