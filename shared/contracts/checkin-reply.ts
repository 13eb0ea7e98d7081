import type { FieldError } from './booking-events';
import { stripFormatCharacters, withoutFormatCharacters } from './plain-text';
import type { CheckinKind } from './vocabulary';
import {
  asksScreeners,
  type CheckinAnswers,
  GAD7_ITEMS,
  PHQ9_ITEMS,
  SCREENER_ITEM_MAX,
  SEVERITIES,
  SIDE_EFFECTS,
  type SideEffect,
  STILL_NOW_EFFECTS,
  type StillNowEffect,
} from './vocabulary';
import * as z from './zod';

/*
 * The check-in reply contract (DESIGN section 7): one JSON body and one HTML
 * form, both parsed to the same `CheckinAnswers` and both reporting every bad
 * field with the same dotted paths (`mood`, `sideEffects.nausea`, `phq9.8`),
 * so a form can show each error next to its field. A rejected reply also
 * comes with what could be read of it (`salvaged`), so an urgent answer is
 * never lost to a mistake in another field (DESIGN section 7).
 */

/** A parsed reply, or every bad field and whatever valid fields the reply also had. */
export type CheckinParseResult =
  | { ok: true; value: CheckinAnswers }
  | { ok: false; errors: FieldError[]; salvaged: CheckinAnswers };

export const MOOD_MAX = 10;
export const NOTE_MAX_LENGTH = 2000;

const MOOD_MESSAGE = `must be a whole number from 0 to ${MOOD_MAX}`;
const SEVERITY_MESSAGE = `must be one of ${SEVERITIES.join(', ')}`;
const SELF_HARM_MESSAGE = 'must be "no" or "yes"';
const SCREENER_ANSWER_MESSAGE = `must be a whole number from 0 to ${SCREENER_ITEM_MAX}`;
const NOT_ASKED = 'is not asked at this check-in';
const NOT_A_FIELD = 'is not part of a check-in reply';
const NOT_A_SIDE_EFFECT = 'is not a side effect we ask about';

/** A zod error option that says `is required` when the value is missing and `message` otherwise. */
function requiredOr(message: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message);
}

function wholeNumber(max: number, message: string) {
  return z
    .number({ error: requiredOr(message) })
    .check(z.int({ error: message }), z.minimum(0, { error: message }), z.maximum(max, { error: message }));
}

export const moodSchema = wholeNumber(MOOD_MAX, MOOD_MESSAGE).check(z.describe('0 (worst) to 10 (best)'));

export const severitySchema = z.enum(SEVERITIES, { error: SEVERITY_MESSAGE });

/** Side effect to severity; effects left out count as `none`. */
export const sideEffectsSchema = z._default(
  z.strictObject(
    Object.fromEntries(SIDE_EFFECTS.map((effect) => [effect, z.optional(severitySchema)])) as Record<
      SideEffect,
      z.ZodMiniOptional<typeof severitySchema>
    >,
    { error: 'must be an object of side effects and severities' },
  ),
  // A function, so each reply gets its own object rather than one shared default.
  () => ({}),
);

export const selfHarmSchema = z
  .enum(['no', 'yes'], { error: requiredOr(SELF_HARM_MESSAGE) })
  .check(z.describe('Thoughts that you would be better off dead, or of hurting yourself'));

export const selfHarmNowSchema = z
  .enum(['no', 'yes'], { error: SELF_HARM_MESSAGE })
  .check(z.describe('Asked when selfHarm is yes: thinking of acting on it now'));

/** For dissociation and out-of-body feelings rated mild or worse: still felt now. */
export const stillNowSchema = z.strictObject(
  Object.fromEntries(
    STILL_NOW_EFFECTS.map((effect) => [effect, z.optional(z.boolean({ error: 'must be true or false' }))]),
  ) as Record<StillNowEffect, z.ZodMiniOptional<z.ZodMiniBoolean>>,
  { error: `must be an object of ${STILL_NOW_EFFECTS.join(', ')} and true or false` },
);

export const wantsCallSchema = z._default(z.boolean({ error: 'must be true or false' }), false);

/** Trimmed; an empty note counts as no note. */
export const noteSchema = z
  .string({ error: 'must be text' })
  .check(
    withoutFormatCharacters,
    z.trim(),
    z.maxLength(NOTE_MAX_LENGTH, { error: `must be at most ${NOTE_MAX_LENGTH} characters` }),
  );

