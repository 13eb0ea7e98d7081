import type { FullBooking } from '../../contracts/booking-events';
import { MESSAGE_KINDS, type ReplyKind } from '../../contracts/vocabulary';
import type { BookingRecord } from '../booking-record';
import type { AlertRecord, StoredReply } from '../ports';
import { allowed, type ConsoleDeps, type ConsoleResult, record, type StaffRequest } from './access';
import { alertReason } from './alerts-console';
import type { ScreenerPoint } from './ports';
import { mayUse } from './staff';
import { type MessageStatus, messageStatus } from './today-console';

/** Bookings on one page of a patient's timeline, newest session first. */
export const PATIENT_BOOKINGS_PER_PAGE = 12;
/** Screener totals charted: the latest this many. */
export const SCREENER_POINTS = 60;

/** One thing that happened to the patient, at a time. */
export type TimelineEntry =
  | { type: 'session'; at: string; booking: FullBooking; status: BookingRecord['status'] }
  | { type: 'message'; at: string; message: MessageStatus }
  /** A check-in reply with its answers: clinicians only. */
  | { type: 'reply'; at: string; reply: StoredReply }
  /** That a check-in was answered, without the answers: what the front desk sees. */
  | { type: 'answered'; at: string; kind: ReplyKind }
  | { type: 'alert'; at: string; alert: AlertRecord; reason: string };

export interface PatientView {
  patientId: string;
  /** The patient as the newest booking on the page gives them (name, contacts, language). */
  patient: FullBooking['patient'];
  /** Newest first. */
  timeline: TimelineEntry[];
  /** Whether answers, alerts and the chart are shown (clinicians). */
  clinical: boolean;
  /** PHQ-9 and GAD-7 totals, oldest first (clinicians only; empty for the front desk). */
  screeners: ScreenerPoint[];
  /** Where this page started (absent on the first page). */
  before?: string;
  /** The cursor of the next (older) page, when there is one. */
  next?: string;
  /** How many bookings the patient has. */
  bookings: number;
}

/**
 * One patient, found by the clinic's patient id (DESIGN section 10): their bookings, messages, replies and
 * alerts in time order, a page of bookings at a time (the by-patient index, newest session first), and the
 * PHQ-9 / GAD-7 series for the chart. The front desk sees sessions, contacts and message status, and that a
 * check-in was answered, never the answers, the alerts or the chart. Every look is audited, a patient id
 * that finds nothing included.
 */
export async function showPatient(
  deps: ConsoleDeps,
  request: StaffRequest,
  patientId: string,
  before?: string,
): Promise<ConsoleResult<PatientView>> {
  const subject = `PATIENT#${patientId}`;
  if (!(await allowed(deps, request, 'patient', subject))) return { ok: false, reason: 'forbidden' };
  const clinical = mayUse(request.staff, 'answers');
  // Found or not, the look is audited: the audit item is written beside the first reads, and is done
  // before anything is answered.
  const [page, screeners] = await Promise.all([
    deps.bookings.bookingsOfPatient(patientId, {
      limit: PATIENT_BOOKINGS_PER_PAGE,
      ...(before ? { before } : {}),
    }),
    clinical ? deps.patients.screenerSeries(patientId, SCREENER_POINTS) : Promise.resolve([]),
    record(deps, request, 'view', subject),
  ]);
  // A first page with nothing after it holds every booking: the count needs no query of its own.
  const wholeHistory = before === undefined && page.next === undefined;
  const [found, count] = await Promise.all([
    Promise.all(
      page.records.flatMap((stored) =>
        stored.booking
          ? [
              deps.activity.activityOf(stored.bookingId).then(({ log, replies }) => ({
                stored,
                booking: stored.booking as FullBooking,
                log,
                replies,
              })),
            ]
          : [],
      ),
    ),
    wholeHistory ? page.records.length : deps.bookings.countOfPatient(patientId),
  ]);
  const newest = found[0];
  if (!newest) return { ok: false, reason: 'not-found' };

  const alertIds = clinical
    ? [...new Set(found.flatMap((f) => f.replies.flatMap((r) => [r.alertId, r.joinsAlertId])))].filter(
        (id): id is string => id !== undefined,
      )
    : [];
  const stored = await Promise.all(alertIds.map((id) => deps.alerts.get(id)));
  const alerts = stored.filter((alert): alert is AlertRecord => alert !== undefined);

  const timeline: TimelineEntry[] = [];
  for (const { stored, booking, log, replies } of found) {
    timeline.push({ type: 'session', at: booking.session.startsAt, booking, status: stored.status });
    for (const kind of MESSAGE_KINDS) {
      const message = messageStatus(kind, stored, log);
      // A plan's skip is not news on a patient's timeline; a message tried or sent is.
      if (message && message.state !== 'planned') timeline.push({ type: 'message', at: message.at, message });
    }
    for (const reply of replies) {
      timeline.push(
        clinical
          ? { type: 'reply', at: reply.receivedAt, reply }
          : { type: 'answered', at: reply.receivedAt, kind: reply.kind },
      );
    }
  }
  for (const alert of alerts) {
    timeline.push({ type: 'alert', at: alert.createdAt, alert, reason: alertReason(alert, deps.config) });
  }
  timeline.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || ORDER[a.type] - ORDER[b.type]);

  return {
    ok: true,
    value: {
      patientId,
      patient: newest.booking.patient,
      timeline,
      clinical,
      screeners,
      ...(before ? { before } : {}),
      ...(page.next ? { next: page.next } : {}),
      bookings: count,
    },
  };
}

/** At the same instant: the alert above the reply that raised it, the session above its messages. */
const ORDER: Readonly<Record<TimelineEntry['type'], number>> = {
  alert: 0,
  reply: 1,
  answered: 1,
  session: 2,
  message: 3,
};

/** The page that finds a patient by id: it shows nothing about anyone, so only the groups are checked. */
export async function findPatient(deps: ConsoleDeps, request: StaffRequest): Promise<ConsoleResult<null>> {
  return (await allowed(deps, request, 'patient', 'PAGE#patients'))
    ? { ok: true, value: null }
    : { ok: false, reason: 'forbidden' };
}
