import { LANGUAGES, TREATMENTS, toFieldErrors } from './booking-events';
import { timeZoneSchema as timeZone } from './time-zone';
import { DEFAULT_TRIAGE_RULES, DEFAULT_URGENT_PHRASES, triageRulesSchema } from './triage-rules';
import { MESSAGE_KINDS, type MessageKind } from './vocabulary';
import * as z from './zod';

const hhmm = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)'));
const e164 = /^\+[1-9]\d{6,14}$/;

/** Whether a URL is https, or plain http on this machine only (the local runtime). */
function isHttpsOrLoopback(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

/** A DNS name such as `c.example.org` (no scheme, no path). */
function hostname() {
  return z
    .string()
    .check(
      z.regex(
        /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        'must be a DNS name like c.example.org',
      ),
    );
}

/** An ACM certificate ARN. */
function acmCertificateArn() {
  return z
    .string()
    .check(
      z.regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, 'must be an ACM certificate ARN'),
    );
}

/** A whole number from `min` to `max`. */
function whole(min: number, max: number) {
  return z.number().check(z.int(), z.minimum(min), z.maximum(max));
}

/**
 * An offset from an anchor. Days keep the local wall-clock time across DST
 * changes; hours and minutes are elapsed time (DESIGN section 3).
 */
export const offsetSchema = z.strictObject({
  days: z.optional(whole(-60, 60)),
  hours: z.optional(whole(-72, 72)),
  minutes: z.optional(whole(-1440, 1440)),
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
  notBefore: z.optional(offsetSchema),
});
export type PlanRule = z.infer<typeof planRuleSchema>;

/** DESIGN section 3, the default plan. */
export const DEFAULT_PLAN: PlanRule[] = [
  { kind: 'prep-instructions', anchor: 'received', offset: {}, channels: 'email', quietHours: 'send' },
  { kind: 'prep-reminder', anchor: 'start', offset: { days: -1 }, channels: 'both', quietHours: 'earlier' },
  // Three hours before: it arrives before the clear-liquid cutoff (2 h for IV, IM and KAP).
  { kind: 'prep-day-of', anchor: 'start', offset: { hours: -3 }, channels: 'sms', quietHours: 'skip' },
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
  subject: z.string().check(z.minLength(1), z.maxLength(150)),
  /** Email body as plain text; blank lines separate paragraphs, lines starting with "- " are list items. */
  body: z.string().check(z.minLength(1), z.maxLength(20_000)),
  /** SMS text: one GSM-7 segment once rendered. */
  sms: z.string().check(z.minLength(1), z.maxLength(320)),
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
  solidFoodHours: z.number().check(z.minimum(0), z.maximum(24)),
  /** Clear liquids allowed until this many minutes before the session. */
  clearLiquidsMinutes: whole(0, 24 * 60),
});

/** One treatment's preparation block, per language. */
const treatmentBlockSchema = z.strictObject(
  Object.fromEntries(
    LANGUAGES.map((language) => [language, z.string().check(z.minLength(1), z.maxLength(5000))]),
  ) as Record<(typeof LANGUAGES)[number], z.ZodMiniString>,
);

/** The default promise to a patient who asked for a call: a time the clinic can keep, no sooner. */
export const DEFAULT_CALLBACK_PROMISE = {
  en: 'Someone from our care team will call you during our office hours.',
  es: 'Alguien de nuestro equipo de atención le llamará en nuestro horario de atención.',
};

/** What the console says to do about an urgent alert unless the clinic writes its own protocol. */
export const DEFAULT_PROTOCOL =
  'Call the patient now. If you cannot reach them and they may be in danger, call 911 for a welfare check. Record what happened before you close the alert.';