const screenerAnswerSchema = wholeNumber(SCREENER_ITEM_MAX, SCREENER_ANSWER_MESSAGE);

function screenerSchema(items: number) {
  return z
    .array(screenerAnswerSchema, { error: `must be a list of ${items} answers` })
    .check(z.length(items, { error: `must have exactly ${items} answers` }));
}

/** The nine PHQ-9 answers in questionnaire order, each 0-3. */
export const phq9Schema = screenerSchema(PHQ9_ITEMS);
/** The seven GAD-7 answers in questionnaire order, each 0-3. */
export const gad7Schema = screenerSchema(GAD7_ITEMS);
/** PHQ-9 item 10, how difficult the problems made things, 0-3 (not scored). */
export const phq9DifficultySchema = wholeNumber(SCREENER_ITEM_MAX, SCREENER_ANSWER_MESSAGE);

const replyShape = {
  mood: moodSchema,
  sideEffects: sideEffectsSchema,
  stillNow: z.optional(stillNowSchema),
  selfHarm: selfHarmSchema,
  selfHarmNow: z.optional(selfHarmNowSchema),
  wantsCall: wantsCallSchema,
  note: z.optional(noteSchema),
};

const weekShape = {
  ...replyShape,
  phq9: z.optional(phq9Schema),
  phq9Difficulty: z.optional(phq9DifficultySchema),
  gad7: z.optional(gad7Schema),
};

/** The JSON body of a reply to the same-day or next-day check-in. */
export const checkinReplySchema = z.strictObject(replyShape, { error: 'must be a JSON object' });

/** The JSON body of a reply to the week check-in, which also asks the PHQ-9 and GAD-7. */
export const weekCheckinReplySchema = z.strictObject(weekShape, { error: 'must be a JSON object' });

export type CheckinReplyInput = z.input<typeof weekCheckinReplySchema>;

/** The schema of the JSON body a reply to `kind` must match. */
export function checkinReplySchemaFor(kind: CheckinKind, screeners = asksScreeners(kind)) {
  return screeners ? weekCheckinReplySchema : checkinReplySchema;
}

const SELF_HARM_NOW_REQUIRED = 'is required when selfHarm is "yes"';

/**
 * Validates the JSON body of a check-in reply for `kind`. Every bad field is
 * reported, each with its path (`mood`, `sideEffects.nausea`, `phq9.8`);
 * the body itself is `body`. The PHQ-9 and GAD-7 are accepted only at the
 * check-ins that ask them; `selfHarmNow` is required when `selfHarm` is yes.
 */
