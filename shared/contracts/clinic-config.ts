import { IANAZone } from 'luxon';
import { z } from 'zod';
import { MESSAGE_KINDS, type MessageKind } from '../domain/message-kinds';
import { LANGUAGES, type TREATMENTS, toFieldErrors } from './booking-events';
import { DEFAULT_TRIAGE_RULES, triageRulesSchema } from './triage-rules';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');
const timeZone = z.string().refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone');

/**
 * An offset from an anchor. Days keep the local wall-clock time across DST
 * changes; hours and minutes are elapsed time (DESIGN section 3).
 */
export const offsetSchema = z.strictObject({
  days: z.number().int().min(-60).max(60).optional(),
  hours: z.number().int().min(-72).max(72).optional(),
  minutes: z.number().int().min(-1440).max(1440).optional(),
});
export type Offset = z.infer<typeof offsetSchema>;

/**
 * One row of the follow-up plan.
 * - `channels`: `email` = email, SMS when the patient has no email; `sms` the
 *   reverse; `both` = each channel the patient has.
 * - `quietHours`: what happens when the time falls in quiet hours:
 *   `send` anyway, move `earlier` (to the minute before quiet hours begin),
 *   move `later` (to the end of quiet hours), or `skip`.
 * - `notBefore`: for `earlier`, the earliest allowed time as an offset from
 *   the anchor; moving earlier than that skips the message instead.
 */
export const planRuleSchema = z.strictObject({
  kind: z.enum(MESSAGE_KINDS),
  anchor: z.enum(['received', 'start', 'end']),
  offset: offsetSchema,
  channels: z.enum(['email', 'sms', 'both']),
  quietHours: z.enum(['send', 'earlier', 'later', 'skip']),
  notBefore: offsetSchema.optional(),
});
export type PlanRule = z.infer<typeof planRuleSchema>;

/** DESIGN section 3, the default plan. */
export const DEFAULT_PLAN: PlanRule[] = [
  { kind: 'prep-instructions', anchor: 'received', offset: {}, channels: 'email', quietHours: 'send' },
  { kind: 'prep-reminder', anchor: 'start', offset: { days: -1 }, channels: 'both', quietHours: 'earlier' },
  { kind: 'prep-day-of', anchor: 'start', offset: { hours: -2 }, channels: 'sms', quietHours: 'skip' },
  {
    kind: 'checkin-same-day',
    anchor: 'end',
    offset: { hours: 4 },
    channels: 'both',
    quietHours: 'earlier',
    notBefore: { hours: 2 },
  },
  { kind: 'checkin-next-day', anchor: 'end', offset: { days: 1 }, channels: 'both', quietHours: 'later' },
  { kind: 'checkin-week', anchor: 'end', offset: { days: 7 }, channels: 'email', quietHours: 'later' },
];

/** One message's wording in one language. Placeholders are `{{name}}`. */
export const messageTemplateSchema = z.strictObject({
  /** Email subject: at most a first name and the clinic's name, no drug or symptom. */
  subject: z.string().min(1).max(150),
  /** Email body as plain text; blank lines separate paragraphs, lines starting with "- " are list items. */
  body: z.string().min(1).max(20_000),
  /** SMS text: one GSM-7 segment once rendered. */
  sms: z.string().min(1).max(320),
});
export type MessageTemplate = z.infer<typeof messageTemplateSchema>;

const templatesForLanguage = z.strictObject(
  Object.fromEntries(MESSAGE_KINDS.map((kind) => [kind, messageTemplateSchema])) as Record<
    MessageKind,
    typeof messageTemplateSchema
  >,
);

const fastingSchema = z.strictObject({
  /** No solid food for this many hours before the session. */
  solidFoodHours: z.number().min(0).max(24),
  /** Clear liquids allowed until this many minutes before the session. */
  clearLiquidsMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60),
});

