import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseJsonWithin } from '../../shared/domain/json';

const nested = (depth: number, open: string, close: string, leaf = '1') =>
  `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;

describe('parseJsonWithin', () => {
  it('takes any JSON nested up to the limit and refuses one level more, arrays or objects alike', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_JSON_DEPTH + 5 }), fc.boolean(), (depth, objects) => {
        const text = objects ? nested(depth, '{"a":', '}') : nested(depth, '[', ']');
        const parsed = parseJsonWithin(text);
        expect(parsed.ok).toBe(depth <= MAX_JSON_DEPTH);
        if (parsed.ok) expect(JSON.stringify(parsed.value)).toBe(text);
      }),
    );
  });

  it('refuses text that is not JSON, and a depth no recursive walk survives, without throwing', () => {
    expect(parseJsonWithin('{"a":')).toEqual({ ok: false, message: 'must be JSON' });
    expect(parseJsonWithin(nested(50_000, '[', ']', ''))).toEqual({
      ok: false,
      message: `must nest at most ${MAX_JSON_DEPTH} levels deep`,
    });
  });
});
