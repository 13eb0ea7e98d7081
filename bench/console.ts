import { DateTime } from 'luxon';
import clinicConfigInput from '../config/clinic';
import { createServiceTable, dynaliteClientConfig, startDynalite } from '../infra/local/dynalite';
import { DynamoAlertStore } from '../shared/adapters/dynamodb/alert-store';
import { DynamoAuditLog } from '../shared/adapters/dynamodb/audit-log';
import { DynamoBookingActivity } from '../shared/adapters/dynamodb/booking-activity';
import { DynamoBookingStore } from '../shared/adapters/dynamodb/booking-store';
import { createDocumentClient } from '../shared/adapters/dynamodb/client';
import { dynamoExportSource } from '../shared/adapters/dynamodb/export-source';
import { DynamoMissedCheckinStore } from '../shared/adapters/dynamodb/missed-checkin-store';
import { DynamoNoticeStore } from '../shared/adapters/dynamodb/notice-store';
import { DynamoReplyCounts } from '../shared/adapters/dynamodb/reply-counts';
import { DynamoReplyStore } from '../shared/adapters/dynamodb/reply-store';
import { DynamoScreenerHistory } from '../shared/adapters/dynamodb/screener-history';
import { DynamoStaffSendStore } from '../shared/adapters/dynamodb/staff-send-store';
import { DynamoStaffSessionStore } from '../shared/adapters/dynamodb/staff-session-store';
import { parseClinicConfig } from '../shared/contracts/clinic-config';
import type { StaffSession } from '../shared/domain/console/session';
import type { Staff } from '../shared/domain/console/staff';
import type { StoredReply } from '../shared/domain/ports';
import { isoWeekIn } from '../shared/domain/time';
import { type ConsoleAppDeps, handleConsoleRequest } from '../shared/web/console/console-app';
import { cookieJar, sealCookie } from '../shared/web/console/cookies';
import { countDynamo, emptyCounters } from './composition';

/** One clinic's year, scaled down in quick mode. */
export interface ConsoleScale {
  bookings: number;
  replies: number;
  alerts: number;
  /** Timed requests per page (after 5 untimed). */
  requests: number;
}

export interface ConsolePageFigure {
  page: string;
  /** A file to download, not a page to read: held to its own target. */
  download?: boolean;
  path: string;
  p50: number;
  p99: number;
  n: number;
  /** DynamoDB requests per page view (reads and writes: the audit item is one write). */
  dynamoRequestsPerView: number;
  scans: number;
}

const BASE_URL = 'https://console.example.org';
const NOW = '2026-11-29T15:00:00.000Z';
const KEY = new Uint8Array(32).fill(11);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `work` over `items` with at most `width` in flight. */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

/**
 * Server time per console page over a year of one clinic's data in dynalite:
 * bookings spread over the past year, four check-in replies each (mostly
 * routine, some review, the urgent ones with an alert, nearly all closed),
 * review replies mostly reviewed. Each page is requested signed in, through
 * the real handler and stores; every DynamoDB request is counted, scans too.
 */
