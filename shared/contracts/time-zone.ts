import { IANAZone } from 'luxon';
import * as z from './zod';

/** Zone names seen valid; IANA has about 600, so a full set means case variants are being sprayed at us. */
const knownZones = new Set<string>();
const KNOWN_ZONES_LIMIT = 2000;

/**
 * True when `zone` names an IANA time zone. Luxon answers by building an
 * `Intl.DateTimeFormat`, which costs about as much as the rest of parsing a
 * booking event, so valid names are remembered (invalid ones are not: they
 * are unbounded and rare).
 */
export function isIanaTimeZone(zone: string): boolean {
  if (knownZones.has(zone)) return true;
  if (!IANAZone.isValidZone(zone)) return false;
  if (knownZones.size < KNOWN_ZONES_LIMIT) knownZones.add(zone);
  return true;
}

export const timeZoneSchema = z.string().check(z.refine(isIanaTimeZone, 'must be an IANA time zone'));
