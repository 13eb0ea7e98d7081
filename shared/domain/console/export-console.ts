import { DateTime } from 'luxon';
import type { FieldError } from '../../contracts/booking-events';
import {
  type ExportWindow,
  exportAuditSubject,
  FHIR_EXPORT_TYPES,
  type FhirExportType,
  MAX_CONSOLE_WINDOW_DAYS,
} from '../exports/export-window';
import { allowed, type ConsoleDeps, type ConsoleResult, record, type StaffRequest } from './access';

/** Days in one part of a console download: a month is five parts, each small enough for one answer. */
export const EXPORT_PART_DAYS = 7;

/** What the export form sends; each field as typed. */
export interface ExportInput {
  type?: string;
  from?: string;
  to?: string;
}

/** One download: a run of days (clinic zone, `to` included) and the instants it covers. */
export interface ExportPart {
  page: number;
  from: string;
  to: string;
  window: ExportWindow;
}

export interface ExportChoice {
  type: FhirExportType;
  from: string;
  to: string;
  parts: ExportPart[];
}

export interface ExportPageView {
  input: ExportInput;
  choice?: ExportChoice;
  errors: FieldError[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The download a form asks for, in parts of a week; every wrong field named. */
export function planExport(
  input: ExportInput,
  timeZone: string,
): { ok: true; choice: ExportChoice } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const type = FHIR_EXPORT_TYPES.find((candidate) => candidate === input.type);
  if (!type) errors.push({ field: 'type', message: `must be one of ${FHIR_EXPORT_TYPES.join(', ')}` });
  const day = (field: 'from' | 'to') => {
    const value = input[field] ?? '';
    const parsed = DAY.test(value) ? DateTime.fromISO(value, { zone: timeZone }) : undefined;
    if (!parsed?.isValid) errors.push({ field, message: 'must be a date such as 2026-11-02' });
    return parsed?.isValid ? parsed : undefined;
  };
  const from = day('from');
  const to = day('to');
  if (from && to) {
    const days = Math.round(to.diff(from, 'days').days) + 1;
    if (days < 1) errors.push({ field: 'to', message: 'must be on or after the first day' });
    else if (days > MAX_CONSOLE_WINDOW_DAYS) {
      errors.push({
        field: 'to',
        message: `must be at most ${MAX_CONSOLE_WINDOW_DAYS} days after the first day`,
      });
    }
  }
  if (!type || !from || !to || errors.length > 0) return { ok: false, errors };
  const parts: ExportPart[] = [];
  for (let start = from, page = 1; start <= to; start = start.plus({ days: EXPORT_PART_DAYS }), page++) {
    const last = DateTime.min(start.plus({ days: EXPORT_PART_DAYS - 1 }), to);
    parts.push({
      page,
      from: start.toISODate() ?? '',
      to: last.toISODate() ?? '',
      window: { since: start.toUTC().toISO() ?? '', until: last.plus({ days: 1 }).toUTC().toISO() ?? '' },
    });
  }
  return { ok: true, choice: { type, from: from.toISODate() ?? '', to: to.toISODate() ?? '', parts } };
}

/**
 * The export page (clinicians, DESIGN section 12): the form, and once filled, the download of each part. Seeing
 * it is audited as a view; each download is audited on its own.
 */
export async function showExportPage(
  deps: ConsoleDeps,
  request: StaffRequest,
  input: ExportInput,
): Promise<ConsoleResult<ExportPageView>> {
  if (!(await allowed(deps, request, 'export', 'PAGE#export'))) return { ok: false, reason: 'forbidden' };
  await record(deps, request, 'view', 'PAGE#export');
  const asked = input.type !== undefined || input.from !== undefined || input.to !== undefined;
  if (!asked) return { ok: true, value: { input, errors: [] } };
  const plan = planExport(input, deps.config.clinic.timeZone);
  return {
    ok: true,
    value: plan.ok ? { input, choice: plan.choice, errors: [] } : { input, errors: plan.errors },
  };
}

/**
 * One part of a download, allowed and audited (who, which type, which days) before any data is read; the
 * caller renders it. A part the plan does not have is not found.
 */
export async function startExportPart(
  deps: ConsoleDeps,
  request: StaffRequest,
  input: ExportInput & { page?: string },
): Promise<ConsoleResult<{ type: FhirExportType; part: ExportPart; next?: ExportPart }>> {
  if (!(await allowed(deps, request, 'export', 'EXPORT#fhir'))) return { ok: false, reason: 'forbidden' };
  const plan = planExport(input, deps.config.clinic.timeZone);
  const page = Number(input.page ?? '1');
  const part = plan.ok ? plan.choice.parts.find((candidate) => candidate.page === page) : undefined;
  if (!plan.ok || !part) return { ok: false, reason: 'not-found' };
  await record(deps, request, 'export', exportAuditSubject([plan.choice.type], part.window));
  const next = plan.choice.parts.find((candidate) => candidate.page === page + 1);
  return { ok: true, value: { type: plan.choice.type, part, ...(next ? { next } : {}) } };
}
