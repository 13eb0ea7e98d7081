import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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
