import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MissedList } from '../../domain/console/ports';
import type { MissedCheckin, MissedCheckinStore, StaffActor } from '../../domain/ports';
import {
  firstOfList,
  isConditionFailure,
  LIST_KEYS,
  markListedReviewed,
  queryAll,
  WORK_KEYS,
} from './client';

export const missedSortKey = (kind: string) => `MISSED#${kind}`;

/**
 * Missed check-ins beside their booking, one item per check-in kind, written
 * once (a conditional put): on the digest's work index until a digest
 * carries it, and on the console's list of missed check-ins until someone
 * marks it reviewed.
 */
export class DynamoMissedCheckinStore implements MissedCheckinStore, MissedList {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(missed: MissedCheckin): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `BOOKING#${missed.bookingId}`,
            sk: missedSortKey(missed.kind),
            ...missed,
            workKey: WORK_KEYS.digest,
            workAt: missed.recordedAt,
            listKey: LIST_KEYS.missedOpen,
            listAt: missed.missedAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async listMissed(limit: number): Promise<MissedCheckin[]> {
    return (await firstOfList(this.db, this.tableName, LIST_KEYS.missedOpen, limit)).map(toMissed);
  }

  markMissedReviewed(
    missed: Pick<MissedCheckin, 'bookingId' | 'kind'>,
    opts: { now: string; by: StaffActor },
  ): Promise<boolean> {
    const key = { pk: `BOOKING#${missed.bookingId}`, sk: missedSortKey(missed.kind) };
    const lists = { open: LIST_KEYS.missedOpen, done: LIST_KEYS.missedDone };
    return markListedReviewed(this.db, this.tableName, key, lists, opts);
  }

  async listForBooking(bookingId: string): Promise<MissedCheckin[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :missed)',
      ExpressionAttributeValues: { ':pk': `BOOKING#${bookingId}`, ':missed': 'MISSED#' },
    });
    return items.map(toMissed);
  }
}

export function toMissed(item: Record<string, unknown>): MissedCheckin {
  const { bookingId, patientId, kind, sentAt, missedAt, recordedAt, bothEarlyMissed } = item;
  return {
    bookingId,
    patientId,
    kind,
    sentAt,
    missedAt,
    recordedAt,
    bothEarlyMissed: bothEarlyMissed === true,
  } as MissedCheckin;
}
