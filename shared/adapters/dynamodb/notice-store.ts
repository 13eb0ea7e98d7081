import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { FrontDeskNotice, NoticeStore } from '../../domain/alerts/front-desk-notices';
import { firstOfList, isConditionFailure, LIST_INDEX, LIST_KEYS, markListedReviewed } from './client';

/** `<bookingId>/<reason>` back to the item's key: beside its booking, one per reason. */
function keyOf(noticeId: string) {
  const slash = noticeId.lastIndexOf('/');
  return { pk: `BOOKING#${noticeId.slice(0, slash)}`, sk: `NOTICE#${noticeId.slice(slash + 1)}` };
}

/**
 * Front-desk notices beside their booking (`BOOKING#<id>` / `NOTICE#<reason>`), written once by a
 * conditional put, and on the console's list of open notices (`NOTICES#OPEN`) until someone deals with it
 * (then `NOTICES#DONE#<month>`).
 */
export class DynamoNoticeStore implements NoticeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async raise(notice: FrontDeskNotice): Promise<{ created: boolean; notice: FrontDeskNotice }> {
    const key = keyOf(notice.noticeId);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, ...notice, listKey: LIST_KEYS.noticesOpen, listAt: notice.at },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, notice };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (!Item) throw new Error('a notice that exists could not be read back');
    return { created: false, notice: toNotice(Item) };
  }

  async markEmailedTo(noticeId: string, addressDigest: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(noticeId),
        UpdateExpression: 'ADD emailedTo :digest',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':digest': new Set([addressDigest]) },
      }),
    );
  }

  async markEmailed(noticeId: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(noticeId),
        UpdateExpression: 'SET emailedAt = if_not_exists(emailedAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  markDone(noticeId: string, opts: { now: string; by: { name: string; subject: string } }): Promise<boolean> {
    return markListedReviewed(
      this.db,
      this.tableName,
      keyOf(noticeId),
      { open: LIST_KEYS.noticesOpen, done: LIST_KEYS.noticesDone },
      opts,
    );
  }

  async open(limit: number): Promise<FrontDeskNotice[]> {
    return (await firstOfList(this.db, this.tableName, LIST_KEYS.noticesOpen, limit)).map(toNotice);
  }

  async openPage(
    limit: number,
    after?: Pick<FrontDeskNotice, 'at' | 'noticeId'>,
  ): Promise<{ notices: FrontDeskNotice[]; more: boolean }> {
    // One more than the page, to know whether another follows.
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LIST_INDEX,
        KeyConditionExpression: 'listKey = :key',
        ExpressionAttributeValues: { ':key': LIST_KEYS.noticesOpen },
        Limit: limit + 1,
        ...(after
          ? {
              ExclusiveStartKey: {
                ...keyOf(after.noticeId),
                listKey: LIST_KEYS.noticesOpen,
                listAt: after.at,
              },
            }
          : {}),
      }),
    );
    return { notices: Items.slice(0, limit).map(toNotice), more: Items.length > limit };
  }
}

function toNotice(item: Record<string, unknown>): FrontDeskNotice {
  return {
    noticeId: String(item.noticeId),
    bookingId: String(item.bookingId),
    reason: item.reason as FrontDeskNotice['reason'],
    kind: item.kind as FrontDeskNotice['kind'],
    at: String(item.at),
    // Dealt with once it left the open list.
    state: item.listKey === LIST_KEYS.noticesOpen ? 'open' : 'done',
    ...(typeof item.emailedAt === 'string' ? { emailedAt: item.emailedAt } : {}),
    ...(item.emailedTo instanceof Set ? { emailedTo: [...(item.emailedTo as Set<string>)] } : {}),
    ...(typeof item.reviewedBy === 'string' ? { doneBy: item.reviewedBy } : {}),
    ...(typeof item.reviewedAt === 'string' ? { doneAt: item.reviewedAt } : {}),
  };
}
