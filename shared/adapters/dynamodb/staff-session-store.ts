import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { StaffSessionStore } from '../../domain/console/ports';
import type { StaffSession } from '../../domain/console/session';
import { isConditionFailure, SESSION_TTL_ATTRIBUTE } from './client';

const key = (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' });

/**
 * Staff console sessions, one item each. `expiresAtEpoch` is the table's TTL
 * attribute: DynamoDB removes a session some time after its absolute
 * timeout, and the console refuses it from that moment whatever the TTL does.
 */
export class DynamoStaffSessionStore implements StaffSessionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(session: StaffSession, expiresAt: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...key(session.sessionId),
          ...session,
          [SESSION_TTL_ATTRIBUTE]: Math.ceil(Date.parse(expiresAt) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(sessionId: string): Promise<StaffSession | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(sessionId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, [SESSION_TTL_ATTRIBUTE]: _ttl, ...session } = Item;
    return session as StaffSession;
  }

  async touch(sessionId: string, at: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(sessionId),
          UpdateExpression: 'SET lastSeenAt = :at',
          // Never brings back a session that was signed out meanwhile, nor moves time backwards.
          ConditionExpression: 'attribute_exists(pk) AND lastSeenAt < :at',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async delete(sessionId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: key(sessionId) }));
  }
}
