import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import type { FullBooking } from '../../contracts/booking-events';
import type { BookingRecord } from '../../domain/booking-record';
import type { BookingBatch, BookingDays, PatientBookings } from '../../domain/console/ports';
import type { BookingStore } from '../../domain/ports';
import { isConditionFailure, LIST_INDEX, LIST_KEYS, PATIENT_INDEX, queryAll, queryCount } from './client';
import { patientKey } from './screener-history';

const key = (bookingId: string) => ({ pk: `BOOKING#${bookingId}`, sk: 'BOOKING' });

/**
 * Bookings on the single table: one item per booking, written under an
 * optimistic lock. Given the clinic's time zone, each booking is also listed
 * under its session day there (the console's Today page), in the same write.
 * A patient's sessions in a few days are found through those day lists
 * (the index holds whole items); all of a patient's bookings, newest first,
 * through the by-patient index (the console's patient page), whose keys the
 * same write sets.
 */
export class DynamoBookingStore implements BookingStore, BookingBatch, BookingDays, PatientBookings {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { clinicTimeZone?: string } = {},
  ) {}

  /** The list entry of a booking on its session day in the clinic's zone, if the store knows the zone. */
  private dayEntry(record: BookingRecord): { listKey: string; listAt: string } | Record<string, never> {
    const zone = this.options.clinicTimeZone;
    const startsAt = record.booking?.session.startsAt;
    if (!zone || !startsAt) return {};
    const start = DateTime.fromISO(startsAt, { setZone: true });
    const day = start.setZone(zone).toISODate();
    return day
      ? { listKey: LIST_KEYS.sessionDay(day), listAt: `${start.toUTC().toISO()}#${record.bookingId}` }
      : {};
  }

  async sessionsOn(day: string, limit: number): Promise<BookingRecord[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LIST_INDEX,
        KeyConditionExpression: 'listKey = :day',
        ExpressionAttributeValues: { ':day': LIST_KEYS.sessionDay(day) },
        Limit: limit,
      }),
    );
    return (Items ?? []).map(toRecord);
  }

  /** Every booking of a session day, across pages (the FHIR export of a window). */
  async allSessionsOn(day: string): Promise<BookingRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: LIST_INDEX,
      KeyConditionExpression: 'listKey = :day',
      ExpressionAttributeValues: { ':day': LIST_KEYS.sessionDay(day) },
    });
    return items.map(toRecord);
  }

  async get(bookingId: string): Promise<BookingRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(bookingId), ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async getMany(bookingIds: readonly string[]): Promise<Map<string, FullBooking>> {
    const found = new Map<string, FullBooking>();
    const unique = [...new Set(bookingIds)];
    // BatchGetItem takes 100 keys a request; keys DynamoDB leaves unprocessed are asked again.
    for (let start = 0; start < unique.length; start += 100) {
      let keys: Record<string, unknown>[] = unique.slice(start, start + 100).map(key);
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
        const { Responses, UnprocessedKeys } = await this.db.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ProjectionExpression: '#id, #booking',
                ExpressionAttributeNames: { '#id': 'bookingId', '#booking': 'booking' },
              },
            },
          }),
        );
        for (const item of Responses?.[this.tableName] ?? []) {
          if (item.booking) found.set(String(item.bookingId), item.booking as FullBooking);
        }
        keys = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  async save(record: BookingRecord, expectedRevision: number | undefined): Promise<'saved' | 'conflict'> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(record.bookingId), ...record, ...this.dayEntry(record), ...patientEntry(record) },
          ...(expectedRevision === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#revision = :expected',
                ExpressionAttributeNames: { '#revision': 'revision' },
                ExpressionAttributeValues: { ':expected': expectedRevision },
              }),
        }),
      );
      return 'saved';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw error;
    }
  }

  async bookingsOfPatient(
    patientId: string,
    opts: { limit: number; before?: string },
  ): Promise<{ records: BookingRecord[]; next?: string }> {
    const start = opts.before === undefined ? undefined : startKeyOf(patientId, opts.before);
    const { Items, LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: PATIENT_INDEX,
        KeyConditionExpression: 'patientKey = :patient',
        ExpressionAttributeValues: { ':patient': patientKey(patientId) },
        ScanIndexForward: false,
        Limit: opts.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const next = LastEvaluatedKey?.patientAt;
    return { records: (Items ?? []).map(toRecord), ...(typeof next === 'string' ? { next } : {}) };
  }

  async countOfPatient(patientId: string): Promise<number> {
    return queryCount(this.db, {
      TableName: this.tableName,
      IndexName: PATIENT_INDEX,
      KeyConditionExpression: 'patientKey = :patient',
      ExpressionAttributeValues: { ':patient': patientKey(patientId) },
    });
  }

  async sessionsOfPatient(patientId: string, from: string, to: string): Promise<BookingRecord[]> {
    const zone = this.options.clinicTimeZone;
    if (!zone) throw new Error('sessionsOfPatient needs the clinic time zone (the day lists)');
    const first = DateTime.fromISO(from, { zone });
    const last = DateTime.fromISO(to, { zone });
    const found: BookingRecord[] = [];
    for (let day = first.startOf('day'); day <= last; day = day.plus({ days: 1 })) {
      const key = day.toISODate();
      if (!key) continue;
      const items = await queryAll(this.db, {
        TableName: this.tableName,
        IndexName: LIST_INDEX,
        KeyConditionExpression: 'listKey = :day',
        ExpressionAttributeValues: { ':day': LIST_KEYS.sessionDay(key) },
      });
      for (const item of items) {
        const record = toRecord(item);
        const startsAt = record.booking?.session.startsAt;
        if (record.status !== 'active' || record.booking?.patient.id !== patientId || !startsAt) continue;
        const start = Date.parse(startsAt);
        if (start >= Date.parse(from) && start <= Date.parse(to)) found.push(record);
      }
    }
    return found;
  }
}

/** The booking's keys on the by-patient index: its patient, then its start (UTC) and id, so newest sorts last. */
function patientEntry(
  record: BookingRecord,
): { patientKey: string; patientAt: string } | Record<string, never> {
  const booking = record.booking;
  if (!booking) return {};
  const start = DateTime.fromISO(booking.session.startsAt, { setZone: true }).toUTC().toISO();
  return start
    ? { patientKey: patientKey(booking.patient.id), patientAt: `${start}#${record.bookingId}` }
    : {};
}

/** Where a page of a patient's bookings starts: after `patientAt` (`<start>#<bookingId>`), else undefined. */
function startKeyOf(patientId: string, patientAt: string): Record<string, string> | undefined {
  const bookingId = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#(.+)$/.exec(patientAt)?.[1];
  if (!bookingId) return undefined;
  return { ...key(bookingId), patientKey: patientKey(patientId), patientAt };
}

/** A stored item as a booking record, without its keys and index entries. */
function toRecord(item: Record<string, unknown>): BookingRecord {
  const {
    pk: _pk,
    sk: _sk,
    listKey: _key,
    listAt: _at,
    patientKey: _patient,
    patientAt: _patientAt,
    ...record
  } = item;
  return record as unknown as BookingRecord;
}
