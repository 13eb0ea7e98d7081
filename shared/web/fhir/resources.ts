import { createHash } from 'node:crypto';
import type {
  Appointment,
  Coding,
  Observation,
  Patient,
  Questionnaire,
  QuestionnaireItem,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
} from '@medplum/fhirtypes';
import {
  CHECKIN_KINDS,
  type CheckinKind,
  GAD7_ITEMS,
  PHQ9_ITEMS,
  SEVERITIES,
  SIDE_EFFECTS,
  STILL_NOW_EFFECTS,
} from '../../contracts/vocabulary';
import type { BookingRecord } from '../../domain/booking-record';
import type { StoredReply } from '../../domain/ports';
import { t } from '../i18n';

/*
 * FHIR R4 out (DESIGN section 12): the three check-ins as `Questionnaire`s, each reply as a
 * `QuestionnaireResponse` against them with PHQ-9 and GAD-7 under their LOINC codes, the screener totals also as
 * `Observation`s, the booking as an `Appointment` and the patient as a `Patient`. Pure: the export walks the
 * table and writes NDJSON around these.
 */

const LOINC = 'http://loinc.org';
const ORDINAL = 'http://hl7.org/fhir/StructureDefinition/ordinalValue';

/** PHQ-9 (panel 44249-1): the nine items in questionnaire order, then item 10 (difficulty, not scored). */
export const PHQ9_LOINC = {
  panel: '44249-1',
  items: ['44250-9', '44255-8', '44259-0', '44254-1', '44251-7', '44258-2', '44252-5', '44253-3', '44260-8'],
  difficulty: '69722-7',
  total: '44261-6',
} as const;
/** GAD-7 (panel 69737-5): the seven items in questionnaire order. */
export const GAD7_LOINC = {
  panel: '69737-5',
  items: ['69725-0', '68509-9', '69733-4', '69734-2', '69735-9', '69689-8', '69736-7'],
  total: '70274-6',
} as const;
/** The answers of both screeners' items, scored 0 to 3. */
const FREQUENCY_ANSWERS = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'] as const;
/** PHQ-9 item 10's answers, 0 to 3. */
const DIFFICULTY_ANSWERS = ['LA6572-7', 'LA6573-5', 'LA6575-0', 'LA6574-3'] as const;

/** Where our own code systems, identifiers and questionnaires live: `<links.baseUrl>/fhir`. */
export interface FhirBase {
  url: string;
}

const system = (base: FhirBase, name: string) => `${base.url}/${name}`;

