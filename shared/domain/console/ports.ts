import type { FullBooking } from '../../contracts/booking-events';
import type { BookingRecord } from '../booking-record';
import type { ReadinessAnswer } from '../messages/readiness';
import type { MessageLogEntry, MissedCheckin, StaffActor, StoredReply } from '../ports';
import type { StaffSession } from './session';
import type { IdentityClaims, RequestOrigin } from './staff';

/** Server-side staff sessions (DESIGN section 10); the cookie only names one. */
export interface StaffSessionStore {
  /** Stores a new session, kept until `expiresAt` at the latest. */
  create(session: StaffSession, expiresAt: string): Promise<void>;
  get(sessionId: string): Promise<StaffSession | undefined>;
  /** Records activity, which moves the idle timeout. */
  touch(sessionId: string, at: string): Promise<void>;
  /** Ends a session: signing out, or found past its timeout. */
  delete(sessionId: string): Promise<void>;
}

/** What was done in the console; `denied` records a request the user's groups do not allow. */
export type AuditAction =
  | 'view'
  | 'acknowledge'
  | 'close'
  | 'review'
  | 'denied'
  | 'sign-in'
  | 'sign-out'
  /** A FHIR export (console download, the command, the local endpoint). */
  | 'export';

/** One write-once audit item (DESIGN sections 5 and 8). */
export interface AuditEntry {
  at: string;
  action: AuditAction;
  /** What it concerned: `ALERT#id`, `PATIENT#id`, or the page for a list (`PAGE#alerts`). */
  subject: string;
  /** The console path asked for. */
  page: string;
  user: { subject: string; email: string };
  origin: RequestOrigin;
}

/** One page of a day's audit items, newest first, and where the next page starts. */
export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `after` for the next (older) page; absent on the last page. */
  next?: string;
}

/** The audit trail: items are only ever added. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /**
   * A UTC day's items (`2026-11-29`), newest first, at most `limit` read per
   * page; `user` keeps one user's (by email), `subject` those about one thing.
   */
  listDay(
    day: string,
    opts: { limit: number; after?: string; user?: string; subject?: string },
  ): Promise<AuditPage>;
}

/** The first half of a sign-in: where to send the browser, and what the callback must match. */
export interface SignInStart {
  url: string;
  state: string;
  codeVerifier: string;
  nonce: string;
}

/**
 * The OpenID provider, seen from the console (a relying party using the
 * authorization code flow with PKCE): Cognito on AWS, an in-process
 * provider locally.
 */
export interface IdentityProvider {
  startSignIn(): Promise<SignInStart>;
  /**
   * Exchanges the callback's code for tokens and answers the ID token's claims.
   * Rejects a callback whose state, nonce or code does not match.
   */
  finishSignIn(
    callbackUrl: string,
    expected: { state: string; codeVerifier: string; nonce: string },
  ): Promise<{ claims: IdentityClaims; idToken?: string }>;
  /** The provider's sign-out address, which comes back to `returnTo` once the provider's session has ended. */
  signOutUrl(opts: { idToken?: string; returnTo: string }): Promise<string>;
}

/** The review queue of the console: replies triaged `review`, until a clinician marks them reviewed. */
export interface ReviewList {
  /** Replies waiting for review, oldest first, at most `limit`. */
  listToReview(limit: number): Promise<StoredReply[]>;
  /** Marks a reply reviewed; false when it was not waiting (already reviewed, or never on the list). */
  markReviewed(reply: StoredReply, opts: { now: string; by: StaffActor }): Promise<boolean>;
}

/** Missed check-ins waiting for review in the console (DESIGN section 7). */
export interface MissedList {
  /** Missed check-ins nobody has marked reviewed, oldest first, at most `limit`. */
  listMissed(limit: number): Promise<MissedCheckin[]>;
  /** Marks one reviewed; false when it was not waiting. */
  markMissedReviewed(
    missed: Pick<MissedCheckin, 'bookingId' | 'kind'>,
    opts: { now: string; by: StaffActor },
  ): Promise<boolean>;
}

/** Many bookings in one round trip, for a list page. */
export interface BookingBatch {
  /** The bookings found among `bookingIds`, by id (unknown ids are left out). */
  getMany(bookingIds: readonly string[]): Promise<Map<string, FullBooking>>;
}

/** Bookings by session day in the clinic's time zone. */
export interface BookingDays {
  /** The bookings whose session starts on `day` (clinic zone, `2026-11-29`), by start time, at most `limit`. */
  sessionsOn(day: string, limit: number): Promise<BookingRecord[]>;
}

/** One reply's screener totals, as the patient page charts them. */
export interface ScreenerPoint {
  at: string;
  bookingId: string;
  replyId: string;
  phq9?: number;
  gad7?: number;
}

/** A patient's screener totals, as the patient page charts them. */
export interface PatientRecords {
  /** The patient's latest `limit` screener totals, oldest first. */
  screenerSeries(patientId: string, limit: number): Promise<ScreenerPoint[]>;
}

/** A patient's bookings, newest session first (the by-patient index). */
export interface PatientBookings {
  /** A page of at most `limit`, starting after the cursor `before`; `next` is the cursor of the page after. */
  bookingsOfPatient(
    patientId: string,
    opts: { limit: number; before?: string },
  ): Promise<{ records: BookingRecord[]; next?: string }>;
  /** How many bookings the patient has. */
  countOfPatient(patientId: string): Promise<number>;
}

/** One ISO week's replies by triage level. */
export interface WeekReplyCounts {
  week: string;
  urgent: number;
  review: number;
  routine: number;
}

/** The clinic's reply counts, read by week. */
export interface WeeklyReplyCounts {
  /** The weeks from `from` to `to` (`2026-W37`, `2026-W48`) that have replies, oldest first. */
  weeks(from: string, to: string): Promise<WeekReplyCounts[]>;
}

/** What happened on one booking, as the console's list pages show it. */
export interface BookingActivity {
  /** The booking's message log, its readiness answers and its replies, in one read. */
  activityOf(
    bookingId: string,
  ): Promise<{ log: MessageLogEntry[]; replies: StoredReply[]; readiness: ReadinessAnswer[] }>;
}
