import * as z from './zod';

/*
 * Free text from outside (a booking system, a patient) cannot spoof what
 * staff and patients read (DESIGN section 8): bidirectional controls and the
 * other invisible format characters (Unicode category Cf: zero-width spaces
 * and joiners, soft hyphens, byte-order marks) are removed on input, before
 * any length check.
 */

/** The text without format characters. */
export function stripFormatCharacters(text: string): string {
  return text.replace(/\p{Cf}/gu, '');
}

/** A zod step that removes format characters; put it before `trim` and the length checks. */
export const withoutFormatCharacters = z.overwrite(stripFormatCharacters);
