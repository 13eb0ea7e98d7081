import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

/** One DocumentClient per table connection; `endpoint` points the local runtime and tests at dynalite. */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** The table's key attributes; the CDK stack and the local runtime create the same table. */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * The sparse index of work waiting on time: urgent replies whose alert is not
 * created yet and alerts with a delivery or escalation due (`ALERT`), and
 * review replies waiting for the digest (`DIGEST`), and alerts that escalated
 * as often as allowed with nobody acknowledging (`UNACKNOWLEDGED`). Items
 * leave it when done.
 */
export const WORK_INDEX = 'work-by-time';
export const WORK_KEYS = { alert: 'ALERT', digest: 'DIGEST', unacknowledged: 'UNACKNOWLEDGED' } as const;

/**
 * The sparse index of what the staff console lists, by time: alerts not
 * closed yet (`ALERTS#ACTIVE`, by creation) and closed alerts by month of
 * closing (`ALERTS#CLOSED#2026-11`, by closing time); review replies waiting
 * (`REVIEW#OPEN`, by arrival) and reviewed ones by month (`REVIEW#DONE#…`); open front-desk notices
 * (`NOTICES#OPEN`, by when raised); the SMS sent to each phone (`TEXTS#<phone digest>`, by sending time), where
 * a patient's text finds the message it answers;
 * bookings by session day in the clinic's zone (`DAY#2026-11-29`, by start).
 */
export const LIST_INDEX = 'list-by-time';
export const LIST_KEYS = {
  activeAlerts: 'ALERTS#ACTIVE',
  closedAlerts: (month: string) => `ALERTS#CLOSED#${month}`,
  reviewOpen: 'REVIEW#OPEN',
  reviewDone: (month: string) => `REVIEW#DONE#${month}`,
  sessionDay: (day: string) => `DAY#${day}`,
  missedOpen: 'MISSED#OPEN',
  missedDone: (month: string) => `MISSED#DONE#${month}`,
  noticesOpen: 'NOTICES#OPEN',
  noticesDone: (month: string) => `NOTICES#DONE#${month}`,
  textsTo: (phoneDigest: string) => `TEXTS#${phoneDigest}`,
} as const;

/**
 * A patient's bookings by session start (`PATIENT#<id>`, by `<start>#<bookingId>`): the console's patient page.
 * Every booking item carries the two keys, so a booking moves with a corrected patient id or a new start time
 * in the same write. ALL: the page shows the booking itself.
 */
export const PATIENT_INDEX = 'by-patient';

/**
 * Patient messages by their delivery id (`deliveryId`, DESIGN section 11): a provider's delivery event
 * finds its message in one query. Sparse (only message-log entries that went to a provider carry the key);
 * it projects what names the message and the digest of the address it went to, nothing else.
 */
export const DELIVERY_INDEX = 'by-delivery';
export const DELIVERY_INDEX_ATTRIBUTES = ['bookingId', 'kind', 'plannedAt', 'channel', 'resend', 'toDigest'];

/** The table's TTL attribute; only staff console sessions carry it (clinical records never expire). */
export const SESSION_TTL_ATTRIBUTE = 'expiresAtEpoch';

/** The first `limit` items of one console list (`listKey`), oldest first: one query, no paging. */
export async function firstOfList(
  db: DynamoDBDocumentClient,
  tableName: string,
  listKey: string,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: LIST_INDEX,
      KeyConditionExpression: 'listKey = :key',
      ExpressionAttributeValues: { ':key': listKey },
      Limit: limit,
    }),
  );
  return Items ?? [];
}

/** Every page of a query, following `LastEvaluatedKey`. */
async function* queryPages(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
): AsyncGenerator<QueryCommandOutput> {
  let startKey: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield page;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** All items a query matches, across pages. */
export async function queryAll(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of queryPages(db, input)) items.push(...(page.Items ?? []));
  return items;
}

/** How many items a query matches, across pages, without reading them. */
export async function queryCount(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<number> {
  let count = 0;
  for await (const page of queryPages(db, { ...input, Select: 'COUNT' })) count += page.Count ?? 0;
  return count;
}

/**
 * Marks an item on a console list reviewed in a staff member's name and moves
 * it to that list's done list for the month: one conditional update, false
 * when it was not on the open list (reviewed already, or never listed).
 */
export async function markListedReviewed(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: { pk: string; sk: string },
  lists: { open: string; done: (month: string) => string },
  opts: { now: string; by: { name: string; subject: string } },
): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression:
          'SET reviewedAt = :now, reviewedBy = :by, reviewedBySubject = :subject, listKey = :done, listAt = :now',
        ConditionExpression: 'listKey = :open',
        ExpressionAttributeValues: {
          ':now': opts.now,
          ':by': opts.by.name,
          ':subject': opts.by.subject,
          ':open': lists.open,
          ':done': lists.done(opts.now.slice(0, 7)),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
