import type { FieldError, FullBooking, Treatment } from '../../contracts/booking-events';
import * as z from '../../contracts/zod';

/*
 * FHIR R4 `Appointment`s an EHR posts (alone, or in a Subscription notification bundle; DESIGN section 12),
 * read into what the booking event contract needs. Stateless: versions are the hook use case's to keep.
 */

/** A service or appointment type code (any system) to a treatment. */
export type FhirTreatments = Readonly<Record<string, Treatment>>;

export type FhirDelivery =
  | {
      type: 'booking';
      appointmentId: string;
      /** The provider's time of the change, else the time received (`untimed`). */
      at: string;
      untimed?: true;
      session: Pick<
        FullBooking['session'],
        'startsAt' | 'durationMinutes' | 'timeZone' | 'treatment' | 'clinicianName'
      >;
      patient: Pick<FullBooking['patient'], 'id' | 'firstName' | 'email' | 'phone' | 'language'>;
    }
  | { type: 'cancelled'; appointmentId: string; at: string; untimed?: true; reason?: string }
  /** The visit took place: a completion at receipt time, when that lies within the session's window. */
  | { type: 'fulfilled'; appointmentId: string; at: string; untimed?: true }
  | { type: 'ignored'; appointmentId: string; status: string }
  | { type: 'unmappable'; errors: FieldError[] };

const coding = z.object({ system: z.optional(z.string()), code: z.optional(z.string()) });
const concept = z.object({ coding: z.optional(z.array(coding)), text: z.optional(z.string()) });
const patientSchema = z.object({
  resourceType: z.literal('Patient'),
  id: z.optional(z.string()),
  name: z.optional(
    z.array(z.object({ given: z.optional(z.array(z.string())), text: z.optional(z.string()) })),
  ),
  telecom: z.optional(
    z.array(
      z.object({
        system: z.optional(z.string()),
        value: z.optional(z.string()),
        use: z.optional(z.string()),
      }),
    ),
  ),
  communication: z.optional(z.array(z.object({ language: concept, preferred: z.optional(z.boolean()) }))),
});
const appointmentSchema = z.object({
  resourceType: z.literal('Appointment'),
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  meta: z.optional(z.object({ lastUpdated: z.optional(z.string()) })),
  status: z.string(),
  cancelationReason: z.optional(concept),
  serviceType: z.optional(z.array(concept)),
  appointmentType: z.optional(concept),
  start: z.optional(z.string()),
  end: z.optional(z.string()),
  minutesDuration: z.optional(z.number()),
  contained: z.optional(z.array(z.unknown())),
  participant: z.array(
    z.object({
      actor: z.optional(z.object({ reference: z.optional(z.string()), display: z.optional(z.string()) })),
    }),
  ),
});

/** The most Appointments one post may carry. */
export const MAX_BUNDLE_APPOINTMENTS = 20;

const BOOKED = new Set(['booked']);
const CANCELLED = new Set(['cancelled', 'noshow', 'entered-in-error']);
const unmappable = (field: string, message: string): FhirDelivery => ({
  type: 'unmappable',
  errors: [{ field, message }],
});

export interface FhirReadOptions {
  treatments: FhirTreatments;
  timeZone: string;
  receivedAt: string;
  /** Put before the Patient's id to make ours (default `fhir:`); the hook adds the source's name. */
  patientIdPrefix?: string;
}

/**
 * Reads a posted `Appointment`, or every `Appointment` of a `Bundle` (a Subscription notification), each
 * with its `Patient` contained or in the same bundle. Times order deliveries: `meta.lastUpdated`, else the
 * bundle's timestamp, else `receivedAt`.
 */
export function readFhirAppointments(body: unknown, opts: FhirReadOptions): FhirDelivery[] {
  const resource = body as { resourceType?: unknown; entry?: unknown; timestamp?: unknown } | null;
  if (resource?.resourceType === 'Appointment')
    return [readAppointment(body, [], undefined, opts, 'Appointment')];
  if (resource?.resourceType !== 'Bundle' || !Array.isArray(resource.entry)) {
    return [unmappable('resourceType', 'must be Appointment or a Bundle of them')];
  }
  const entries = resource.entry as {
    resource?: { resourceType?: unknown; id?: unknown };
    fullUrl?: unknown;
  }[];
  const stamp = typeof resource.timestamp === 'string' ? resource.timestamp : undefined;
  const found = entries.flatMap((entry, index) =>
    entry.resource?.resourceType === 'Appointment' ? [{ entry, index }] : [],
  );
  if (found.length === 0) return [unmappable('entry', 'holds no Appointment')];
  // Each appointment is a few table writes and a PutEvents: a notification carries one, a backfill a few.
  if (found.length > MAX_BUNDLE_APPOINTMENTS) {
    return [
      unmappable('entry', `holds more than ${MAX_BUNDLE_APPOINTMENTS} Appointments: post fewer at a time`),
    ];
  }
  return found.map(({ entry, index }) =>
    readAppointment(entry.resource, entries, stamp, opts, `entry.${index}.resource`),
  );
}

