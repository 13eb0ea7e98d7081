import {
  DateTime,
  type DurationLike,
  IANAZone,
  Info,
  Zone,
  type ZoneOffsetFormat,
  type ZoneOffsetOptions,
} from 'luxon';

/** `iso` moved by `duration`, as ISO UTC (the one format times are stored in). */
export function shiftIso(iso: string, duration: DurationLike): string {
  const shifted = DateTime.fromISO(iso, { zone: 'utc' }).plus(duration).toUTC().toISO();
  if (shifted === null) throw new RangeError(`not an ISO time: ${iso}`);
  return shifted;
}

/** The next `hh:mm` wall-clock time in `zone` strictly after `after`, as ISO UTC (a daily job's next run). */
export function nextLocalTimeAfter(hhmm: string, zone: string, after: string): string {
  const [hour, minute] = hhmm.split(':').map(Number);
  const local = DateTime.fromISO(after).setZone(zone);
  let next = local.set({ hour: hour ?? 0, minute: minute ?? 0, second: 0, millisecond: 0 });
  if (next <= local) next = next.plus({ days: 1 });
  return next.toUTC().toISO() ?? after;
}

/** The zone `name` names, remembering its offsets when it has any to look up (UTC and fixed offsets do not). */
export function rememberingZone(name: string): Zone {
  const zone = Info.normalizeZone(name);
  return zone.type === 'iana' ? new RememberingZone(zone.name) : zone;
}

/**
 * An IANA zone that remembers the offsets it has looked up. Luxon asks the zone for an offset at every
 * conversion and step, each an `Intl.DateTimeFormat.formatToParts` call; planning and rendering one
 * booking asks 28 times about 10 instants. Make one per piece of work, not one per process.
 */
export class RememberingZone extends Zone {
  private readonly zone: IANAZone;
  private readonly offsets = new Map<number, number>();

  constructor(name: string) {
    super();
    this.zone = IANAZone.create(name);
  }

  override get type(): string {
    return 'iana';
  }

  override get name(): string {
    return this.zone.name;
  }

  override get isUniversal(): boolean {
    return false;
  }

  override get isValid(): boolean {
    return this.zone.isValid;
  }

  override offsetName(ts: number, options: ZoneOffsetOptions): string | null {
    return this.zone.offsetName(ts, options);
  }

  override formatOffset(ts: number, format: ZoneOffsetFormat): string {
    return this.zone.formatOffset(ts, format);
  }

  override offset(ts: number): number {
    let minutes = this.offsets.get(ts);
    if (minutes === undefined) {
      minutes = this.zone.offset(ts);
      this.offsets.set(ts, minutes);
    }
    return minutes;
  }

  override equals(other: Zone): boolean {
    return other.type === 'iana' && other.name === this.name;
  }
}

/** The ISO week (`2026-W48`: Monday to Sunday, the year it belongs to) that `iso` falls in, in `zone`. */
export function isoWeekIn(iso: string, zone: string): string {
  const at = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  if (!at.isValid) throw new RangeError(`not an ISO time: ${iso}`);
  return at.toFormat("kkkk-'W'WW");
}

/** The `count` ISO weeks up to the one `iso` falls in (in `zone`), oldest first, each with its Monday. */
export function weeksUpTo(iso: string, zone: string, count: number): { week: string; monday: string }[] {
  const thisWeek = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).startOf('week');
  if (!thisWeek.isValid) throw new RangeError(`not an ISO time: ${iso}`);
  return Array.from({ length: count }, (_, index) => {
    const monday = thisWeek.minus({ weeks: count - 1 - index });
    return { week: monday.toFormat("kkkk-'W'WW"), monday: monday.toISODate() ?? '' };
  });
}
