/*
 * The urgent-phrase safety net (DESIGN section 7): a note or a text that
 * contains one of the clinic's phrases is urgent. Matching is on whole
 * words after folding case, accents and punctuation away, so "Can't
 * BREATHE!" matches "cant breathe" and "hacerme daño" matches "hacerme
 * dano", while "send it" does not match "end it".
 */

/** Lowercase words without accents or punctuation, joined by single spaces. */
export function foldForMatching(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['\u2019\u02bc]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The phrases of every language, folded once, without empties or repeats. */
export function foldPhrases(byLanguage: Readonly<Record<string, readonly string[]>>): string[] {
  const folded = Object.values(byLanguage)
    .flat()
    .map(foldForMatching)
    .filter((phrase) => phrase !== '');
  return [...new Set(folded)];
}

/** Whether `text` contains one of the already folded `phrases` as whole words. */
export function containsUrgentPhrase(text: string, phrases: readonly string[]): boolean {
  const haystack = ` ${foldForMatching(text)} `;
  return phrases.some((phrase) => haystack.includes(` ${phrase} `));
}
