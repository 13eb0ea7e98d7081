import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoReplyCounts } from '../../shared/adapters/dynamodb/reply-counts';
import { DynamoScreenerHistory } from '../../shared/adapters/dynamodb/screener-history';
import { MESSAGE_KINDS } from '../../shared/contracts/vocabulary';
import { acknowledgeAlert, dispatchReplyAlert, sweepAlerts } from '../../shared/domain/alerts/alerts';
import { staffRecipients } from '../../shared/domain/alerts/staff-recipients';
import { pickChannels } from '../../shared/domain/booking/plan';
import { processBookingEvent } from '../../shared/domain/booking/process-booking-event';
import type { CheckinDeps } from '../../shared/domain/checkins/checkin';
import { createLinkToken } from '../../shared/domain/messages/tokens';
import type { ReplyStore, StaffTopic } from '../../shared/domain/ports';
import { shiftIso } from '../../shared/domain/time';
import { handleLinkRequest } from '../../shared/web/patient/patient-link';
import {
  alertHarness,
  config,
  duplicates,
  fireDue,
  type MessagingHarness,
  messageKey,
  messagingHarness,
  noMetrics,
  seededRandom,
  silentLog,
} from './support';

/*
 * Fault injection: SES, SNS (SMS) and the staff topic fail and throttle at
 * random (seeded), while the real use cases run on the real DynamoDB stores.
 * Lambda's async retries are simulated as the local runtime does (three
 * attempts a minute apart, then the on-failure queue).
 */

const T0 = '2026-04-06T13:00:00.000Z';
const FAILURE_RATE = 0.3;
const PATIENT_EMAIL = (i: number) => `fault.patient.${i}@example.org`;
const PATIENT_PHONE = (i: number) => `+1555011${String(i).padStart(4, '0')}`;

/** A provider error as the SDK throws it: a name, sometimes an HTTP status, a message that can echo PHI. */
function providerError(random: () => number, to: string): Error {
  const names = [
    'ThrottlingException',
    'ThrottlingException',
    'ServiceUnavailableException',
    'InternalFailure',
  ];
  const name = names[Math.floor(random() * names.length)] ?? 'ThrottlingException';
  const error = new Error(`Rate exceeded sending to ${to}`);
  error.name = name;
  if (name === 'ThrottlingException') Object.assign(error, { $metadata: { httpStatusCode: 400 } });
  return error;
}

function bookingEvent(i: number, startsAt: string) {
  const contact = i % 3;
  return {
    source: 'clinic.booking',
    detailType: 'Booking Created',
    detail: {
      bookingId: `fault-${i}`,
      version: 1,
      session: { startsAt, durationMinutes: 90, timeZone: 'America/Denver', treatment: 'kap' },
      patient: {
        id: `p-${i}`,
        firstName: 'Fay',
        ...(contact !== 1 ? { email: PATIENT_EMAIL(i) } : {}),
        // Each patient's own phone: the SMS cap counts every text to a phone, whatever the booking.
        ...(contact !== 2 ? { phone: PATIENT_PHONE(i) } : {}),
      },
    },
  };
}

