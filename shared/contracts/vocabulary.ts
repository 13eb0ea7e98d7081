/*
 * The words every layer shares (DESIGN section 4): message kinds and
 * channels, the side effects and severities a check-in asks about, and the
 * screeners' shape. Contracts, the domain and the web layer all import them
 * from here, so no import runs from the contracts up into the domain.
 */

/** The follow-up messages of a booking, in the order a patient receives them. */
export const MESSAGE_KINDS = [
  'prep-instructions',
  'prep-reminder',
  'prep-day-of',
  'checkin-same-day',
  'checkin-next-day',
  'checkin-week',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const CHECKIN_KINDS = [
  'checkin-same-day',
  'checkin-next-day',
  'checkin-week',
] as const satisfies readonly MessageKind[];
export type CheckinKind = (typeof CHECKIN_KINDS)[number];

/** What a stored patient reply answers: a check-in, or a text to the clinic's number (DESIGN section 11). */
export type ReplyKind = CheckinKind | 'text';

export function isCheckinKind(kind: string): kind is CheckinKind {
  return (CHECKIN_KINDS as readonly string[]).includes(kind);
}

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The side effects a check-in asks about (DESIGN section 7), in the order the form shows them. */
export const SIDE_EFFECTS = [
  'nausea',
  'vomiting',
  'dizziness',
  'fainting',
  'racing-heart',
  'chest-pain',
  'trouble-breathing',
  'headache',
  'blurred-vision',
  'fatigue',
  'dissociation',
  'out-of-body',
  'confusion',
  'hallucinations',
  'panic',
  'restlessness',
  'poor-coordination',
  'unusually-high-mood',
  'bladder',
] as const;
export type SideEffect = (typeof SIDE_EFFECTS)[number];

/**
 * Effects the form follows up with "Do you still feel this now?" when rated
 * mild or worse: felt during the dose, they matter only if they last.
 */
export const STILL_NOW_EFFECTS = ['dissociation', 'out-of-body'] as const satisfies readonly SideEffect[];
export type StillNowEffect = (typeof STILL_NOW_EFFECTS)[number];

/** Effects expected on the day of a session (DESIGN section 7): never urgent at `checkin-same-day`. */
export const EXPECTED_SAME_DAY_EFFECTS = [
  'fatigue',
  'dissociation',
  'out-of-body',
] as const satisfies readonly SideEffect[];

export const SEVERITIES = ['none', 'mild', 'moderate', 'severe'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const PHQ9_ITEMS = 9;
export const GAD7_ITEMS = 7;

/** Each item of either screener is scored 0 (not at all) to 3 (nearly every day). */
export const SCREENER_ITEM_MAX = 3;

export type YesNo = 'no' | 'yes';

/**
 * One patient's answers to a check-in, as validated at the edge. `mood` and
 * `selfHarm` are always there in a valid reply; a reply stored because it
 * carried a red flag although other fields were invalid (DESIGN section 7,
 * "an urgent answer is never lost") may lack them.
 */
export interface CheckinAnswers {
  /** 0 (worst) to 10 (best). */
  mood?: number;
  /** Effects not listed count as `none`. */
  sideEffects: Partial<Record<SideEffect, Severity>>;
  /** For effects rated mild or worse that the form follows up: whether the patient still feels it; unanswered counts as yes. */
  stillNow?: Partial<Record<StillNowEffect, boolean>>;
  /** Thoughts that they would be better off dead, or of hurting themselves. */
  selfHarm?: YesNo;
  /** Asked when `selfHarm` is yes: thinking of acting on it now. */
  selfHarmNow?: YesNo;
  wantsCall: boolean;
  note?: string;
  /** Nine items scored 0-3, asked at `checkin-week`. */
  phq9?: number[];
  /** PHQ-9 item 9 alone, kept from a reply whose other PHQ-9 answers could not be read (it is a red flag). */
  phq9Item9?: number;
  /** Seven items scored 0-3, asked at `checkin-week`. */
  gad7?: number[];
  /** PHQ-9 item 10 (how difficult the problems made things), 0-3; not scored. */
  phq9Difficulty?: number;
}

/** The triage advice a patient is given, strongest first (DESIGN section 7). */
export const ADVICE = ['emergency', 'crisis', 'call-us', 'callback', 'none'] as const;
export type Advice = (typeof ADVICE)[number];

/** Whether a check-in asks the PHQ-9 and GAD-7 (the longer, weekly one). */
export function asksScreeners(kind: CheckinKind): boolean {
  return kind === 'checkin-week';
}
