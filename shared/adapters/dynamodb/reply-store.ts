import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ReviewList } from '../../domain/console/ports';
import type { ReplyStore, StaffActor, StoredReply } from '../../domain/ports';
import { firstOfList, LIST_KEYS, markListedReviewed, queryAll, WORK_KEYS } from './client';

/**
 * Check-in replies beside their booking. One conditional put per reply: an
 * urgent reply carries its pending alert in the same item, so the reply and
 * the duty to alert are stored together or not at all.
 */
export class DynamoReplyStore implements ReplyStore, ReviewList {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(reply: StoredReply): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `BOOKING#${reply.bookingId}`,
          sk: replySortKey(reply),
          ...reply,
          // Sparse index entries: an urgent reply owes an alert; a review reply, and every week reply with
          // screener totals, a line in the digest.
          ...(reply.alertId
            ? { workKey: WORK_KEYS.alert, workAt: reply.receivedAt }
            : reply.triage === 'review' || hasScores(reply)
              ? { workKey: WORK_KEYS.digest, workAt: reply.receivedAt }
              : {}),
          // The console's review list, until a clinician marks it reviewed.
          ...(reply.triage === 'review' ? { listKey: LIST_KEYS.reviewOpen, listAt: reply.receivedAt } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async listToReview(limit: number): Promise<StoredReply[]> {
    return (await firstOfList(this.db, this.tableName, LIST_KEYS.reviewOpen, limit)).map(toReply);
  }

  markReviewed(reply: StoredReply, opts: { now: string; by: StaffActor }): Promise<boolean> {
    const key = { pk: `BOOKING#${reply.bookingId}`, sk: replySortKey(reply) };
    const lists = { open: LIST_KEYS.reviewOpen, done: LIST_KEYS.reviewDone };
    return markListedReviewed(this.db, this.tableName, key, lists, opts);
  }

  async listForBooking(bookingId: string): Promise<StoredReply[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :reply)',
      ExpressionAttributeValues: { ':pk': `BOOKING#${bookingId}`, ':reply': 'REPLY#' },
    });
    return items.map(toReply);
  }
}

export function replySortKey(reply: Pick<StoredReply, 'kind' | 'receivedAt' | 'replyId'>): string {
  return `REPLY#${reply.kind}#${reply.receivedAt}#${reply.replyId}`;
}

export function toReply(item: Record<string, unknown>): StoredReply {
  const {
    pk: _pk,
    sk: _sk,
    workKey: _key,
    workAt: _at,
    alertCreated: _created,
    digestedAt: _digested,
    digestRun: _run,
    digestClaimedAt: _claimed,
    listKey: _listKey,
    listAt: _listAt,
    ...reply
  } = item;
  return reply as unknown as StoredReply;
}

function hasScores(reply: StoredReply): boolean {
  return reply.scores.phq9 !== undefined || reply.scores.gad7 !== undefined;
}