export const clinicConfigSchema = z.strictObject({
  clinic: z.strictObject({
    name: z.string().trim().min(1).max(40),
    /** Shown to patients in messages and on error pages. */
    phone: z.string().trim().min(7).max(30),
    timeZone,
    website: z.url().optional(),
    address: z.string().max(300).optional(),
  }),
  sender: z.strictObject({
    /** A verified SES identity. */
    email: z.email(),
    replyTo: z.email().optional(),
    /** SMS origination identity (toll-free or 10DLC number) registered in AWS End User Messaging. */
    smsOriginationNumber: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/)
      .optional(),
    /** Monthly SMS spend limit in USD, set on the account by the operator. */
    smsMonthlySpendLimitUsd: z.number().positive().default(100),
  }),
  /** EventBridge custom bus name. */
  busName: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,256}$/)
    .default('clinic-bookings'),
  /** Event `source` values accepted from the booking system. */
  bookingSources: z.array(z.string().min(1).max(256)).min(1).default(['clinic.booking']),
  links: z
    .strictObject({
      /** Short link domain (e.g. `https://c.example.org`); default the API's own URL. */
      baseUrl: z.url().optional(),
      /** How long a check-in or instructions link stays valid after sending. */
      ttlDays: z.number().int().min(1).max(60).default(7),
    })
    .default({ ttlDays: 7 }),
  quietHours: z.strictObject({ start: hhmm, end: hhmm }).default({ start: '21:00', end: '08:00' }),
  graceMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(60),
  plan: z
    .array(planRuleSchema)
    .default(DEFAULT_PLAN)
    .refine(
      (rules) => new Set(rules.map((rule) => rule.kind)).size === rules.length,
      'each message kind may appear once',
    ),
  /** Triage rules for check-in replies (DESIGN section 7); ids must be unique. */
  triage: triageRulesSchema.default(DEFAULT_TRIAGE_RULES),
  preparation: z.strictObject({
    /** Fasting before a session: `default`, overridden per treatment. */
    fasting: z.strictObject({
      default: fastingSchema,
      'iv-ketamine': fastingSchema.optional(),
      'im-ketamine': fastingSchema.optional(),
      'esketamine-nasal': fastingSchema.optional(),
      kap: fastingSchema.optional(),
      other: fastingSchema.optional(),
    } satisfies Record<'default' | (typeof TREATMENTS)[number], z.ZodType>),
  }),
  templates: z.strictObject(
    Object.fromEntries(LANGUAGES.map((language) => [language, templatesForLanguage])) as Record<
      (typeof LANGUAGES)[number],
      typeof templatesForLanguage
    >,
  ),
  /** Who is told about urgent replies, and how escalation goes (DESIGN section 8). */
  staff: z
    .strictObject({
      /** Subscribed to the staff alert topic (email subscriptions must be confirmed after deploy). */
      alertEmails: z.array(z.email()).default([]),
      alertSms: z.array(z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be E.164')).default([]),
      /** Subscribed to the escalation topic: who is told when nobody acknowledged. */
      escalationEmails: z.array(z.email()).default([]),
      escalationSms: z.array(z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be E.164')).default([]),
      /** Where the daily review digest goes; no digest without it. */
      digestEmail: z.email().optional(),
      /** Local time (clinic zone) the review digest is sent. */
      digestTime: hhmm.default('08:00'),
      /** Minutes from the urgent reply to the first escalation. */
      escalateAfterMinutes: z.number().int().min(1).max(240).default(15),
      /** Minutes between later escalations. */
      repeatEveryMinutes: z.number().int().min(5).max(240).default(30),
      /** Escalations at most, after which the alert stays open (and its alarm stays on). */
      maxEscalations: z.number().int().min(1).max(12).default(4),
      /** Days a staff link (acknowledge, reply page) stays valid. */
      linkDays: z.number().int().min(1).max(30).default(7),
    })
    .default({
      alertEmails: [],
      alertSms: [],
      escalationEmails: [],
      escalationSms: [],
      digestTime: '08:00',
      escalateAfterMinutes: 15,
      repeatEveryMinutes: 30,
      maxEscalations: 4,
      linkDays: 7,
    }),
  /** Deploy-time settings for the operator; used by the CDK stack only. */
  operations: z
    .strictObject({
      /** Subscribed by email to the operations alarm topic (confirm the subscription after deploy). */
      alarmEmail: z.email().optional(),
    })
    .optional(),
});

export type ClinicConfigInput = z.input<typeof clinicConfigSchema>;
export type ClinicConfig = z.output<typeof clinicConfigSchema>;

/** Raised at synth and cold start when the clinic config is invalid; the message names every bad field. */
export class ClinicConfigError extends Error {
  constructor(readonly errors: { field: string; message: string }[]) {
    super(`Invalid clinic config:\n${errors.map((e) => `  ${e.field}: ${e.message}`).join('\n')}`);
    this.name = 'ClinicConfigError';
  }
}

/** Parses the clinic config's shape; see `validateClinicConfig` for the checks that render templates. */
export function parseClinicConfig(input: unknown): ClinicConfig {
  const result = clinicConfigSchema.safeParse(input);
  if (!result.success) throw new ClinicConfigError(toFieldErrors(result.error, ''));
  return result.data;
}
