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
import type { BookingBatch, BookingDays } from '../../domain/console/ports';
import type { BookingStore } from '../../domain/ports';
import { isConditionFailure, LIST_INDEX, LIST_KEYS, queryAll } from './client';
import { patientKey } from './screener-history';

const key = (bookingId: string) => ({ pk: `BOOKING#${bookingId}`, sk: 'BOOKING' });

/**
 * Bookings on the single table: one item per booking, written under an
 * optimistic lock. Given the clinic's time zone, each booking is also listed
 * under its session day there (the console's Today page), in the same write.
 * Each session is also entered in its patient's partition
 * (`PATIENT#<id>`, `SESSION#<start>#<booking>`) before the booking is
 * written; an entry left behind by a reschedule or a cancel is harmless,
 * because readers check it against the booking.
 */
export class DynamoBookingStore implements BookingStore, BookingBatch, BookingDays {
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
    return (Items ?? []).map(
      ({ pk: _pk, sk: _sk, listKey: _key, listAt: _at, ...record }) => record as BookingRecord,
    );
  }

  async get(bookingId: string): Promise<BookingRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(bookingId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, listKey: _key, listAt: _at, ...record } = Item;
    return record as BookingRecord;
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
    const booking = record.booking;
    if (booking && record.status === 'active') {
      const startsAt = new Date(booking.session.startsAt).toISOString();
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: patientKey(booking.patient.id),
            sk: `SESSION#${startsAt}#${record.bookingId}`,
            bookingId: record.bookingId,
            startsAt,
          },
        }),
      );
    }
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(record.bookingId), ...record, ...this.dayEntry(record) },
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

  async sessionsOfPatient(patientId: string, from: string, to: string): Promise<BookingRecord[]> {
    const entries = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': patientKey(patientId),
        ':from': `SESSION#${new Date(from).toISOString()}`,
        // "~" sorts after every booking id character, so sessions starting exactly at `to` are in.
        ':to': `SESSION#${new Date(to).toISOString()}#~`,
      },
    });
    const ids = [...new Set(entries.map((entry) => String(entry.bookingId)))];
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((record): record is BookingRecord => {
      const startsAt = record?.booking?.session.startsAt;
      const sameActivePatient = record?.status === 'active' && record.booking?.patient.id === patientId;
      if (!sameActivePatient || !startsAt) return false;
      const start = Date.parse(startsAt);
      return start >= Date.parse(from) && start <= Date.parse(to);
    });
  }
}