describe('patient messages under failing and throttling providers', () => {
  it('ends every planned message sent exactly once or in the DLQ with its reason, never twice', async () => {
    let runs = 0;
    let dead = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        runs++;
        const random = seededRandom(seed);
        let failures = 0;
        const h: MessagingHarness = await messagingHarness({
          clockStart: T0,
          beforeSend: (call) => {
            if (random() < FAILURE_RATE) {
              failures++;
              throw providerError(random, call.email?.to ?? call.sms?.to ?? '');
            }
          },
        });
        const bookings = 25;
        for (let i = 0; i < bookings; i++) {
          // Bookings arrive over a few hours, sessions one to three days out; schedules fire in between.
          await fireDue(h, shiftIso(h.clock.now(), { minutes: Math.floor(random() * 20) }));
          const startsAt = shiftIso(T0, { hours: 24 + Math.floor(random() * 48) });
          const outcome = await processBookingEvent(h.deps, bookingEvent(i, startsAt));
          expect(outcome).toEqual({ status: 'processed' });
        }
        await fireDue(h, shiftIso(T0, { days: 12 }));
        expect(h.scheduler.pending()).toEqual([]);
        expect(failures).toBeGreaterThan(0);

        // Provider errors never duplicate a message.
        expect(duplicates(h.sent.map(messageKey))).toEqual([]);
        expect(h.identityErrors).toEqual([]);
        const sent = new Set(h.sent.map(messageKey));
        const letters = h.deadLetters.map((l) => ({
          ...l,
          payload: l.detail as { bookingId: string; kind: string; at: string },
        }));

        let planned = 0;
        for (let i = 0; i < bookings; i++) {
          const bookingId = `fault-${i}`;
          const record = await h.deps.bookings.get(bookingId);
          const log = await h.deps.messageLog.list(bookingId);
          for (const kind of MESSAGE_KINDS) {
            const entry = record?.plan[kind];
            if (!entry || entry.status === 'skipped' || !record?.booking) continue;
            const rule = config.plan.find((r) => r.kind === kind);
            for (const channel of pickChannels(rule?.channels ?? 'both', record.booking.patient)) {
              planned++;
              const key = messageKey({ bookingId, kind, at: entry.plannedAt, channel });
              const logEntry = log.find(
                (e) =>
                  e.kind === kind &&
                  e.channel === channel &&
                  Date.parse(e.at) === Date.parse(entry.plannedAt),
              );
              if (sent.has(key)) {
                expect(logEntry?.status, key).toBe('sent');
                continue;
              }
              // Not sent: the DLQ keeps it, with a reason that names the channel and the provider's error only.
              const letter = letters.find(
                (l) =>
                  l.payload?.bookingId === bookingId &&
                  l.payload.kind === kind &&
                  Date.parse(l.payload.at) === Date.parse(entry.plannedAt),
              );
              expect(letter, `lost without a trace: ${key}`).toBeDefined();
              expect(letter?.reason).toMatch(
                new RegExp(`${channel} \\((ThrottlingException|ServiceUnavailableException|InternalFailure)`),
              );
              // A message due when its event arrived (instructions; a reminder inside the grace period)
              // had one attempt while the event was processed, before the scheduler's three.
              expect(logEntry).toMatchObject({
                status: 'failed',
                attempts: 3 + (entry.status === 'due' ? 1 : 0),
              });
            }
          }
        }
        expect(planned).toBeGreaterThan(bookings * 4);
        dead += letters.length;
        // Every letter is a real, unsent message; none carries the patient's contact details.
        for (const letter of letters) {
          expect(letter.source).toBe('send-message');
          expect(letter.reason).not.toMatch(/@example\.org|\+1555/);
        }
      }),
      { numRuns: 4, endOnFailure: true },
    );
    expect(runs).toBe(4);
    // At a 30% failure rate some messages fail all their attempts: the DLQ path was really taken.
    expect(dead).toBeGreaterThan(0);
  }, 60_000);
});

