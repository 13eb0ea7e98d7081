import { describe, expect, it } from 'vitest';
import type { FieldError, ParseResult } from '../../shared/contracts/booking-events';
import {
  checkinFormFields,
  checkinReplySchemaFor,
  parseCheckinForm,
  parseCheckinJson,
} from '../../shared/contracts/checkin-reply';
import {
  CHECKIN_KINDS,
  type CheckinAnswers,
  type CheckinKind,
  SIDE_EFFECTS,
} from '../../shared/contracts/vocabulary';

function errorsOf(result: ParseResult<CheckinAnswers>): FieldError[] {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.errors;
}

function accepted(result: ParseResult<CheckinAnswers>): CheckinAnswers {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** The distinct fields a rejection names. */
const fields = (result: ParseResult<CheckinAnswers>) => [...new Set(errorsOf(result).map((e) => e.field))];

const messageFor = (result: ParseResult<CheckinAnswers>, field: string) =>
  errorsOf(result).find((error) => error.field === field)?.message;

/** A valid JSON body for the week check-in, with every field. */
function aWeekBody(): Record<string, unknown> {
  return {
    mood: 6,
    sideEffects: { nausea: 'mild', dissociation: 'none' },
    selfHarm: 'no',
    wantsCall: false,
    note: 'Slept well.',
    phq9: [1, 0, 2, 1, 0, 0, 1, 0, 0],
    gad7: [0, 1, 1, 0, 2, 0, 0],
  };
}

/** The smallest valid JSON body. */
const aShortBody = (): Record<string, unknown> => ({ mood: 5, selfHarm: 'no' });

function withBody(changes: Record<string, unknown>, base = aShortBody()): Record<string, unknown> {
  const body = { ...base };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete body[key];
    else body[key] = value;
  }
  return body;
}

/** A valid form for the week check-in, with both screeners answered. */
function aWeekForm(): Record<string, string> {
  return {
    mood: '6',
    'sideEffects.nausea': 'mild',
    'sideEffects.panic': 'none',
    selfHarm: 'no',
    wantsCall: 'yes',
    note: '  Slept well.  ',
    ...Object.fromEntries(
      [1, 0, 2, 1, 0, 0, 1, 0, 0].map((value, index) => [`phq9.${index}`, String(value)]),
    ),
    ...Object.fromEntries([0, 1, 1, 0, 2, 0, 0].map((value, index) => [`gad7.${index}`, String(value)])),
  };
}

const aShortForm = (): Record<string, string | string[]> => ({ mood: '5', selfHarm: 'no' });