export function parseCheckinJson(
  body: unknown,
  kind: CheckinKind,
  /** Whether this reply is asked the PHQ-9 and GAD-7 (the week check-in, unless asked within 14 days). */
  screeners = asksScreeners(kind),
): CheckinParseResult {
  const result = checkinReplySchemaFor(kind, screeners).safeParse(body);
  const errors = result.success ? [] : fieldErrors(result.error);
  if (isRecord(body) && body.selfHarm === 'yes' && body.selfHarmNow === undefined) {
    errors.push({ field: 'selfHarmNow', message: SELF_HARM_NOW_REQUIRED });
  }
  if (!result.success || errors.length > 0) {
    return { ok: false, errors, salvaged: salvage(isRecord(body) ? body : {}, screeners) };
  }
  return { ok: true, value: toAnswers(result.data) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The fields of a rejected reply that are valid on their own: each top-level
 * field, each side effect and each "still now" is checked by itself, and
 * anything wrong is left out. Never throws.
 */
export function salvage(candidate: Record<string, unknown>, screeners: boolean): CheckinAnswers {
  const shape: Record<string, z.ZodMiniType> = screeners ? weekShape : replyShape;
  const valid = (name: string) => {
    const schema = shape[name];
    if (schema === undefined || !Object.hasOwn(candidate, name)) return undefined;
    const result = schema.safeParse(candidate[name]);
    return result.success ? result.data : undefined;
  };
  const pick = <T>(value: unknown, schema: z.ZodMiniType<T>): T | undefined => {
    const result = schema.safeParse(value);
    return result.success ? result.data : undefined;
  };
  const sideEffects: Partial<Record<SideEffect, CheckinAnswers['sideEffects'][SideEffect]>> = {};
  const sentEffects = isRecord(candidate.sideEffects) ? candidate.sideEffects : {};
  for (const effect of SIDE_EFFECTS) {
    const severity = Object.hasOwn(sentEffects, effect)
      ? pick(sentEffects[effect], severitySchema)
      : undefined;
    if (severity !== undefined) sideEffects[effect] = severity;
  }
  const stillNow: Partial<Record<StillNowEffect, boolean>> = {};
  const sentStill = isRecord(candidate.stillNow) ? candidate.stillNow : {};
  for (const effect of STILL_NOW_EFFECTS) {
    const still = Object.hasOwn(sentStill, effect) ? pick(sentStill[effect], z.boolean()) : undefined;
    if (still !== undefined) stillNow[effect] = still;
  }
  const phq9 = valid('phq9') as number[] | undefined;
  const rawPhq9 = candidate.phq9;
  // Item 9 asks about self-harm: kept on its own when the rest of the PHQ-9 cannot be read.
  const phq9Item9 =
    phq9 === undefined && screeners && Array.isArray(rawPhq9)
      ? pick(rawPhq9[8], screenerAnswerSchema)
      : undefined;
  const note = valid('note') as string | undefined;
  // A note over the length limit is kept whole when the reply is stored for a red flag: its words matter.
  const longNote =
    typeof candidate.note === 'string' ? stripFormatCharacters(candidate.note).trim() : undefined;
  return toAnswers({
    mood: valid('mood') as number | undefined,
    sideEffects,
    stillNow,
    selfHarm: valid('selfHarm') as 'no' | 'yes' | undefined,
    selfHarmNow: valid('selfHarmNow') as 'no' | 'yes' | undefined,
    wantsCall: (valid('wantsCall') as boolean | undefined) ?? false,
    note: note ?? longNote,
    phq9,
    phq9Item9,
    phq9Difficulty: valid('phq9Difficulty') as number | undefined,
    gad7: valid('gad7') as number[] | undefined,
  });
}

const SCREENERS = [
  { name: 'phq9', label: 'PHQ-9', items: PHQ9_ITEMS },
  { name: 'gad7', label: 'GAD-7', items: GAD7_ITEMS },
] as const;
type ScreenerName = (typeof SCREENERS)[number]['name'];

/**
 * The names of the form fields for `kind`, in the order the form asks them:
 * `mood`, `sideEffects.<effect>` for each side effect (each followed up
 * effect followed by its `stillNow.<effect>`), `selfHarm`, `selfHarmNow`,
 * `wantsCall`, `note`, then `phq9.0`..`phq9.8`, `phq9Difficulty` and
 * `gad7.0`..`gad7.6` at the check-ins that ask the screeners. A form must
 * send no other field (a named submit button counts as one).
 */
export function checkinFormFields(kind: CheckinKind, screeners = asksScreeners(kind)): readonly string[] {
  const screenerItems = (name: ScreenerName, items: number) =>
    Array.from({ length: items }, (_, index) => `${name}.${index}`);
  return [
    'mood',
    ...SIDE_EFFECTS.flatMap((effect) =>
      isStillNowEffect(effect) ? [`sideEffects.${effect}`, `stillNow.${effect}`] : [`sideEffects.${effect}`],
    ),
    'selfHarm',
    'selfHarmNow',
    'wantsCall',
    'note',
    ...(screeners
      ? [...screenerItems('phq9', PHQ9_ITEMS), 'phq9Difficulty', ...screenerItems('gad7', GAD7_ITEMS)]
      : []),
  ];
}

function isStillNowEffect(effect: string): effect is StillNowEffect {
  return (STILL_NOW_EFFECTS as readonly string[]).includes(effect);
}

/**
 * Validates an urlencoded check-in form for `kind` (field names from
 * `checkinFormFields`). Values are strings: `mood` "0".."10";
 * `sideEffects.<effect>` none/mild/moderate/severe, absent or empty = none;
 * `stillNow.<effect>`, `selfHarm` and `selfHarmNow` no/yes (empty =
 * unanswered); `wantsCall` "yes" when ticked, absent otherwise; `note`;
 * `phq9.<i>` / `gad7.<i>` / `phq9Difficulty` "0".."3". Each screener is
 * optional as a whole, but once one of its items is answered every item is
 * required. Errors use the same paths as `parseCheckinJson`, in form order;
 * a field sent more than once is an error.
 */
export function parseCheckinForm(
  fields: Record<string, string | string[]>,
  kind: CheckinKind,
  screeners = asksScreeners(kind),
): CheckinParseResult {
  const errors: FieldError[] = [];
  const sideEffects: Record<string, string> = {};
  const stillNow: Record<string, unknown> = {};
  const screenerAnswers: Record<ScreenerName, Map<number, string>> = { phq9: new Map(), gad7: new Map() };
  const candidate: Record<string, unknown> = { sideEffects, stillNow, wantsCall: false };

  for (const [name, sent] of Object.entries(fields)) {
    if (Array.isArray(sent) && sent.length > 1) {
      errors.push({ field: name, message: 'was sent more than once' });
      continue;
    }
    const value = Array.isArray(sent) ? sent[0] : sent;
    if (value === undefined) continue;
    const [head, rest, ...more] = name.split('.');
    if (name === 'mood') {
      candidate.mood = value === '' ? undefined : /^\d{1,3}$/.test(value) ? Number(value) : value;
    } else if (name === 'selfHarm' || name === 'selfHarmNow') {
      candidate[name] = value === '' ? undefined : value;
    } else if (head === 'stillNow' && rest !== undefined && more.length === 0) {
      if (!isStillNowEffect(rest)) errors.push({ field: name, message: NOT_A_FIELD });
      else if (value === 'yes' || value === 'no') stillNow[rest] = value === 'yes';
      else if (value !== '') errors.push({ field: name, message: SELF_HARM_MESSAGE });
    } else if (name === 'phq9Difficulty') {
      if (!screeners) errors.push({ field: name, message: NOT_ASKED });
      else if (/^[0-3]$/.test(value)) candidate.phq9Difficulty = Number(value);
      else if (value !== '') errors.push({ field: name, message: SCREENER_ANSWER_MESSAGE });
    } else if (name === 'wantsCall') {
      if (value === 'yes') candidate.wantsCall = true;
      else errors.push({ field: name, message: 'must be "yes" or left out' });
    } else if (name === 'note') {
      candidate.note = value;
    } else if (head === 'sideEffects' && rest !== undefined && more.length === 0) {
      if (!(SIDE_EFFECTS as readonly string[]).includes(rest))
        errors.push({ field: name, message: NOT_A_SIDE_EFFECT });
      else if (value !== '') sideEffects[rest] = value;
    } else if ((head === 'phq9' || head === 'gad7') && rest !== undefined && more.length === 0) {
      const index = screenerIndex(rest, head === 'phq9' ? PHQ9_ITEMS : GAD7_ITEMS);
      if (!screeners) errors.push({ field: name, message: NOT_ASKED });
      else if (index === undefined) errors.push({ field: name, message: NOT_A_FIELD });
      else if (value !== '') screenerAnswers[head].set(index, value);
    } else {
      errors.push({ field: name, message: NOT_A_FIELD });
    }
  }

  const screenerValues: Partial<Record<ScreenerName, number[]>> = {};
  for (const { name, label, items } of SCREENERS) {
    const answered = screenerAnswers[name];
    if (answered.size === 0) continue;
    const values: number[] = [];
    for (let index = 0; index < items; index++) {
      const value = answered.get(index);
      const field = `${name}.${index}`;
      if (value === undefined) {
        errors.push({ field, message: `is required once any ${label} question is answered` });
      } else if (!/^[0-3]$/.test(value)) {
        errors.push({ field, message: SCREENER_ANSWER_MESSAGE });
      } else {
        values.push(Number(value));
      }
    }
    if (values.length === items) screenerValues[name] = values;
  }

  const result = checkinReplySchema.safeParse(candidate);
  if (!result.success) {
    // A field already refused (sent twice, say) is not also reported as missing.
    const refused = new Set(errors.map((error) => error.field));
    errors.push(...fieldErrors(result.error).filter((error) => !refused.has(error.field)));
  }
  if (candidate.selfHarm === 'yes' && candidate.selfHarmNow === undefined) {
    errors.push({ field: 'selfHarmNow', message: SELF_HARM_NOW_REQUIRED });
  }
  if (errors.length > 0 || !result.success) {
    const { phq9Difficulty, ...rest } = candidate;
    return {
      ok: false,
      errors: inFormOrder(errors, kind, screeners),
      salvaged: salvage(
        {
          ...rest,
          ...screenerValues,
          // The answered items where they are, so item 9 can be read on its own.
          phq9: screenerValues.phq9 ?? answeredItems(screenerAnswers.phq9, PHQ9_ITEMS),
          phq9Difficulty,
        },
        screeners,
      ),
    };
  }
  const difficulty = candidate.phq9Difficulty as number | undefined;
  return {
    ok: true,
    value: toAnswers({
      ...result.data,
      ...screenerValues,
      ...(difficulty === undefined ? {} : { phq9Difficulty: difficulty }),
    }),
  };
}

/** The answers of a screener as a list by item, unanswered or unreadable items left as `undefined`. */
function answeredItems(answered: Map<number, string>, items: number): (number | undefined)[] {
  return Array.from({ length: items }, (_, index) => {
    const value = answered.get(index);
    return value !== undefined && /^[0-3]$/.test(value) ? Number(value) : undefined;
  });
}

/** A screener item index written as in the form (`0`, `8`), or undefined when it is not one. */
function screenerIndex(text: string, items: number): number | undefined {
  if (!/^(?:0|[1-9]\d*)$/.test(text)) return undefined;
  const index = Number(text);
  return index < items ? index : undefined;
}

/** Errors sorted by where their field sits in the form; fields the form does not have go last. */
function inFormOrder(errors: FieldError[], kind: CheckinKind, screeners: boolean): FieldError[] {
  const order = new Map(checkinFormFields(kind, screeners).map((field, index) => [field, index]));
  const position = (error: FieldError) => order.get(error.field) ?? order.size;
  return errors
    .map((error, index) => ({ error, index }))
    .sort((a, b) => position(a.error) - position(b.error) || a.index - b.index)
    .map(({ error }) => error);
}

/**
 * Zod issues as field errors; each unknown key is its own error, named by its
 * path, and a field that breaks two checks with one message (5.5 and 11.5 for
 * mood) is named once.
 */
function fieldErrors(error: z.core.$ZodError): FieldError[] {
  const errors = error.issues.flatMap((issue): FieldError[] => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [...path, key].join('.'),
        message: unknownKeyMessage(path, key),
      }));
    }
    return [{ field: path.length > 0 ? path.join('.') : 'body', message: issue.message }];
  });
  const seen = new Set<string>();
  return errors.filter((fieldError) => {
    const key = `${fieldError.field}\n${fieldError.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function unknownKeyMessage(path: string[], key: string): string {
  if (path.length === 0) return key === 'phq9' || key === 'gad7' ? NOT_ASKED : NOT_A_FIELD;
  return path.join('.') === 'sideEffects' ? NOT_A_SIDE_EFFECT : NOT_A_FIELD;
}

/**
 * The parsed reply as stored: no empty note, no undefined fields, "still
 * now" only for effects asked about, screeners only when answered.
 */
function toAnswers(data: {
  mood?: number | undefined;
  sideEffects: Partial<Record<SideEffect, CheckinAnswers['sideEffects'][SideEffect]>>;
  stillNow?: Partial<Record<StillNowEffect, boolean | undefined>> | undefined;
  selfHarm?: 'no' | 'yes' | undefined;
  selfHarmNow?: 'no' | 'yes' | undefined;
  wantsCall: boolean;
  note?: string | undefined;
  phq9?: number[] | undefined;
  phq9Item9?: number | undefined;
  phq9Difficulty?: number | undefined;
  gad7?: number[] | undefined;
}): CheckinAnswers {
  const sideEffects: CheckinAnswers['sideEffects'] = {};
  for (const effect of SIDE_EFFECTS) {
    const severity = data.sideEffects[effect];
    if (severity !== undefined) sideEffects[effect] = severity;
  }
  const stillNow: NonNullable<CheckinAnswers['stillNow']> = {};
  for (const effect of STILL_NOW_EFFECTS) {
    const still = data.stillNow?.[effect];
    if (still !== undefined && (sideEffects[effect] ?? 'none') !== 'none') stillNow[effect] = still;
  }
  const answers: CheckinAnswers = { sideEffects, wantsCall: data.wantsCall };
  if (data.mood !== undefined) answers.mood = data.mood;
  if (Object.keys(stillNow).length > 0) answers.stillNow = stillNow;
  if (data.selfHarm !== undefined) answers.selfHarm = data.selfHarm;
  if (data.selfHarmNow !== undefined) answers.selfHarmNow = data.selfHarmNow;
  if (data.note !== undefined && data.note !== '') answers.note = data.note;
  if (data.phq9 !== undefined) answers.phq9 = [...data.phq9];
  else if (data.phq9Item9 !== undefined) answers.phq9Item9 = data.phq9Item9;
  if (data.phq9Difficulty !== undefined) answers.phq9Difficulty = data.phq9Difficulty;
  if (data.gad7 !== undefined) answers.gad7 = [...data.gad7];
  return answers;
}
