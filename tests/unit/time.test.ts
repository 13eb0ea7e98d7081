import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RememberingZone, rememberingZone } from '../../shared/domain/time';

const ZONES = [
  'America/New_York',
  'Europe/Madrid',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Asia/Kolkata',
  'UTC',
];
const instant = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 11, 31) });

describe('RememberingZone', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the same offsets and the same zoned arithmetic as the IANA zone it wraps, across DST changes', () => {
    fc.assert(
      fc.property(
        instant,
        fc.constantFrom(...ZONES),
        fc.integer({ min: -10, max: 10 }),
        fc.integer({ min: -48, max: 48 }),
        (ms, name, days, hours) => {
          const remembering = rememberingZone(name);
          expect(remembering.offset(ms)).toBe(DateTime.fromMillis(ms).setZone(name).offset);
          const step = { days, hours };
          const plain = DateTime.fromMillis(ms).setZone(name).plus(step);
          const memo = DateTime.fromMillis(ms).setZone(remembering).plus(step);
          expect(memo.toISO()).toBe(plain.toISO());
          expect(memo.set({ hour: 21, minute: 0 }).toISO()).toBe(plain.set({ hour: 21, minute: 0 }).toISO());
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("leaves UTC as Luxon's universal zone, which has no offsets to look up", () => {
    expect(rememberingZone('UTC').isUniversal).toBe(true);
    expect(rememberingZone('America/New_York')).toBeInstanceOf(RememberingZone);
  });

  it('is the same zone as its IANA name, both ways round', () => {
    const zone = new RememberingZone('Europe/Madrid');
    expect(zone.equals(IANAZone.create('Europe/Madrid'))).toBe(true);
    expect(IANAZone.create('Europe/Madrid').equals(zone)).toBe(true);
    expect(zone.equals(IANAZone.create('Europe/Paris'))).toBe(false);
    expect(DateTime.now().setZone(zone).zoneName).toBe('Europe/Madrid');
  });

  it('is invalid for a name that is not a zone, as Luxon is', () => {
    expect(new RememberingZone('Mars/Olympus').isValid).toBe(false);
    expect(DateTime.now().setZone(new RememberingZone('Mars/Olympus')).isValid).toBe(false);
  });

  it('asks Intl once per instant', () => {
    const lookups = vi.spyOn(IANAZone.prototype, 'offset');
    const zone = new RememberingZone('America/New_York');
    const at = Date.UTC(2026, 2, 8, 7);
    for (let i = 0; i < 5; i++) zone.offset(at);
    zone.offset(at + 3_600_000);
    expect(lookups).toHaveBeenCalledTimes(2);
  });
});