describe('checkin-reply', () => {
  describe('parseCheckinJson', () => {
    it('accepts a full week reply and keeps every answer', () => {
      expect(accepted(parseCheckinJson(aWeekBody(), 'checkin-week'))).toEqual({
        mood: 6,
        sideEffects: { nausea: 'mild', dissociation: 'none' },
        selfHarm: 'no',
        wantsCall: false,
        note: 'Slept well.',
        phq9: [1, 0, 2, 1, 0, 0, 1, 0, 0],
        gad7: [0, 1, 1, 0, 2, 0, 0],
      });
    });

    it('fills in the defaults when only mood and selfHarm are sent', () => {
      for (const kind of CHECKIN_KINDS) {
        expect(accepted(parseCheckinJson(aShortBody(), kind))).toEqual({
          mood: 5,
          sideEffects: {},
          selfHarm: 'no',
          wantsCall: false,
        });
      }
    });

    it('gives each reply its own side-effects object when the default is used', () => {
      const first = accepted(parseCheckinJson(aShortBody(), 'checkin-same-day'));
      const second = accepted(parseCheckinJson(aShortBody(), 'checkin-same-day'));
      first.sideEffects.nausea = 'severe';
      expect(second.sideEffects).toEqual({});
    });

    it('accepts mood at both ends of the scale', () => {
      expect(accepted(parseCheckinJson(withBody({ mood: 0 }), 'checkin-same-day')).mood).toBe(0);
      expect(accepted(parseCheckinJson(withBody({ mood: 10 }), 'checkin-same-day')).mood).toBe(10);
    });

    it('trims the note and leaves out a note that is only spaces', () => {
      expect(accepted(parseCheckinJson(withBody({ note: '  hi  ' }), 'checkin-next-day')).note).toBe('hi');
      const blank = accepted(parseCheckinJson(withBody({ note: ' \n ' }), 'checkin-next-day'));
      expect(blank).not.toHaveProperty('note');
    });

    it('accepts a note of exactly 2000 characters', () => {
      const note = 'a'.repeat(2000);
      expect(accepted(parseCheckinJson(withBody({ note }), 'checkin-next-day')).note).toBe(note);
    });

    it('accepts the week check-in without the screeners, or with only one of them', () => {
      const { phq9: _phq9, ...withoutPhq9 } = aWeekBody();
      const value = accepted(parseCheckinJson(withoutPhq9, 'checkin-week'));
      expect(value).not.toHaveProperty('phq9');
      expect(value.gad7).toEqual([0, 1, 1, 0, 2, 0, 0]);
    });

    it('names mood when it is above 10', () => {
      const result = parseCheckinJson(withBody({ mood: 11 }), 'checkin-same-day');
      expect(errorsOf(result)).toEqual([{ field: 'mood', message: 'must be a whole number from 0 to 10' }]);
    });

    it('names mood when it is a number written as text', () => {
      expect(fields(parseCheckinJson(withBody({ mood: '5' }), 'checkin-same-day'))).toEqual(['mood']);
    });

    it('names mood when it is negative or not whole', () => {
      expect(fields(parseCheckinJson(withBody({ mood: -1 }), 'checkin-same-day'))).toEqual(['mood']);
      expect(fields(parseCheckinJson(withBody({ mood: 5.5 }), 'checkin-same-day'))).toEqual(['mood']);
    });

    it('names mood once when it breaks two checks', () => {
      const result = parseCheckinJson(withBody({ mood: 11.5 }), 'checkin-same-day');
      expect(errorsOf(result)).toEqual([{ field: 'mood', message: 'must be a whole number from 0 to 10' }]);
    });

    it('says mood is required when it is missing', () => {
      const result = parseCheckinJson(withBody({ mood: undefined }), 'checkin-same-day');
      expect(errorsOf(result)).toEqual([{ field: 'mood', message: 'is required' }]);
    });

    it('names an unknown side effect by its key', () => {
      const result = parseCheckinJson(withBody({ sideEffects: { itching: 'mild' } }), 'checkin-same-day');
      expect(errorsOf(result)).toEqual([
        { field: 'sideEffects.itching', message: 'is not a side effect we ask about' },
      ]);
    });

    it('names a side effect whose severity is not one of the four', () => {
      const result = parseCheckinJson(
        withBody({ sideEffects: { nausea: 'terrible', headache: 'mild' } }),
        'checkin-same-day',
      );
      expect(errorsOf(result)).toEqual([
        { field: 'sideEffects.nausea', message: 'must be one of none, mild, moderate, severe' },
      ]);
    });

    it('names sideEffects when it is not an object', () => {
      expect(fields(parseCheckinJson(withBody({ sideEffects: ['nausea'] }), 'checkin-same-day'))).toEqual([
        'sideEffects',
      ]);
    });

    it('says selfHarm is required when it is missing', () => {
      const result = parseCheckinJson(withBody({ selfHarm: undefined }), 'checkin-same-day');
      expect(errorsOf(result)).toEqual([{ field: 'selfHarm', message: 'is required' }]);
    });

    it('names selfHarm when it is not "no" or "yes"', () => {
      const result = parseCheckinJson(withBody({ selfHarm: true }), 'checkin-same-day');
      expect(errorsOf(result)).toEqual([{ field: 'selfHarm', message: 'must be "no" or "yes"' }]);
    });

    it('names wantsCall when it is not a boolean', () => {
      expect(fields(parseCheckinJson(withBody({ wantsCall: 'yes' }), 'checkin-same-day'))).toEqual([
        'wantsCall',
      ]);
    });

    it('names note when it has 2001 characters', () => {
      const result = parseCheckinJson(withBody({ note: 'a'.repeat(2001) }), 'checkin-same-day');
      expect(errorsOf(result)).toEqual([{ field: 'note', message: 'must be at most 2000 characters' }]);
    });

    it('names phq9 when it has 8 items', () => {
      const result = parseCheckinJson(
        withBody({ phq9: [0, 0, 0, 0, 0, 0, 0, 0] }, aWeekBody()),
        'checkin-week',
      );
      expect(errorsOf(result)).toEqual([{ field: 'phq9', message: 'must have exactly 9 answers' }]);
    });

    it('names the PHQ-9 item that is 4, by its index', () => {
      const result = parseCheckinJson(
        withBody({ phq9: [0, 0, 0, 0, 0, 0, 0, 0, 4] }, aWeekBody()),
        'checkin-week',
      );
      expect(errorsOf(result)).toEqual([{ field: 'phq9.8', message: 'must be a whole number from 0 to 3' }]);
    });

    it('names gad7 when it has 9 items and a PHQ-9 item sent as text', () => {
      const result = parseCheckinJson(
        withBody({ gad7: [0, 1, 2, 3, 0, 1, 2, 3, 0], phq9: [0, 0, 0, 0, '1', 0, 0, 0, 0] }, aWeekBody()),
        'checkin-week',
      );
      expect(fields(result).sort()).toEqual(['gad7', 'phq9.4']);
    });

    it('names each unknown top-level field', () => {
      const result = parseCheckinJson(withBody({ mood2: 3, comment: 'x' }), 'checkin-same-day');
      expect(errorsOf(result)).toEqual([
        { field: 'mood2', message: 'is not part of a check-in reply' },
        { field: 'comment', message: 'is not part of a check-in reply' },
      ]);
    });

    it('rejects the screeners at a check-in that does not ask them', () => {
      const { phq9, gad7 } = aWeekBody();
      for (const kind of ['checkin-same-day', 'checkin-next-day'] as const) {
        const result = parseCheckinJson(withBody({ phq9, gad7 }), kind);
        expect(errorsOf(result)).toEqual([
          { field: 'phq9', message: 'is not asked at this check-in' },
          { field: 'gad7', message: 'is not asked at this check-in' },
        ]);
      }
    });

    it('names every bad field at once, not just the first', () => {
      const result = parseCheckinJson(
        {
          mood: 11,
          sideEffects: { nausea: 'bad', itching: 'mild' },
          wantsCall: 1,
          note: 'a'.repeat(2001),
          phq9: [0, 0, 0, 0, 0, 0, 0, 0],
          extra: true,
        },
        'checkin-week',
      );
      expect(fields(result).sort()).toEqual(
        [
          'extra',
          'mood',
          'note',
          'phq9',
          'selfHarm',
          'sideEffects.itching',
          'sideEffects.nausea',
          'wantsCall',
        ].sort(),
      );
    });

    it('names the body when it is not an object', () => {
      for (const body of [null, [], 'mood=5', 5, undefined]) {
        expect(errorsOf(parseCheckinJson(body, 'checkin-same-day'))).toEqual([
          { field: 'body', message: 'must be a JSON object' },
        ]);
      }
    });
  });

  describe('checkinReplySchemaFor', () => {
    it('has the screeners only at the check-ins that ask them', () => {
      const hasScreeners = (kind: CheckinKind) => 'phq9' in checkinReplySchemaFor(kind).shape;
      expect(CHECKIN_KINDS.filter(hasScreeners)).toEqual(['checkin-week']);
    });
  });

  describe('checkinFormFields', () => {
    it('lists mood, each side effect (with its still-now follow-up), selfHarm and its follow-up, wantsCall and note at the short check-ins', () => {
      expect(checkinFormFields('checkin-same-day')).toEqual([
        'mood',
        ...SIDE_EFFECTS.flatMap((effect) =>
          effect === 'dissociation' || effect === 'out-of-body'
            ? [`sideEffects.${effect}`, `stillNow.${effect}`]
            : [`sideEffects.${effect}`],
        ),
        'selfHarm',
        'selfHarmNow',
        'wantsCall',
        'note',
      ]);
    });

    it('adds the nine PHQ-9 and seven GAD-7 items at the week check-in', () => {
      const week = checkinFormFields('checkin-week');
      expect(week.slice(0, checkinFormFields('checkin-next-day').length)).toEqual(
        checkinFormFields('checkin-next-day'),
      );
      expect(week.filter((field) => field.startsWith('phq9.'))).toEqual(
        ['0', '1', '2', '3', '4', '5', '6', '7', '8'].map((index) => `phq9.${index}`),
      );
      expect(week.filter((field) => field.startsWith('gad7.'))).toEqual(
        ['0', '1', '2', '3', '4', '5', '6'].map((index) => `gad7.${index}`),
      );
    });
  });

  describe('parseCheckinForm', () => {
    it('parses a complete week form to the same answers the JSON gives', () => {
      expect(accepted(parseCheckinForm(aWeekForm(), 'checkin-week'))).toEqual({
        mood: 6,
        sideEffects: { nausea: 'mild', panic: 'none' },
        selfHarm: 'no',
        wantsCall: true,
        note: 'Slept well.',
        phq9: [1, 0, 2, 1, 0, 0, 1, 0, 0],
        gad7: [0, 1, 1, 0, 2, 0, 0],
      });
    });

    it('reads an unticked checkbox (absent) as wantsCall false and a ticked one as true', () => {
      expect(accepted(parseCheckinForm(aShortForm(), 'checkin-same-day')).wantsCall).toBe(false);
      const ticked = { ...aShortForm(), wantsCall: 'yes' };
      expect(accepted(parseCheckinForm(ticked, 'checkin-same-day')).wantsCall).toBe(true);
    });

    it('names wantsCall when the checkbox sends anything but "yes"', () => {
      const result = parseCheckinForm({ ...aShortForm(), wantsCall: 'on' }, 'checkin-same-day');
      expect(errorsOf(result)).toEqual([{ field: 'wantsCall', message: 'must be "yes" or left out' }]);
    });

    it('counts an absent or empty side effect as none, and leaves it out', () => {
      const value = accepted(
        parseCheckinForm(
          { ...aShortForm(), 'sideEffects.nausea': '', 'sideEffects.panic': 'moderate' },
          'checkin-same-day',
        ),
      );
      expect(value.sideEffects).toEqual({ panic: 'moderate' });
    });

    it('leaves out the screeners when none of their items is answered', () => {
      const value = accepted(parseCheckinForm({ ...aShortForm(), 'phq9.0': '' }, 'checkin-week'));
      expect(value).not.toHaveProperty('phq9');
      expect(value).not.toHaveProperty('gad7');
    });

    it('names each missing item of a partly answered PHQ-9, and no GAD-7 item', () => {
      const form = {
        ...aShortForm(),
        'phq9.0': '1',
        'phq9.1': '0',
        'phq9.2': '2',
        'phq9.3': '',
        'phq9.8': '0',
      };
      const result = parseCheckinForm(form, 'checkin-week');
      expect(fields(result)).toEqual(['phq9.3', 'phq9.4', 'phq9.5', 'phq9.6', 'phq9.7']);
      expect(messageFor(result, 'phq9.4')).toBe('is required once any PHQ-9 question is answered');
    });

    it('names the missing items of a partly answered GAD-7', () => {
      const form = { ...aShortForm(), 'gad7.6': '3' };
      expect(fields(parseCheckinForm(form, 'checkin-week'))).toEqual([
        'gad7.0',
        'gad7.1',
        'gad7.2',
        'gad7.3',
        'gad7.4',
        'gad7.5',
      ]);
    });

    it('names a screener item that is not 0-3', () => {
      const form = { ...aWeekForm(), 'phq9.8': '4', 'gad7.0': 'often' };
      const result = parseCheckinForm(form, 'checkin-week');
      expect(errorsOf(result)).toEqual([
        { field: 'phq9.8', message: 'must be a whole number from 0 to 3' },
        { field: 'gad7.0', message: 'must be a whole number from 0 to 3' },
      ]);
    });

    it('rejects screener fields at a check-in that does not ask them', () => {
      const form = { ...aShortForm(), 'phq9.0': '1', 'gad7.2': '0' };
      const result = parseCheckinForm(form, 'checkin-next-day');
      expect(errorsOf(result)).toEqual([
        { field: 'phq9.0', message: 'is not asked at this check-in' },
        { field: 'gad7.2', message: 'is not asked at this check-in' },
      ]);
    });

    it('names a field sent more than once', () => {
      const result = parseCheckinForm({ ...aShortForm(), mood: ['5', '9'] }, 'checkin-same-day');
      expect(errorsOf(result)).toEqual([{ field: 'mood', message: 'was sent more than once' }]);
    });

    it('takes a one-item list as the value', () => {
      expect(accepted(parseCheckinForm({ ...aShortForm(), mood: ['7'] }, 'checkin-same-day')).mood).toBe(7);
    });

    it('uses the JSON paths and messages for mood, side effects, selfHarm and note', () => {
      const result = parseCheckinForm(
        { mood: '11', 'sideEffects.nausea': 'terrible', selfHarm: 'maybe', note: 'a'.repeat(2001) },
        'checkin-same-day',
      );
      expect(errorsOf(result)).toEqual([
        { field: 'mood', message: 'must be a whole number from 0 to 10' },
        { field: 'sideEffects.nausea', message: 'must be one of none, mild, moderate, severe' },
        { field: 'selfHarm', message: 'must be "no" or "yes"' },
        { field: 'note', message: 'must be at most 2000 characters' },
      ]);
    });

    it('says mood and selfHarm are required when they are missing or empty', () => {
      const result = parseCheckinForm({ mood: '', 'sideEffects.fatigue': 'mild' }, 'checkin-same-day');
      expect(errorsOf(result)).toEqual([
        { field: 'mood', message: 'is required' },
        { field: 'selfHarm', message: 'is required' },
      ]);
    });

    it('names mood when it is not a whole number', () => {
      for (const mood of ['five', '5.5', '-1', ' 5']) {
        expect(fields(parseCheckinForm({ ...aShortForm(), mood }, 'checkin-same-day'))).toEqual(['mood']);
      }
    });

    it('names unknown fields and unknown side effects', () => {
      const result = parseCheckinForm(
        { ...aShortForm(), submit: 'Send', 'sideEffects.itching': 'mild', 'phq9.9': '1' },
        'checkin-week',
      );
      expect(errorsOf(result)).toEqual([
        { field: 'submit', message: 'is not part of a check-in reply' },
        { field: 'sideEffects.itching', message: 'is not a side effect we ask about' },
        { field: 'phq9.9', message: 'is not part of a check-in reply' },
      ]);
    });

    it('lists errors in the order of the form, whatever order the fields came in', () => {
      const form = { note: 'a'.repeat(2001), 'gad7.0': '1', selfHarm: 'x', mood: '99' };
      expect(fields(parseCheckinForm(form, 'checkin-week'))).toEqual([
        'mood',
        'selfHarm',
        'note',
        'gad7.1',
        'gad7.2',
        'gad7.3',
        'gad7.4',
        'gad7.5',
        'gad7.6',
      ]);
    });
  });
});
