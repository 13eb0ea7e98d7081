import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { FullBooking } from '../../contracts/booking-events';
import type { BookingRecord } from '../../domain/booking-record';
import type { BookingBatch } from '../../domain/console/ports';
import type { BookingStore } from '../../domain/ports';
import { isConditionFailure } from './client';

const key = (bookingId: string) => ({ pk: `BOOKING#${bookingId}`, sk: 'BOOKING' });

/** Bookings on the single table: one item per booking, written under an optimistic lock. */
export class DynamoBookingStore implements BookingStore, BookingBatch {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(bookingId: string): Promise<BookingRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(bookingId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...record } = Item;
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
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(record.bookingId), ...record },
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
}
