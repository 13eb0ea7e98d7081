import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { HookBookingState, HookBookingStore } from '../../domain/hooks/booking-versions';
import { isConditionFailure } from './client';

const partition = (provider: string) => `HOOK#${provider}`;

/**
 * What each booking webhook provider's deliveries became (DESIGN section 12), one partition per provider:
 * `ID#<provider id>` names the booking a provider id belongs to, `BOOKING#<booking id>` holds its counter
 * and the last event produced.
 */
export class DynamoHookBookingStore implements HookBookingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async bookingOf(provider: string, providerId: string): Promise<string | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: partition(provider), sk: `ID#${providerId}` },
        ConsistentRead: true,
      }),
    );
    return typeof Item?.bookingId === 'string' ? Item.bookingId : undefined;
  }

  async alias(provider: string, providerId: string, bookingId: string): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: partition(provider), sk: `ID#${providerId}`, bookingId },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // Named before (a repeated delivery): the first naming stands.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async state(provider: string, bookingId: string): Promise<HookBookingState | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: partition(provider), sk: `BOOKING#${bookingId}` },
        ConsistentRead: true,
      }),
    );
    return Item?.state as HookBookingState | undefined;
  }

  async advance(provider: string, state: HookBookingState, expected: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: partition(provider), sk: `BOOKING#${state.bookingId}`, version: state.version, state },
          ConditionExpression: expected === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
          ...(expected === 0 ? {} : { ExpressionAttributeValues: { ':expected': expected } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

/**
 * The key of the Cal.com patient id's hash of the email (DESIGN section 12), made at random by the first
 * delivery that needs it and never changed (a new key would give every patient a new id). It lives beside the
 * bookings it names, under the table's key: whoever could read it could read the emails themselves.
 */
export class DynamoPatientIdKey {
  private key: Promise<string> | undefined;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  get(): Promise<string> {
    this.key ??= this.load().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async load(): Promise<string> {
    const Key = { pk: partition('calcom'), sk: 'KEY#patient-id' };
    const read = async () => {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }),
      );
      return typeof Item?.key === 'string' ? Item.key : undefined;
    };
    const found = await read();
    if (found) return found;
    const fresh = randomBytes(32).toString('base64url');
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...Key, key: fresh },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return fresh;
    } catch (error) {
      // Another delivery made it first: theirs stands.
      if (!isConditionFailure(error)) throw error;
      const theirs = await read();
      if (!theirs) throw error;
      return theirs;
    }
  }
}