/** A FHIR id (`[A-Za-z0-9-.]{1,64}`): the value itself when it is one, else a stable hash of it. */
export function fhirId(value: string): string {
  return /^[A-Za-z0-9\-.]{1,64}$/.test(value)
    ? value
    : `h-${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}

export const QUESTIONNAIRE_VERSION = '1';
export const questionnaireUrl = (base: FhirBase, kind: CheckinKind) => `${base.url}/Questionnaire/${kind}`;

const loinc = (code: string, display?: string): Coding => ({
  system: LOINC,
  code,
  ...(display ? { display } : {}),
});
type Score = 0 | 1 | 2 | 3;

/** How often, 0 to 3: the answer of every PHQ-9 and GAD-7 item (both screeners word it the same). */
const frequencyCoding = (score: number) =>
  loinc(FREQUENCY_ANSWERS[score] ?? '', t('en', `phq9.option.${score as Score}`));
/** How difficult, 0 to 3: PHQ-9 item 10's answer. */
const difficultyCoding = (score: number) =>
  loinc(DIFFICULTY_ANSWERS[score] ?? '', t('en', `phq9Difficulty.option.${score as Score}`));
const severityCoding = (base: FhirBase, level: (typeof SEVERITIES)[number]): Coding => ({
  system: system(base, 'CodeSystem/side-effect-severity'),
  code: level,
  display: t('en', `severity.${level}`),
});

/** A scored item's answer options, each with its score. */
const scored = (coding: (score: number) => Coding) =>
  [0, 1, 2, 3].map((score) => ({
    valueCoding: coding(score),
    extension: [{ url: ORDINAL, valueDecimal: score }],
  }));

/** The check-in's `Questionnaire`; the week's carries PHQ-9 and GAD-7 as LOINC-coded groups. */
export function checkinQuestionnaire(base: FhirBase, kind: CheckinKind): Questionnaire {
  const window = t('en', `window.${kind}`);
  const items: QuestionnaireItem[] = [
    {
      linkId: 'mood',
      text: t('en', 'form.mood.legend'),
      type: 'integer',
      required: true,
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/minValue', valueInteger: 0 },
        { url: 'http://hl7.org/fhir/StructureDefinition/maxValue', valueInteger: 10 },
      ],
    },
    {
      linkId: 'sideEffects',
      text: t('en', 'form.sideEffects.heading', { window }),
      type: 'group',
      item: SIDE_EFFECTS.map((effect) => ({
        linkId: `sideEffects.${effect}`,
        text: t('en', `sideEffect.${effect}`),
        type: 'choice',
        answerOption: SEVERITIES.map((level) => ({ valueCoding: severityCoding(base, level) })),
      })),
    },
    {
      linkId: 'stillNow',
      text: t('en', 'form.stillNow.legend'),
      type: 'group',
      item: STILL_NOW_EFFECTS.map((effect) => ({
        linkId: `stillNow.${effect}`,
        text: t('en', `sideEffect.${effect}`),
        type: 'boolean',
      })),
    },
    {
      linkId: 'selfHarm',
      text: t('en', 'form.selfHarm.legend', { window }),
      type: 'boolean',
      required: true,
    },
    {
      linkId: 'selfHarmNow',
      text: t('en', 'form.selfHarmNow.legend'),
      type: 'boolean',
      enableWhen: [{ question: 'selfHarm', operator: '=', answerBoolean: true }],
    },
    { linkId: 'wantsCall', text: t('en', 'form.wantsCall.label'), type: 'boolean' },
    { linkId: 'note', text: t('en', 'form.note.label'), type: 'text', maxLength: 2000 },
  ];
  if (kind === 'checkin-week') {
    items.push(
      {
        linkId: 'phq9',
        code: [loinc(PHQ9_LOINC.panel, 'PHQ-9 quick depression assessment panel')],
        text: t('en', 'phq9.stem'),
        type: 'group',
        item: [
          ...PHQ9_LOINC.items.map((code, index) => ({
            linkId: `phq9.${index + 1}`,
            code: [loinc(code)],
            text: t('en', `phq9.${index as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8}`),
            type: 'choice' as const,
            answerOption: scored(frequencyCoding),
          })),
          {
            linkId: 'phq9.10',
            code: [loinc(PHQ9_LOINC.difficulty)],
            text: t('en', 'phq9Difficulty.legend'),
            type: 'choice',
            answerOption: scored(difficultyCoding),
          },
        ],
      },
      {
        linkId: 'gad7',
        code: [loinc(GAD7_LOINC.panel, 'Generalized anxiety disorder 7 item (GAD-7)')],
        text: t('en', 'gad7.stem'),
        type: 'group',
        item: GAD7_LOINC.items.map((code, index) => ({
          linkId: `gad7.${index + 1}`,
          code: [loinc(code)],
          text: t('en', `gad7.${index as 0 | 1 | 2 | 3 | 4 | 5 | 6}`),
          type: 'choice' as const,
          answerOption: scored(frequencyCoding),
        })),
      },
    );
  }
  return {
    resourceType: 'Questionnaire',
    id: kind,
    url: questionnaireUrl(base, kind),
    version: QUESTIONNAIRE_VERSION,
    name: kind.replace(/-(.)/g, (_, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toUpperCase()),
    title: `Check-in ${window}`,
    status: 'active',
    subjectType: ['Patient'],
    item: items,
  };
}

/** The three check-ins' questionnaires. */
export const checkinQuestionnaires = (base: FhirBase): Questionnaire[] =>
  CHECKIN_KINDS.map((kind) => checkinQuestionnaire(base, kind));

const patientReference = (patientId: string) => ({ reference: `Patient/${fhirId(patientId)}` });

/** A check-in reply against its questionnaire; a patient's text is no questionnaire answer (undefined). */
export function questionnaireResponse(
  base: FhirBase,
  reply: StoredReply,
  patientId: string,
): QuestionnaireResponse | undefined {
  if (reply.kind === 'text') return undefined;
  const { answers } = reply;
  const items: QuestionnaireResponseItem[] = [];
  if (answers.mood !== undefined) items.push({ linkId: 'mood', answer: [{ valueInteger: answers.mood }] });
  const effects = SIDE_EFFECTS.flatMap((effect) => {
    const level = answers.sideEffects[effect];
    return level
      ? [{ linkId: `sideEffects.${effect}`, answer: [{ valueCoding: severityCoding(base, level) }] }]
      : [];
  });
  if (effects.length > 0) items.push({ linkId: 'sideEffects', item: effects });
  const still = STILL_NOW_EFFECTS.flatMap((effect) => {
    const value = answers.stillNow?.[effect];
    return value === undefined ? [] : [{ linkId: `stillNow.${effect}`, answer: [{ valueBoolean: value }] }];
  });
  if (still.length > 0) items.push({ linkId: 'stillNow', item: still });
  // Thinking of acting on it now counts as having the thoughts (DESIGN section 7), so the answers agree.
  const selfHarm = answers.selfHarmNow === 'yes' ? 'yes' : answers.selfHarm;
  if (selfHarm) items.push({ linkId: 'selfHarm', answer: [{ valueBoolean: selfHarm === 'yes' }] });
  if (answers.selfHarmNow) {
    items.push({ linkId: 'selfHarmNow', answer: [{ valueBoolean: answers.selfHarmNow === 'yes' }] });
  }
  items.push({ linkId: 'wantsCall', answer: [{ valueBoolean: answers.wantsCall }] });
  // FHIR strings must hold more than white space.
  if (answers.note?.trim()) items.push({ linkId: 'note', answer: [{ valueString: answers.note }] });
  if (answers.phq9?.length === PHQ9_ITEMS) {
    items.push({
      linkId: 'phq9',
      item: [
        ...answers.phq9.map((score, index) => ({
          linkId: `phq9.${index + 1}`,
          answer: [{ valueCoding: frequencyCoding(score) }],
        })),
        ...(answers.phq9Difficulty !== undefined
          ? [
              {
                linkId: 'phq9.10',
                answer: [{ valueCoding: difficultyCoding(answers.phq9Difficulty) }],
              },
            ]
          : []),
      ],
    });
  }
  if (answers.gad7?.length === GAD7_ITEMS) {
    items.push({
      linkId: 'gad7',
      item: answers.gad7.map((score, index) => ({
        linkId: `gad7.${index + 1}`,
        answer: [{ valueCoding: frequencyCoding(score) }],
      })),
    });
  }
  return {
    resourceType: 'QuestionnaireResponse',
    id: fhirId(reply.replyId),
    identifier: { system: system(base, 'reply-id'), value: reply.replyId },
    questionnaire: `${questionnaireUrl(base, reply.kind)}|${QUESTIONNAIRE_VERSION}`,
    // A reply kept for its red flag may lack required answers: it is then not a completed questionnaire.
    status:
      answers.mood === undefined || selfHarm === undefined || reply.unread?.length
        ? 'in-progress'
        : 'completed',
    subject: patientReference(patientId),
    authored: reply.receivedAt,
    item: items,
  };
}

/** The screener totals of a reply as `Observation`s (LOINC 44261-6, 70274-6), the band as interpretation. */
export function screenerObservations(base: FhirBase, reply: StoredReply, patientId: string): Observation[] {
  if (reply.kind === 'text') return [];
  const totals = [
    { name: 'phq9', score: reply.scores.phq9, code: loinc(PHQ9_LOINC.total, 'PHQ-9 total score') },
    { name: 'gad7', score: reply.scores.gad7, code: loinc(GAD7_LOINC.total, 'GAD-7 total score') },
  ];
  return totals.flatMap(({ name, score, code }) =>
    score
      ? [
          {
            resourceType: 'Observation' as const,
            id: fhirId(`${reply.replyId}-${name}`),
            status: 'final' as const,
            category: [
              {
                coding: [
                  { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey' },
                ],
              },
            ],
            code: { coding: [code] },
            subject: patientReference(patientId),
            effectiveDateTime: reply.receivedAt,
            valueInteger: score.total,
            interpretation: [
              {
                coding: [{ system: system(base, 'CodeSystem/screener-band'), code: score.band }],
                text: score.band.replace('-', ' '),
              },
            ],
            derivedFrom: [{ reference: `QuestionnaireResponse/${fhirId(reply.replyId)}` }],
          },
        ]
      : [],
  );
}

/** The booking as an `Appointment`: booked, cancelled, or fulfilled once its session was completed. */
export function appointmentOf(base: FhirBase, record: BookingRecord): Appointment | undefined {
  const booking = record.booking;
  if (!booking) return undefined;
  const start = new Date(booking.session.startsAt);
  const end = new Date(start.getTime() + booking.session.durationMinutes * 60_000);
  return {
    resourceType: 'Appointment',
    id: fhirId(record.bookingId),
    identifier: [{ system: system(base, 'booking-id'), value: record.bookingId }],
    status: record.status === 'cancelled' ? 'cancelled' : record.endedAt ? 'fulfilled' : 'booked',
    ...(record.status === 'cancelled' && record.cancelReason
      ? { cancelationReason: { text: record.cancelReason } }
      : {}),
    serviceType: [
      { coding: [{ system: system(base, 'CodeSystem/treatment'), code: booking.session.treatment }] },
    ],
    start: start.toISOString(),
    end: end.toISOString(),
    minutesDuration: booking.session.durationMinutes,
    participant: [
      {
        actor: { ...patientReference(booking.patient.id), display: booking.patient.firstName },
        status: 'accepted',
      },
    ],
  };
}

/** The patient as a `Patient`: what the booking system gave us, nothing more. */
export function patientOf(
  base: FhirBase,
  patient: NonNullable<BookingRecord['booking']>['patient'],
): Patient {
  return {
    resourceType: 'Patient',
    id: fhirId(patient.id),
    identifier: [{ system: system(base, 'patient-id'), value: patient.id }],
    name: [{ given: [patient.firstName] }],
    telecom: [
      ...(patient.email ? [{ system: 'email' as const, value: patient.email }] : []),
      ...(patient.phone ? [{ system: 'sms' as const, value: patient.phone, use: 'mobile' as const }] : []),
    ],
    communication: [
      { language: { coding: [{ system: 'urn:ietf:bcp:47', code: patient.language }] }, preferred: true },
    ],
  };
}