export const clinicConfigSchema = z.strictObject({
  clinic: z.strictObject({
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(40)),
    /** The clinic's name in SMS, at most 20 characters (one segment with the day-before content); default the name. */
    smsName: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(20))),
    /** Shown to patients in messages and on error pages. */
    phone: z.string().check(z.trim(), z.minLength(7), z.maxLength(30)),
    timeZone,
    website: z.optional(z.url()),
    address: z.optional(z.string().check(z.maxLength(300))),
  }),
  sender: z.strictObject({
    /** A verified SES identity. */
    email: z.email(),
    replyTo: z.optional(z.email()),
  }),
  /** SMS through AWS End User Messaging SMS (DESIGN section 11), for patients and staff alike. */
  sms: z._default(
    z.strictObject({
      /**
       * The registered toll-free or 10DLC number, or a pool of them: its id (`phone-…`, `pool-…`) or ARN. Without
       * it End User Messaging picks one of the account's numbers.
       */
      originationIdentity: z.optional(
        z
          .string()
          .check(
            z.regex(
              /^(?:(?:phone|pool)-[0-9a-f]{32}|arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(?:phone-number\/phone|pool\/pool)-[0-9a-f]{32})$/,
              'must be a phone number id or pool id (phone-…, pool-…) or its ARN',
            ),
          ),
      ),
      /** The most paid for one message part, in US dollars: a dearer route is refused, not sent. */
      maxPrice: z._default(
        z.string().check(z.regex(/^(?:0|[1-9]\d{0,2})(?:\.\d{1,5})?$/, 'must be US dollars, e.g. "0.05"')),
        '0.05',
      ),
      /** How long carriers may keep trying a text before it expires (a late reminder is worse than none). */
      timeToLiveMinutes: z._default(whole(5, 4320), 360),
      /**
       * The kind of number patients text: a US toll-free number opts out on STOP alone and back in on START
       * or UNSTOP; 10DLC numbers and short codes take End User Messaging's whole opt-out keyword list.
       */
      numberType: z._default(z.enum(['toll-free', '10dlc']), 'toll-free'),
      /**
       * At most this many planned texts to one patient in any rolling 24 hours (DESIGN section 3): one more
       * goes by email where it can, or waits, or is skipped (the plan says which).
       */
      perPatientPerDay: z._default(whole(1, 10), 3),
    }),
    { maxPrice: '0.05', timeToLiveMinutes: 360, numberType: 'toll-free', perPatientPerDay: 3 },
  ),
  /** EventBridge custom bus name. */
  busName: z._default(z.string().check(z.regex(/^[A-Za-z0-9._-]{1,256}$/)), 'clinic-bookings'),
  /** Event `source` values accepted from the booking system. */
  bookingSources: z._default(
    z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.minLength(1)),
    ['clinic.booking'],
  ),
  /**
   * Who may put events on the bus (DESIGN section 8); no one else can, whatever their IAM policies say.
   * The stack always creates a publisher role; `publisherAccount` (with `publisherExternalId`) lets the
   * booking system's own AWS account assume it, otherwise principals of this account may.
   */
  publishers: z._default(
    z
      .strictObject({
        /** IAM role or user ARNs of the booking system that may put events directly, besides the role. */
        principals: z._default(
          z.array(z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/))),
          [],
        ),
        /** The booking system's AWS account, which assumes the publisher role. */
        publisherAccount: z.optional(z.string().check(z.regex(/^\d{12}$/))),
        /** The external id it must give; required with `publisherAccount`. */
        publisherExternalId: z.optional(z.string().check(z.regex(/^[\w+=,.@:/-]{16,1224}$/))),
      })
      .check(
        z.refine((p) => (p.publisherAccount === undefined) === (p.publisherExternalId === undefined), {
          error: 'publisherAccount and publisherExternalId go together',
          path: ['publisherExternalId'],
        }),
      ),
    { principals: [] },
  ),
  links: z._default(
    z
      .strictObject({
        /** Short link domain (e.g. `https://c.example.org`); default the API's own URL. https, except on loopback. */
        baseUrl: z.optional(
          z.url().check(
            z.refine((url) => isHttpsOrLoopback(url), {
              error: 'must be https (http only for 127.0.0.1 or localhost)',
            }),
          ),
        ),
        /** How long a check-in or instructions link stays valid after sending. */
        ttlDays: z._default(whole(1, 60), 7),
        /** Days between rotations of the link-signing key (Secrets Manager); a link outlives one rotation. */
        keyRotationDays: z._default(whole(1, 365), 90),
      })
      .check(
        // A link signed just before a rotation must still verify (as the previous key) until it expires.
        z.refine((links) => links.keyRotationDays >= links.ttlDays, {
          error: 'must be at least links.ttlDays, or links would stop opening before they expire',
          path: ['keyRotationDays'],
        }),
      ),
    { ttlDays: 7, keyRotationDays: 90 },
  ),
  quietHours: z._default(z.strictObject({ start: hhmm, end: hhmm }), { start: '21:00', end: '08:00' }),
  graceMinutes: z._default(whole(0, 24 * 60), 60),
  plan: z
    ._default(z.array(planRuleSchema), DEFAULT_PLAN)
    .check(
      z.refine(
        (rules) => new Set(rules.map((rule) => rule.kind)).size === rules.length,
        'each message kind may appear once',
      ),
    ),
  /** Triage rules for check-in replies (DESIGN section 7); ids must be unique. */
  triage: z._default(triageRulesSchema, DEFAULT_TRIAGE_RULES),
  /**
   * Phrases that make a note (and, with two-way SMS, a text) urgent, per
   * language; every language's list is checked whatever the patient's.
   */
  urgentPhrases: z._default(
    z.strictObject(
      Object.fromEntries(
        LANGUAGES.map((language) => [
          language,
          z.array(
            z
              .string()
              .check(z.trim(), z.minLength(2, { error: 'must be at least 2 characters' }), z.maxLength(80)),
          ),
        ]),
      ) as Record<(typeof LANGUAGES)[number], z.ZodMiniArray<z.ZodMiniString>>,
    ),
    DEFAULT_URGENT_PHRASES,
  ),
  preparation: z.strictObject({
    /**
     * The treatment block of the preparation instructions (`{{treatmentBlock}}`
     * in the email body and the instructions page), per language: `default`,
     * overridden per treatment. Same syntax as a body.
     */
    byTreatment: z.strictObject({
      default: treatmentBlockSchema,
      'iv-ketamine': z.optional(treatmentBlockSchema),
      'im-ketamine': z.optional(treatmentBlockSchema),
      'esketamine-nasal': z.optional(treatmentBlockSchema),
      kap: z.optional(treatmentBlockSchema),
      other: z.optional(treatmentBlockSchema),
    } satisfies Record<'default' | (typeof TREATMENTS)[number], z.ZodMiniType>),
    /** Fasting before a session: `default`, overridden per treatment. */
    fasting: z.strictObject({
      default: fastingSchema,
      'iv-ketamine': z.optional(fastingSchema),
      'im-ketamine': z.optional(fastingSchema),
      'esketamine-nasal': z.optional(fastingSchema),
      kap: z.optional(fastingSchema),
      other: z.optional(fastingSchema),
    } satisfies Record<'default' | (typeof TREATMENTS)[number], z.ZodMiniType>),
  }),
  templates: z.strictObject(
    Object.fromEntries(LANGUAGES.map((language) => [language, templatesForLanguage])) as Record<
      (typeof LANGUAGES)[number],
      typeof templatesForLanguage
    >,
  ),
  /** Who is told about urgent replies, and how escalation goes (DESIGN section 8). */
  staff: z._default(
    z.strictObject({
      /** Sent each urgent reply's alert, each address and phone on its own (SES email, SMS). */
      alertEmails: z._default(z.array(z.email()), []),
      alertSms: z._default(z.array(z.string().check(z.regex(e164, 'must be E.164'))), []),
      /** Sent each escalation: who is told when nobody acknowledged. */
      escalationEmails: z._default(z.array(z.email()), []),
      escalationSms: z._default(z.array(z.string().check(z.regex(e164, 'must be E.164'))), []),
      /** Where the daily review digest goes; no digest without it. */
      digestEmail: z.optional(z.email()),
      /**
       * The front desk: told (by SES email, and in the console's notices) when no channel reaches a patient
       * before a session or a check-in reaches nobody (DESIGN section 11).
       */
      frontDeskEmails: z._default(z.array(z.email()), []),
      /** Local time (clinic zone) the review digest is sent. */
      digestTime: z._default(hhmm, '08:00'),
      /** Local time (clinic zone) of the daily check that every staff recipient can be reached. */
      recipientCheckTime: z._default(hhmm, '07:00'),
      /** Minutes from the urgent reply to the first escalation. */
      escalateAfterMinutes: z._default(whole(1, 240), 15),
      /** Minutes between later escalations. */
      repeatEveryMinutes: z._default(whole(5, 240), 30),
      /** Escalations at most, after which the alert stays open (and its alarm stays on). */
      maxEscalations: z._default(whole(1, 12), 4),
      /** The clinic's protocol line, shown on every alert in the console. */
      protocol: z._default(
        z.string().check(z.minLength(1), z.maxLength(500, { error: 'must be at most 500 characters' })),
        DEFAULT_PROTOCOL,
      ),
      /**
       * The staff sign-in page's domain prefix on AWS (`https://<prefix>.auth.<region>.amazoncognito.com`),
       * unique in the region; default `ketamine-followup-<account id>`.
       */
      signInDomainPrefix: z.optional(
        z
          .string()
          .check(
            z.regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lowercase letters, digits and dashes'),
          ),
      ),
      /** Console sessions: signed out after `idleMinutes` without a request, and `absoluteHours` after signing in. */
      session: z._default(
        z.strictObject({
          idleMinutes: z._default(whole(5, 240), 30),
          absoluteHours: z._default(whole(1, 24), 12),
        }),
        { idleMinutes: 30, absoluteHours: 12 },
      ),
    }),
    {
      alertEmails: [],
      alertSms: [],
      escalationEmails: [],
      escalationSms: [],
      frontDeskEmails: [],
      digestTime: '08:00',
      recipientCheckTime: '07:00',
      escalateAfterMinutes: 15,
      repeatEveryMinutes: 30,
      maxEscalations: 4,
      protocol: DEFAULT_PROTOCOL,
      session: { idleMinutes: 30, absoluteHours: 12 },
    },
  ),
  /** PHQ-9 and GAD-7 at the week check-in at most every `minIntervalDays` per patient (DESIGN section 3). */
  /**
   * The readiness check (DESIGN section 11): no answer this many hours before the session is a front-desk
   * notice (the desk still has time to call).
   */
  readiness: z._default(z.strictObject({ deadlineHours: z._default(whole(1, 24), 3) }), { deadlineHours: 3 }),
  screeners: z._default(z.strictObject({ minIntervalDays: z._default(whole(0, 90), 14) }), {
    minIntervalDays: 14,
  }),
  /** What a patient who asked for a call is told (DESIGN section 7, advice `callback`), per language. */
  callback: z._default(
    z.strictObject({
      promise: z.strictObject(
        Object.fromEntries(
          LANGUAGES.map((language) => [
            language,
            z.string().check(z.trim(), z.minLength(1), z.maxLength(300)),
          ]),
        ) as Record<(typeof LANGUAGES)[number], z.ZodMiniString>,
      ),
    }),
    { promise: DEFAULT_CALLBACK_PROMISE },
  ),
  /**
   * The optional edge in front of the API (DESIGN section 8): CloudFront with AWS WAF (a per-IP rate rule and
   * AWS's common rules), the API's default endpoint disabled. Deploy-time only; off by default (it costs about
   * $9.80 a month, README "Optional edge").
   */
  protection: z._default(
    z
      .strictObject({
        edge: z._default(z.boolean(), false),
        /** The clinic's link domain that CloudFront answers (`c.example.org`); links and the console use it. */
        edgeDomain: z.optional(hostname()),
        /** ACM certificate for `edgeDomain`, in us-east-1 (CloudFront takes no other region). */
        edgeCertificateArn: z.optional(acmCertificateArn()),
        /** The API's custom domain, CloudFront's origin (`api.c.example.org`): the default endpoint is off. */
        originDomain: z.optional(hostname()),
        /** ACM certificate for `originDomain`, in the stack's region. */
        originCertificateArn: z.optional(acmCertificateArn()),
        /** Requests one IP may make in 5 minutes before WAF answers 429 (staff behind one NAT count as one). */
        requestsPerIpPer5Minutes: z._default(whole(100, 2_000_000), 1000),
        /** ISO country codes CloudFront serves; empty serves everywhere (patients travel). */
        countries: z._default(z.array(z.string().check(z.regex(/^[A-Z]{2}$/))), []),
        /** Raise by one after putting a new origin proof, so CloudFront is redeployed with it. */
        originProofGeneration: z._default(whole(1, 1_000_000), 1),
      })
      .check(
        z.superRefine((p, ctx) => {
          if (!p.edge) return;
          for (const field of [
            'edgeDomain',
            'edgeCertificateArn',
            'originDomain',
            'originCertificateArn',
          ] as const) {
            if (p[field] === undefined) {
              ctx.addIssue({
                code: 'custom',
                message: 'required when protection.edge is true',
                path: [field],
                input: p,
              });
            }
          }
          if (p.edgeCertificateArn && !p.edgeCertificateArn.startsWith('arn:aws:acm:us-east-1:')) {
            ctx.addIssue({
              code: 'custom',
              message: 'must be a certificate in us-east-1 (CloudFront reads no other region)',
              path: ['edgeCertificateArn'],
              input: p,
            });
          }
          if (p.edgeDomain && p.edgeDomain === p.originDomain) {
            ctx.addIssue({
              code: 'custom',
              message: 'must differ from edgeDomain',
              path: ['originDomain'],
              input: p,
            });
          }
        }),
      ),
    { edge: false, requestsPerIpPer5Minutes: 1000, countries: [], originProofGeneration: 1 },
  ),
  /**
   * Booking webhooks (DESIGN section 12): how each provider's bookings map to our treatments. The secrets live
   * in Secrets Manager on AWS; `local` holds the local runtime's, which only it reads.
   */
  hooks: z._default(
    z.strictObject({
      calcom: z._default(
        z.strictObject({
          /** A Cal.com event type (its slug or numeric id) to a treatment, and the session's length if fixed. */
          eventTypes: z._default(
            z.record(
              z.string().check(z.regex(/^[\w-]{1,100}$/)),
              z.strictObject({
                treatment: z.enum(TREATMENTS),
                // The booking event contract's limits: a longer mapping would refuse every delivery.
                durationMinutes: z.optional(whole(15, 600)),
              }),
            ),
            {},
          ),
        }),
        { eventTypes: {} },
      ),
      fhir: z._default(
        z.strictObject({
          /** An `Appointment.serviceType` or `appointmentType` code (any system) to a treatment. */
          treatments: z._default(
            z.record(z.string().check(z.minLength(1), z.maxLength(100)), z.enum(TREATMENTS)),
            {},
          ),
        }),
        { treatments: {} },
      ),
      local: z._default(
        z.strictObject({
          calcomSecret: z._default(z.string().check(z.minLength(8)), 'local-calcom-secret'),
          fhirToken: z._default(z.string().check(z.minLength(8)), 'local-fhir-token'),
        }),
        { calcomSecret: 'local-calcom-secret', fhirToken: 'local-fhir-token' },
      ),
    }),
    {
      calcom: { eventTypes: {} },
      fhir: { treatments: {} },
      local: { calcomSecret: 'local-calcom-secret', fhirToken: 'local-fhir-token' },
    },
  ),
  /** Deploy-time settings for the operator; used by the CDK stack only. */
  operations: z.optional(
    z.strictObject({
      /** Subscribed by email to the operations alarm topic (confirm the subscription after deploy). */
      alarmEmail: z.optional(z.email()),
    }),
  ),
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
