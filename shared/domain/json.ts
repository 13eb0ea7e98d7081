/**
 * JSON text of a value, or `undefined` when it cannot be serialised (a
 * cycle, or nesting deep enough to overflow the stack: JSON.parse accepts
 * depths that JSON.stringify cannot write back).
 */
export function toJsonOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** How deep a webhook body may nest: real deliveries go a dozen levels, a hostile one 30,000. */
export const MAX_JSON_DEPTH = 40;

/**
 * Parses JSON that is then walked recursively (digests, validation, the rejected-events queue): a body nested
 * deeper than `maxDepth` is refused here, before a recursive walk would overflow the stack.
 */
export function parseJsonWithin(
  text: string,
  maxDepth = MAX_JSON_DEPTH,
): { ok: true; value: unknown } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'must be JSON' };
  }
  // Breadth first, without recursion: each level's containers, until none are left or the limit is passed.
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > maxDepth) return { ok: false, message: `must nest at most ${maxDepth} levels deep` };
    level = level.flatMap((item) => (item !== null && typeof item === 'object' ? Object.values(item) : []));
  }
  return { ok: true, value };
}
