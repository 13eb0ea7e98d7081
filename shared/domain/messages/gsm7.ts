/**
 * The GSM 03.38 default alphabet (7-bit), in code order. One unit each.
 * `Ç` sits at 0x09 (the standard's capital C-cedilla); the unprintable
 * escape at 0x1B is left out because it only introduces the extension table.
 */
export const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: each costs an escape plus the character, two units. */
export const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC_SET = new Set(GSM7_BASIC);
const EXTENSION_SET = new Set(GSM7_EXTENSION);

/** GSM 03.38 allows at most 160 units in one (non-concatenated) SMS. */
export const GSM7_SEGMENT_UNITS = 160;

/**
 * Characters that Unicode normalisation does not turn into GSM-7 but that
 * have an obvious ASCII stand-in (typographic punctuation and spacing from
 * word processors and Intl formatting, e.g. ICU's narrow no-break space in "9:30 AM").
 * An empty string drops the character (invisible format characters).
 */
const REPLACEMENTS: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u2032': "'",
  '\u00B4': "'",
  '`': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u201F': '"',
  '\u2033': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2022': '-',
  '\u2026': '...',
  '\u2044': '/',
  '\u2215': '/',
  '\t': ' ',
  '\u00A0': ' ',
  '\u2007': ' ',
  '\u202F': ' ',
  '\u3000': ' ',
  '\u00AD': '',
  '\u200B': '',
  '\u200C': '',
  '\u200D': '',
  '\u2060': '',
  '\uFEFF': '',
  '\u00D7': 'x',
  '\u0152': 'OE',
  '\u0153': 'oe',
  '\u0110': 'D',
  '\u0111': 'd',
  '\u00D0': 'D',
  '\u00F0': 'd',
  '\u0141': 'L',
  '\u0142': 'l',
  '\u0131': 'i',
  '\u00DE': 'Th',
  '\u00FE': 'th',
};

/** Longest compatibility decomposition we accept (e.g. "ﬃ" -> "ffi"); longer ones are symbols, not letters. */
const MAX_DECOMPOSITION = 3;

function isGsm7Char(char: string): boolean {
  return BASIC_SET.has(char) || EXTENSION_SET.has(char);
}

/**
 * Counts the GSM-7 units `text` needs: one per basic character, two per
 * extension character (`^{}\[~]|€` and form feed).
 * @returns the unit count, or `undefined` when some character is not GSM-7.
 */
export function gsm7Units(text: string): number | undefined {
  let units = 0;
  for (const char of text) {
    if (BASIC_SET.has(char)) units += 1;
    else if (EXTENSION_SET.has(char)) units += 2;
    else return undefined;
  }
  return units;
}

/** True when `text` is GSM-7 and fits one SMS segment (at most 160 units). */
export function isSingleGsm7Segment(text: string): boolean {
  const units = gsm7Units(text);
  return units !== undefined && units <= GSM7_SEGMENT_UNITS;
}

/** One character that is not GSM-7 -> its GSM-7 stand-in ('?' when there is none). */
function transliterateChar(char: string): string {
  const replacement = REPLACEMENTS[char];
  if (replacement !== undefined) return replacement;
  // NFKD splits letters from their accents (á -> a + ´) and unfolds
  // compatibility forms (ﬁ -> fi, full-width Ａ -> A); the accents are dropped.
  const decomposed = char.normalize('NFKD').replace(/\p{M}/gu, '');
  if (decomposed === '') return '';
  if (decomposed.length > MAX_DECOMPOSITION || decomposed === char) return '?';
  let out = '';
  for (const part of decomposed) {
    const mapped = isGsm7Char(part) ? part : REPLACEMENTS[part];
    if (mapped === undefined) return '?';
    out += mapped;
  }
  return out;
}

/**
 * Transliterates `text` to the GSM-7 alphabet so an SMS stays in 7-bit
 * encoding (160 characters per segment, not UCS-2's 70).
 *
 * Characters already in GSM-7 are kept (é, ñ, ü, Ç, ¿ and ¡ are), other
 * letters lose their accents (Ramón -> Ramon), typographic quotes, dashes,
 * ellipsis and special spaces become ASCII, and anything else becomes `?`.
 * The result is always GSM-7, `toGsm7(toGsm7(t)) === toGsm7(t)`, and it has
 * at most three characters per input UTF-16 unit ("…" -> "...").
 */
export function toGsm7(text: string): string {
  let out = '';
  // NFC first so a letter typed with a separate combining accent (e + ´)
  // becomes é, which GSM-7 has.
  for (const char of text.normalize('NFC')) {
    out += isGsm7Char(char) ? char : transliterateChar(char);
  }
  return out;
}
