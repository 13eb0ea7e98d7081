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
