import { DateTime, type DurationLike } from 'luxon';

/** `iso` moved by `duration`, as ISO UTC (the one format times are stored in). */
export function shiftIso(iso: string, duration: DurationLike): string {
  const shifted = DateTime.fromISO(iso, { zone: 'utc' }).plus(duration).toUTC().toISO();
  if (shifted === null) throw new RangeError(`not an ISO time: ${iso}`);
  return shifted;
}
