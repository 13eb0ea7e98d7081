import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { BookingRecord } from '../../domain/booking-record';
import type { BookingStore } from '../../domain/ports';
import { isConditionFailure } from './client';

const key = (bookingId: string) => ({ pk: `BOOKING#${bookingId}`, sk: 'BOOKING' });

/** Bookings on the single table: one item per booking, written under an optimistic lock. */
export class DynamoBookingStore implements BookingStore {
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