export async function measureConsolePages(scale: ConsoleScale) {
  const config = parseClinicConfig(clinicConfigInput);
  const dynamo = await startDynalite();
  const tableName = 'console-bench';
  await createServiceTable(dynamo.endpoint, tableName);
  const seedDb = createDocumentClient(dynaliteClientConfig(dynamo.endpoint));
  const counters = emptyCounters();
  const db = countDynamo(createDocumentClient(dynaliteClientConfig(dynamo.endpoint)), counters, false);
  try {
    const seed = {
      bookings: new DynamoBookingStore(seedDb, tableName, { clinicTimeZone: config.clinic.timeZone }),
      replies: new DynamoReplyStore(seedDb, tableName),
      alerts: new DynamoAlertStore(seedDb, tableName),
      screeners: new DynamoScreenerHistory(seedDb, tableName),
      counts: new DynamoReplyCounts(seedDb, tableName),
    };
    const seedStarted = performance.now();
    const now = DateTime.fromISO(NOW, { zone: 'utc' });
    const bookingIds = Array.from({ length: scale.bookings }, (_, i) => i);
    await inParallel(bookingIds, 32, async (i) => {
      const bookingId = `bk-${String(i).padStart(5, '0')}`;
      const startsAt = now.minus({ minutes: Math.floor(((i + 0.5) / scale.bookings) * 365 * 24 * 60) });
      await seed.bookings.save(
        {
          bookingId,
          version: 1,
          status: 'active',
          booking: {
            bookingId,
            version: 1,
            session: {
              startsAt: startsAt.toISO() ?? NOW,
              durationMinutes: 60,
              timeZone: config.clinic.timeZone,
              treatment: 'iv-ketamine',
            },
            patient: {
              id: `pt-${i % 1200}`,
              firstName: 'Sam',
              email: `sam${i % 1200}@example.org`,
              phone: '+15555550123',
              preferredChannel: 'both',
              language: 'en',
            },
          },
          plan: {},
          revision: 1,
          updatedAt: startsAt.toISO() ?? NOW,
        },
        undefined,
      );
    });
    // Front-desk notices: one booking in 200 reached nobody; a list the desk works through, a page at most.
    const notices = new DynamoNoticeStore(seedDb, tableName);
    await inParallel(
      bookingIds.filter((i) => i % 200 === 0),
      8,
      async (i) => {
        const bookingId = `bk-${String(i).padStart(5, '0')}`;
        await notices.raise({
          noticeId: `${bookingId}/checkin-unreached`,
          bookingId,
          reason: 'checkin-unreached',
          kind: 'checkin-next-day',
          at: now.minus({ hours: i / 10 }).toISO() ?? NOW,
          state: 'open',
        });
      },
    );
    // Replies: every `urgentEvery`-th is urgent (one alert each), every 8th review, the rest routine.
    const perBooking = Math.max(1, Math.round(scale.replies / scale.bookings));
    const urgentEvery = Math.max(1, Math.floor(scale.replies / scale.alerts));
    const replyIndexes = Array.from({ length: scale.bookings * perBooking }, (_, i) => i);
    let activeAlert = '';
    let reviewReply: StoredReply | undefined;
    await inParallel(replyIndexes, 32, async (n) => {
      const booking = Math.floor(n / perBooking);
      const bookingId = `bk-${String(booking).padStart(5, '0')}`;
      const receivedAt = now
        .minus({ minutes: Math.floor(((booking + 0.5) / scale.bookings) * 365 * 24 * 60) })
        .plus({ hours: 5 + (n % perBooking) * 24 });
      const urgent = n % urgentEvery === 0;
      const review = !urgent && n % 8 === 0;
      const reply: StoredReply = {
        replyId: `rp-${n}`,
        bookingId,
        kind: 'checkin-next-day',
        receivedAt: receivedAt.toISO() ?? NOW,
        answers: {
          mood: urgent ? 2 : review ? 3 : 7,
          sideEffects: { nausea: 'mild' },
          selfHarm: urgent ? 'yes' : 'no',
          wantsCall: false,
          note: 'Slept badly but better today',
        },
        triage: urgent ? 'urgent' : review ? 'review' : 'routine',
        rules: urgent ? ['self-harm'] : review ? ['low-mood'] : [],
        scores: {},
        ...(urgent ? { alertId: `al-${n}` } : {}),
      };
      await seed.replies.record(reply);
      await seed.counts.count(reply, isoWeekIn(reply.receivedAt, config.clinic.timeZone));
      // One screener answer per booking (its first reply): the patient page charts them.
      if (n % perBooking === 0) {
        await seed.screeners.add({
          patientId: `pt-${booking % 1200}`,
          replyId: reply.replyId,
          bookingId,
          at: reply.receivedAt,
          phq9: (booking * 7) % 28,
          gad7: (booking * 5) % 22,
        });
      }
      if (urgent) {
        const alertId = `al-${n}`;
        await seed.alerts.createFromReply({ ...reply, alertId });
        await seed.alerts.clearReplyMarker(reply);
        // All but the most recent few were acknowledged and closed within the hour.
        if (receivedAt < now.minus({ days: 3 })) {
          const at = receivedAt.plus({ minutes: 20 }).toISO() ?? NOW;
          await seed.alerts.acknowledge(alertId, { now: at, by: 'Casey', bySubject: 'sub-casey' });
          await seed.alerts.close(alertId, {
            now: receivedAt.plus({ hours: 1 }).toISO() ?? NOW,
            by: { name: 'Casey', subject: 'sub-casey' },
            outcome: { reached: true, safe: true, plan: 'follow-up call tomorrow' },
          });
        } else activeAlert = alertId;
        activeAlert ||= alertId;
      }
      if (review) {
        if (receivedAt < now.minus({ days: 7 })) {
          await seed.replies.markReviewed(reply, {
            now: receivedAt.plus({ hours: 20 }).toISO() ?? NOW,
            by: { name: 'Casey', subject: 'sub-casey' },
          });
          reviewReply ??= reply;
        } else reviewReply = reply;
      }
    });
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const sessions = new DynamoStaffSessionStore(seedDb, tableName);
    const audit = new DynamoAuditLog(db, tableName);
    const jar = cookieJar(BASE_URL);
    async function cookieFor(staff: Staff): Promise<string> {
      const session: StaffSession = {
        sessionId: `bench-${staff.subject}`,
        staff,
        csrfToken: 'bench-csrf',
        createdAt: NOW,
        lastSeenAt: NOW,
      };
      await sessions.create(session, DateTime.fromISO(NOW).plus({ hours: 12 }).toISO() ?? NOW);
      return `${jar.session}=${await sealCookie({ sid: session.sessionId }, KEY, NOW, 3600)}`;
    }
    const clinician = await cookieFor({
      subject: 'sub-casey',
      email: 'casey@example.org',
      name: 'Casey',
      groups: ['clinician'],
    });
    const admin = await cookieFor({
      subject: 'sub-avery',
      email: 'avery@example.org',
      name: 'Avery',
      groups: ['admin'],
    });

    const replies = new DynamoReplyStore(db, tableName);
    const deps: ConsoleAppDeps = {
      config,
      // The clock stands still: the session never idles out mid-run, and nothing is touched.
      clock: { now: () => NOW },
      alerts: new DynamoAlertStore(db, tableName),
      replies,
      reviews: replies,
      exportSource: dynamoExportSource(db, tableName, config.clinic.timeZone),
      missed: new DynamoMissedCheckinStore(db, tableName),
      patients: new DynamoScreenerHistory(db, tableName),
      replyCounts: new DynamoReplyCounts(db, tableName),
      activity: new DynamoBookingActivity(db, tableName),
      sends: new DynamoStaffSendStore(db, tableName),
      notices: new DynamoNoticeStore(db, tableName),
      bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone }),
      audit,
      sessions: new DynamoStaffSessionStore(db, tableName),
      escalations: { remove: async () => {} },
      identity: {
        startSignIn: () => Promise.reject(new Error('not used by the bench')),
        finishSignIn: () => Promise.reject(new Error('not used by the bench')),
        signOutUrl: () => Promise.reject(new Error('not used by the bench')),
      },
      cookieKey: { get: async () => KEY },
      baseUrl: BASE_URL,
      log: { info: () => {}, warn: () => {}, error: () => {} },
    };
    const lastMonth = now.minus({ months: 1 }).toFormat('yyyy-MM');
    const exportFrom = now.minus({ days: 13 }).toISODate() ?? '';
    const exportTo = now.minus({ days: 7 }).toISODate() ?? '';
    const pages: { page: string; path: string; cookie: string; download?: boolean }[] = [
      { page: 'overview', path: '/console', cookie: clinician },
      { page: 'today', path: '/console/today', cookie: clinician },
      { page: 'alerts', path: '/console/alerts', cookie: clinician },
      { page: 'alerts, a closed month', path: `/console/alerts?month=${lastMonth}`, cookie: clinician },
      { page: 'alert', path: `/console/alerts/${activeAlert}`, cookie: clinician },
      { page: 'review', path: '/console/review', cookie: clinician },
      {
        page: 'reply',
        path: `/console/replies/${reviewReply?.bookingId}/${reviewReply?.replyId}`,
        cookie: clinician,
      },
      { page: 'patient', path: '/console/patients/pt-7', cookie: clinician },
      { page: 'outcomes', path: '/console/outcomes', cookie: clinician },
      { page: 'notices', path: '/console/notices', cookie: clinician },
      { page: 'audit', path: '/console/audit', cookie: admin },
      {
        page: 'FHIR download, a week of replies',
        path: `/console/export/fhir?type=QuestionnaireResponse&from=${exportFrom}&to=${exportTo}&page=1`,
        cookie: clinician,
        download: true,
      },
    ];
    const figures: ConsolePageFigure[] = [];
    for (const target of pages) {
      const [pathname, query = ''] = target.path.split('?');
      const request = async () => {
        const response = await handleConsoleRequest(deps, {
          method: 'GET',
          path: pathname ?? '/console',
          query,
          headers: { cookie: target.cookie },
          origin: { ip: '127.0.0.1', userAgent: 'bench', requestId: 'bench' },
        });
        if (response.status !== 200) throw new Error(`${target.path} answered ${response.status}`);
      };
      for (let i = 0; i < 5; i++) await request();
      const before = { requests: counters.dynamoReads + counters.dynamoWrites, scans: counters.scans };
      const times: number[] = [];
      const runs = target.download ? Math.min(scale.requests, 20) : scale.requests;
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await request();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      figures.push({
        page: target.page,
        ...(target.download ? { download: true } : {}),
        path: target.path,
        p50: Math.round(percentile(times, 50) * 100) / 100,
        p99: Math.round(percentile(times, 99) * 100) / 100,
        n: times.length,
        dynamoRequestsPerView:
          Math.round(((counters.dynamoReads + counters.dynamoWrites - before.requests) / runs) * 10) / 10,
        scans: counters.scans - before.scans,
      });
    }
    return {
      data: {
        bookings: scale.bookings,
        replies: scale.bookings * perBooking,
        alerts: Math.ceil((scale.bookings * perBooking) / urgentEvery),
        seedSeconds: Math.round(seedSeconds * 10) / 10,
      },
      pages: figures,
      scans: counters.scans,
    };
  } finally {
    seedDb.destroy();
    db.destroy();
    await dynamo.close();
  }
}