describe('staff alerts under failing and throttling staff channels', () => {
  it('delivers every urgent reply to staff exactly once and escalates each step once, whatever fails', async () => {
    let acknowledgements = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const random = seededRandom(seed);
        const h = await messagingHarness({ clockStart: T0 });
        const published: { topic: StaffTopic; to: string; text: string; at: string }[] = [];
        let failures = 0;
        const { alerts, replies, alertDeps } = alertHarness(h, async (recipient, message) => {
          if (random() < FAILURE_RATE) {
            failures++;
            throw providerError(random, 'staff-channel');
          }
          published.push({
            topic: message.topic,
            to: recipient.address,
            text: message.text,
            at: h.clock.now(),
          });
          return { messageId: `staff-${published.length}` };
        });
        // The table stream's delivery: right after the write, and its failure is the sweeper's to heal.
        const streamed: ReplyStore = {
          record: async (reply) => {
            await replies.record(reply);
            if (reply.alertId) await dispatchReplyAlert(alertDeps, reply).catch(() => undefined);
          },
          listForBooking: (id) => replies.listForBooking(id),
        };
        const checkinDeps: CheckinDeps = {
          config,
          clock: h.clock,
          bookings: h.deps.bookings,
          links: h.deps.links,
          replies: streamed,
          alerts,
          screeners: new DynamoScreenerHistory(h.db, h.tableName),
          replyCounts: new DynamoReplyCounts(h.db, h.tableName),
          signingKey: h.deps.signingKey,
          readiness: h.deps.readiness,
          notices: h.deps.notices,
          mailer: h.deps.mailer,
          consoleBaseUrl: h.deps.consoleBaseUrl,
          newId: randomUUID,
          metrics: noMetrics,
          log: silentLog,
        };

        const count = 12;
        const sessionStart = shiftIso(T0, { hours: -6 });
        const alertIds: string[] = [];
        const acknowledged = new Set<string>();
        for (let i = 0; i < count; i++) {
          // A booking whose session is over, and its same-day check-in link.
          const outcome = await processBookingEvent(h.deps, bookingEvent(100 + i, sessionStart));
          expect(outcome.status).toBe('processed');
        }
        for (let i = 0; i < count; i++) {
          const bookingId = `fault-${100 + i}`;
          const { linkId, token } = createLinkToken(await h.deps.signingKey.get(), {
            bookingId,
            kind: 'checkin-same-day',
            at: T0,
          });
          await h.deps.links.put({
            linkId,
            bookingId,
            kind: 'checkin-same-day',
            purpose: 'checkin',
            expiresAt: shiftIso(T0, { days: 7 }),
          });
          h.clock.moveTo(shiftIso(T0, { minutes: Math.floor(random() * 20) }));
          const answer = await handleLinkRequest(checkinDeps, {
            method: 'POST',
            page: 'c',
            token,
            contentType: 'application/json',
            body: JSON.stringify({ mood: 1, selfHarm: 'yes', note: 'call me' }),
          });
          expect(answer.status).toBe(201);
          const body = JSON.parse(answer.body) as { crisisResources?: { label: string; phone?: string }[] };
          // The patient sees 911 and 988 whatever happens to the staff channels.
          expect(JSON.stringify(body.crisisResources)).toMatch(/911/);
          expect(JSON.stringify(body.crisisResources)).toMatch(/988/);
          const [reply] = await replies.listForBooking(bookingId);
          alertIds.push(reply?.alertId ?? '');
        }

        const alertRecipients = staffRecipients(config.staff, 'alerts').map((r) => r.address);
        const escalationRecipients = staffRecipients(config.staff, 'escalation').map((r) => r.address);
        // The sweeper every minute, escalation schedules in between, some staff acknowledging.
        for (let minute = 0; minute <= 180; minute++) {
          const at = shiftIso(T0, { minutes: minute });
          await fireDue(h, at, alertDeps);
          await sweepAlerts(alertDeps);
          if (minute > 20 && random() < 0.02) {
            const alertId = alertIds[Math.floor(random() * alertIds.length)] ?? '';
            const alert = await alerts.get(alertId);
            if (alert && alert.state !== 'pending') {
              await acknowledgeAlert(
                { alerts, clock: h.clock, log: silentLog, escalations: h.scheduler.alerts },
                alertId,
                'nurse',
              );
              acknowledged.add(alertId);
            }
          }
        }
        expect(failures).toBeGreaterThan(0);

        for (const alertId of alertIds) {
          const alert = await alerts.get(alertId);
          const mine = published.filter((p) => p.text.includes(alertId));
          expect(alert?.state, alertId).not.toBe('pending');
          // Every alert recipient got the first alert once, however often its channel failed: the
          // escalations went on at their times meanwhile and never stood in for it.
          for (const to of alertRecipients)
            expect(
              mine.filter((p) => p.topic === 'alerts' && p.to === to),
              `${alertId} ${to}`,
            ).toHaveLength(1);
          // Each escalation went to each contact at most once; all of them when nobody acknowledged
          // (a copy still refused at the acknowledgement is cancelled, not sent).
          for (const to of escalationRecipients) {
            const copies = mine.filter((p) => p.topic === 'escalation' && p.to === to).length;
            if (acknowledged.has(alertId))
              expect(copies, alertId).toBeLessThanOrEqual(alert?.escalations ?? 0);
            else expect(copies, alertId).toBe(alert?.escalations);
          }
          if (!acknowledged.has(alertId)) {
            expect(alert?.escalations, alertId).toBe(config.staff.maxEscalations);
          } else {
            const ackAt = Date.parse(alert?.acknowledgedAt ?? '');
            expect(
              mine.filter((p) => p.topic === 'escalation' && Date.parse(p.at) > ackAt),
              alertId,
            ).toEqual([]);
          }
        }
        acknowledgements += acknowledged.size;
        // Nothing is left to do once every alert has gone out and escalated.
        expect(await alerts.dueWork(h.clock.now())).toEqual([]);
      }),
      { numRuns: 3, endOnFailure: true },
    );
    expect(acknowledgements).toBeGreaterThan(0);
  }, 60_000);
});