function readAppointment(
  value: unknown,
  bundle: readonly { resource?: unknown; fullUrl?: unknown }[],
  bundleTimestamp: string | undefined,
  opts: FhirReadOptions,
  path: string,
): FhirDelivery {
  const parsed = appointmentSchema.safeParse(value);
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    return unmappable(
      [path, ...(first?.path.map(String) ?? [])].join('.'),
      first?.message ?? 'not an Appointment',
    );
  }
  const appointment = parsed.data;
  const stamp = [appointment.meta?.lastUpdated, bundleTimestamp, opts.receivedAt].find(
    (candidate) => candidate !== undefined && !Number.isNaN(Date.parse(candidate)),
  );
  const at = new Date(stamp ?? opts.receivedAt).toISOString();
  // Ordered by the time we got it: that time says nothing about the delivery, so it is no part of its identity.
  const untimed = stamp === undefined || stamp === opts.receivedAt ? { untimed: true as const } : {};
  const appointmentId = appointment.id;
  if (CANCELLED.has(appointment.status)) {
    const reason =
      appointment.status === 'noshow'
        ? 'no-show'
        : (appointment.cancelationReason?.text ?? appointment.cancelationReason?.coding?.[0]?.code);
    return {
      type: 'cancelled',
      appointmentId,
      at,
      ...untimed,
      ...(reason ? { reason: reason.slice(0, 500) } : {}),
    };
  }
  if (appointment.status === 'fulfilled') return { type: 'fulfilled', appointmentId, at, ...untimed };
  if (!BOOKED.has(appointment.status))
    return { type: 'ignored', appointmentId, status: appointment.status.slice(0, 40) };

  const codes = [
    ...(appointment.serviceType ?? []),
    ...(appointment.appointmentType ? [appointment.appointmentType] : []),
  ]
    .flatMap((c) => c.coding ?? [])
    .map((c) => c.code)
    .filter((code): code is string => code !== undefined);
  const treatment = codes.map((code) => opts.treatments[code]).find((t) => t !== undefined);
  if (!treatment)
    return unmappable(`${path}.serviceType`, `no code maps to a treatment (${codes.join(', ') || 'none'})`);
  const start = appointment.start ? new Date(appointment.start) : undefined;
  if (!start || Number.isNaN(start.getTime())) return unmappable(`${path}.start`, 'must be a time');
  const end = appointment.end ? new Date(appointment.end) : undefined;
  const minutes =
    appointment.minutesDuration ?? (end ? Math.round((end.getTime() - start.getTime()) / 60_000) : NaN);
  if (!Number.isFinite(minutes))
    return unmappable(`${path}.minutesDuration`, 'is required when end is not given');

  // The patient: contained (`#id`), or an entry of the same bundle (`Patient/id` or its fullUrl).
  const participants = appointment.participant;
  const index = participants.findIndex((p) => /^(#|Patient\/|urn:uuid:)/.test(p.actor?.reference ?? ''));
  const reference = participants[index]?.actor?.reference;
  if (!reference) return unmappable(`${path}.participant`, 'names no Patient');
  const candidates = reference.startsWith('#')
    ? (appointment.contained ?? []).filter((r) => (r as { id?: unknown }).id === reference.slice(1))
    : bundle
        .filter(
          (entry) =>
            entry.fullUrl === reference ||
            `Patient/${(entry.resource as { id?: unknown } | undefined)?.id}` === reference,
        )
        .map((entry) => entry.resource);
  const patient = patientSchema.safeParse(candidates[0]);
  if (!patient.success) {
    return unmappable(
      `${path}.participant.${index}.actor.reference`,
      'must name a Patient contained or in the same bundle',
    );
  }
  const telecom = patient.data.telecom ?? [];
  const phone =
    telecom.find((t) => (t.system === 'sms' || t.system === 'phone') && t.use === 'mobile')?.value ??
    telecom.find((t) => t.system === 'sms' || t.system === 'phone')?.value;
  const email = telecom.find((t) => t.system === 'email')?.value;
  const name = patient.data.name?.[0];
  const firstName = name?.given?.[0] ?? name?.text?.split(/\s+/)[0] ?? '';
  const preferred = patient.data.communication?.find((c) => c.preferred) ?? patient.data.communication?.[0];
  const language = preferred?.language.coding?.some((c) => c.code?.toLowerCase().startsWith('es'))
    ? 'es'
    : 'en';
  const patientId = patient.data.id;
  if (!patientId) return unmappable(`${path}.participant.${index}.actor.reference`, 'the Patient has no id');
  const clinician = participants.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor?.display;
  return {
    type: 'booking',
    appointmentId,
    at,
    ...untimed,
    session: {
      startsAt: start.toISOString(),
      durationMinutes: minutes,
      timeZone: opts.timeZone,
      treatment,
      ...(clinician ? { clinicianName: clinician.slice(0, 100) } : {}),
    },
    patient: {
      id: `${opts.patientIdPrefix ?? 'fhir:'}${patientId}`,
      firstName,
      ...(email ? { email } : {}),
      ...(phone ? { phone } : {}),
      language,
    },
  };
}
