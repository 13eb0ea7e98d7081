import type { ClinicConfig } from '../../contracts/clinic-config';
import type { NoticeStore } from '../alerts/front-desk-notices';
import type { ExportSource } from '../exports/export-window';
import type { AlertStore, BookingStore, Clock, Log, ReplyStore, StaffSendStore } from '../ports';
import type {
  AuditAction,
  AuditLog,
  BookingActivity,
  BookingBatch,
  BookingDays,
  MissedList,
  PatientBookings,
  PatientRecords,
  ReviewList,
  WeeklyReplyCounts,
} from './ports';
import { type ConsoleArea, mayUse, type RequestOrigin, type Staff } from './staff';

/*
 * What every console use case shares (DESIGN section 10): its deps, the
 * signed-in request it serves, its result, and the two steps each takes:
 * check the staff member's groups, and write the audit item. Use cases get
 * a typed `Staff`; cookies and headers stay at the edge.
 */

export interface ConsoleDeps {
  config: ClinicConfig;
  clock: Clock;
  alerts: AlertStore;
  replies: ReplyStore;
  bookings: BookingStore & BookingBatch & BookingDays & PatientBookings;
  audit: AuditLog;
  /** The review queue: replies triaged `review` until someone marks them reviewed. */
  reviews: ReviewList;
  /** Missed check-ins until someone marks them reviewed. */
  missed: MissedList;
  /** A patient's bookings and screener totals (the patient page). */
  patients: PatientRecords;
  /** The clinic's replies by week and triage level (the outcomes page). */
  replyCounts: WeeklyReplyCounts;
  /** A booking's messages and replies in one read (the Today and patient pages). */
  activity: BookingActivity;
  /** Each staff recipient's copy of an alert (who was told, who is still being tried). */
  sends: Pick<StaffSendStore, 'ofAlert'>;
  /** Front-desk notices: patients no channel reached (DESIGN section 11). */
  notices: Pick<NoticeStore, 'openPage' | 'markDone'>;
  /** What a FHIR download reads: bookings by session day, each with its replies. */
  exportSource: ExportSource;
  /** Removes an acknowledged alert's pending escalation schedule. */
  escalations: { remove(name: string): Promise<void> };
  log: Log;
}

/** A request of a signed-in staff member: who, from where, and which console path. */
export interface StaffRequest {
  staff: Staff;
  origin: RequestOrigin;
  page: string;
}

export type ConsoleResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'forbidden' | 'not-found' | 'conflict' };

/** Checks the staff member's groups for an area; a refusal is audited too. */
export async function allowed(deps: ConsoleDeps, request: StaffRequest, area: ConsoleArea, subject: string) {
  if (mayUse(request.staff, area)) return true;
  await record(deps, request, 'denied', subject);
  return false;
}

export async function record(deps: ConsoleDeps, request: StaffRequest, action: AuditAction, subject: string) {
  await deps.audit.record({
    at: deps.clock.now(),
    action,
    subject,
    page: request.page,
    user: { subject: request.staff.subject, email: request.staff.email },
    origin: request.origin,
  });
}
