import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type CalcomEventTypes,
  calcomPatientId,
  readCalcomDelivery,
  verifyCalcomSignature,
} from '../../shared/domain/hooks/calcom-delivery';

const SECRET = 'local-calcom-secret';
const KEY = 'patient-id-key';
const EVENT_TYPES: CalcomEventTypes = {
  'ketamine-infusion': { treatment: 'iv-ketamine' },
  '42': { treatment: 'esketamine-nasal', durationMinutes: 150 },
};

/** A BOOKING_CREATED delivery in Cal.com's 2021-10-20 shape. */
function created(payload: Record<string, unknown> = {}, trigger = 'BOOKING_CREATED') {
  return {
    triggerEvent: trigger,
    createdAt: '2026-11-30T10:00:00.000Z',
    payload: {
      type: 'ketamine-infusion',
      title: 'Ketamine infusion between Clinic and Ana Ruiz',
      startTime: '2026-12-07T15:00:00.000Z',
      endTime: '2026-12-07T16:30:00.000Z',
      organizer: { name: 'Clinic', email: 'desk@example-clinic.org', timeZone: 'America/New_York' },
      attendees: [
        {
          name: 'Ana Ruiz',
          email: 'Ana.Ruiz@example.org',
          timeZone: 'America/Chicago',
          language: { locale: 'es' },
          phoneNumber: '+15555550123',
        },
      ],
      uid: 'bk-uid-1',
      eventTypeId: 7,
      location: 'Room 2',
      responses: { name: { value: 'Ana Ruiz' }, email: { value: 'ana.ruiz@example.org' } },
      ...payload,
    },
  };
}

describe('Cal.com webhook signature', () => {
  const body = JSON.stringify(created());
  const sign = (text: string, secret = SECRET) => createHmac('sha256', secret).update(text).digest('hex');

  it('takes the hex HMAC-SHA256 of the raw body under the secret', () => {
    expect(verifyCalcomSignature(body, sign(body), SECRET)).toBe(true);
    expect(verifyCalcomSignature(body, sign(body).toUpperCase(), SECRET)).toBe(true);
  });

  it('refuses another secret, a changed body, a missing or malformed header', () => {
    expect(verifyCalcomSignature(body, sign(body, 'other'), SECRET)).toBe(false);
    expect(verifyCalcomSignature(`${body} `, sign(body), SECRET)).toBe(false);
    expect(verifyCalcomSignature(body, undefined, SECRET)).toBe(false);
    expect(verifyCalcomSignature(body, 'abc', SECRET)).toBe(false);
    expect(verifyCalcomSignature(body, `${sign(body)}00`, SECRET)).toBe(false);
  });
});

describe('reading a Cal.com delivery', () => {
  it('reads a created booking: session, treatment by event type, patient by attendee, a hashed id', () => {
    expect(readCalcomDelivery(created(), EVENT_TYPES, KEY)).toEqual({
      type: 'booking',
      trigger: 'BOOKING_CREATED',
      uid: 'bk-uid-1',
      at: '2026-11-30T10:00:00.000Z',
      session: {
        startsAt: '2026-12-07T15:00:00.000Z',
        durationMinutes: 90,
        timeZone: 'America/New_York',
        treatment: 'iv-ketamine',
        location: 'Room 2',
      },
      patient: {
        id: calcomPatientId('ana.ruiz@example.org', KEY),
        firstName: 'Ana',
        email: 'Ana.Ruiz@example.org',
        phone: '+15555550123',
        language: 'es',
        timeZone: 'America/Chicago',
      },
    });
  });

  it('makes the same patient id whatever the email case, never carrying the email', () => {
    const id = calcomPatientId('Ana.Ruiz@Example.org', KEY);
    expect(id).toBe(calcomPatientId(' ana.ruiz@example.org ', KEY));
    expect(id).toMatch(/^calcom:[A-Za-z0-9_-]{22}$/);
    expect(id).not.toContain('ana');
    expect(calcomPatientId('ana.ruiz@example.org', 'another key')).not.toBe(id);
  });

  it('takes the event type by id and its fixed length, and the phone from the booking answers', () => {
    const read = readCalcomDelivery(
      created({
        type: 'spravato',
        eventTypeId: 42,
        attendees: [{ name: 'Bo', email: 'bo@example.org', timeZone: 'America/Denver' }],
        responses: { attendeePhoneNumber: { value: '+15555550199' } },
        location: 'https://cal.com/video/abc',
      }),
      EVENT_TYPES,
      KEY,
    );
    expect(read).toMatchObject({
      type: 'booking',
      session: { durationMinutes: 150, treatment: 'esketamine-nasal' },
      patient: { phone: '+15555550199', language: 'en' },
    });
    // A video link is not a place.
    expect(read.type === 'booking' && 'location' in read.session).toBe(false);
  });

  it('ties a reschedule to the booking it moves', () => {
    const read = readCalcomDelivery(
      created({ uid: 'bk-uid-2', rescheduleUid: 'bk-uid-1' }, 'BOOKING_RESCHEDULED'),
      EVENT_TYPES,
      KEY,
    );
    expect(read).toMatchObject({
      type: 'booking',
      trigger: 'BOOKING_RESCHEDULED',
      uid: 'bk-uid-2',
      previousUid: 'bk-uid-1',
    });
  });

  it('reads a cancel with its reason, and a video meeting that ended', () => {
    expect(
      readCalcomDelivery(
        created({ cancellationReason: ' no longer needed ' }, 'BOOKING_CANCELLED'),
        EVENT_TYPES,
        KEY,
      ),
    ).toEqual({
      type: 'cancelled',
      uid: 'bk-uid-1',
      at: '2026-11-30T10:00:00.000Z',
      reason: 'no longer needed',
    });
    expect(readCalcomDelivery(created({}, 'MEETING_ENDED'), EVENT_TYPES, KEY)).toEqual({
      type: 'ended',
      uid: 'bk-uid-1',
      at: '2026-11-30T10:00:00.000Z',
      endedAt: '2026-11-30T10:00:00.000Z',
    });
  });

  it.each(['PING', 'BOOKING_REQUESTED', 'BOOKING_REJECTED', 'MEETING_STARTED'])('ignores %s', (trigger) => {
    expect(readCalcomDelivery({ triggerEvent: trigger, payload: {} }, EVENT_TYPES, KEY)).toEqual({
      type: 'ignored',
      trigger,
    });
  });

  it.each([
    ['an event type no treatment maps', created({ type: 'haircut', eventTypeId: 9 }), 'payload.type'],
    [
      'no attendee email',
      created({ attendees: [{ name: 'X', timeZone: 'UTC' }], responses: {} }),
      'payload.attendees.0.email',
    ],
    ['no start', created({ startTime: 'soon' }), 'payload.startTime'],
    ['no uid', created({ uid: '' }), 'payload.uid'],
    ['no delivery time', { ...created(), createdAt: 'yesterday' }, 'createdAt'],
  ])('names the field of a delivery with %s', (_, body, field) => {
    const read = readCalcomDelivery(body, EVENT_TYPES, KEY);
    expect(read.type).toBe('unmappable');
    expect(read.type === 'unmappable' && read.errors[0]?.field).toBe(field);
  });
});
