import type { Resource } from '@medplum/fhirtypes';
import type { AuditEntry, AuditLog } from '../../domain/console/ports';
import {
  bookingsInWindow,
  type ExportSource,
  type ExportWindow,
  exportAuditSubject,
  FHIR_EXPORT_TYPES,
  type FhirExportType,
  replyLookbackDays,
} from '../../domain/exports/export-window';
import {
  appointmentOf,
  checkinQuestionnaires,
  type FhirBase,
  patientOf,
  questionnaireResponse,
  screenerObservations,
} from './resources';

export { FHIR_EXPORT_TYPES, type FhirExportType } from '../../domain/exports/export-window';

export interface BulkExportOptions {
  timeZone: string;
  /** How many days before the window a session can still have replies in it. */
  lookbackDays: number;
  /** The types to write; all by default. */
  types?: readonly FhirExportType[];
}

/**
 * A window's resources by type: the check-ins' questionnaires, each reply received in the window (never a
 * patient's text: it answers no questionnaire) with its screener totals, each session starting in it, and every
 * patient these name, once.
 */
export async function bulkExport(
  base: FhirBase,
  source: ExportSource,
  window: ExportWindow,
  opts: BulkExportOptions,
): Promise<Record<FhirExportType, Resource[]>> {
  const wanted = new Set(opts.types ?? FHIR_EXPORT_TYPES);
  const out: Record<FhirExportType, Resource[]> = {
    Patient: [],
    Appointment: [],
    Questionnaire: wanted.has('Questionnaire') ? checkinQuestionnaires(base) : [],
    QuestionnaireResponse: [],
    Observation: [],
  };
  const patients = new Set<string>();
  const needsBookings = [...wanted].some((type) => type !== 'Questionnaire');
  if (!needsBookings) return out;
  for await (const { record, replies, sessionInWindow } of bookingsInWindow(source, window, opts)) {
    const booking = record.booking;
    if (!booking) continue;
    let named = false;
    if (sessionInWindow) {
      const appointment = appointmentOf(base, record);
      if (appointment && wanted.has('Appointment')) out.Appointment.push(appointment);
      named ||= appointment !== undefined;
    }
    for (const reply of replies) {
      const response = questionnaireResponse(base, reply, booking.patient.id);
      if (!response) continue;
      named = true;
      if (wanted.has('QuestionnaireResponse')) out.QuestionnaireResponse.push(response);
      if (wanted.has('Observation'))
        out.Observation.push(...screenerObservations(base, reply, booking.patient.id));
    }
    if (named && wanted.has('Patient') && !patients.has(booking.patient.id)) {
      patients.add(booking.patient.id);
      out.Patient.push(patientOf(base, booking.patient));
    }
  }
  return out;
}

/** Resources as NDJSON: one JSON object per line. */
export const toNdjson = (resources: readonly Resource[]): string =>
  resources.map((resource) => `${JSON.stringify(resource)}\n`).join('');

/**
 * Every type of a window as NDJSON, the export audited first (who asked, which window) as the console's
 * downloads are: the command's and the local endpoint's whole exports.
 */
export async function auditedBulkExport(input: {
  base: FhirBase;
  source: ExportSource;
  window: ExportWindow;
  config: { clinic: { timeZone: string } } & Parameters<typeof replyLookbackDays>[0];
  audit: AuditLog;
  entry: Pick<AuditEntry, 'at' | 'page' | 'user' | 'origin'>;
}): Promise<Record<FhirExportType, string>> {
  await input.audit.record({
    ...input.entry,
    action: 'export',
    subject: exportAuditSubject(FHIR_EXPORT_TYPES, input.window),
  });
  const resources = await bulkExport(input.base, input.source, input.window, {
    timeZone: input.config.clinic.timeZone,
    lookbackDays: replyLookbackDays(input.config),
  });
  return Object.fromEntries(FHIR_EXPORT_TYPES.map((type) => [type, toNdjson(resources[type])])) as Record<
    FhirExportType,
    string
  >;
}
