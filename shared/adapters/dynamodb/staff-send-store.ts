import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SendClaim, StaffRecipientStatus, StaffSend, StaffSendStore } from '../../domain/ports';
import { isConditionFailure, queryAll, WORK_KEYS } from './client';

const SEND_PREFIX = 'SEND#';
const sendKey = (alertId: string, step: string, recipientKey: string) => ({
  pk: `ALERT#${alertId}`,
  sk: `${SEND_PREFIX}${step}#${recipientKey}`,
});
const keyOf = (send: StaffSend) => sendKey(send.alertId, send.step, send.recipient.key);

/** Every recipient's latest outcome, one item each, in one small partition the daily check reads. */
const RECIPIENTS_PK = 'STAFF#recipients';
const recipientKey = (key: string) => ({ pk: RECIPIENTS_PK, sk: `RECIPIENT#${key}` });

/**
 * Each staff recipient's copy of each alert step, one item each under the
 * alert (`SEND#<step>#<recipient>`). A due send sits on the alert work index
 * at the time it first fell due, so the sweeper retries it every minute and
 * counts it overdue until it is sent or cancelled.
 */
export class DynamoStaffSendStore implements StaffSendStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  enqueueClaimed(
    sends: StaffSend[],
    opts: { now: string; expiresAt: string },
  ): Promise<{ send: StaffSend; claim: SendClaim }[]> {
    return Promise.all(
      sends.map(async (send) => {
        try {
          await this.db.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                ...keyOf(send),
                ...send,
                claimExpiresAt: opts.expiresAt,
                workKey: WORK_KEYS.alert,
                workAt: send.dueAt,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          return { send, claim: 'claimed' as const };
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
        // Made by an earlier attempt: this attempt sends it only if it is still due and free.
        const claim = await this.claim(send.alertId, send.step, send.recipient.key, opts);
        const stored = claim === 'claimed' ? await this.get(keyOf(send)) : undefined;
        return { send: stored ?? send, claim };
      }),
    );
  }

  async claim(
    alertId: string,
    step: string,
    recipient: string,
    opts: { now: string; expiresAt: string },
  ): Promise<SendClaim> {
    const key = sendKey(alertId, step, recipient);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET claimExpiresAt = :expiresAt',
          ConditionExpression:
            '#state = :due AND (attribute_not_exists(claimExpiresAt) OR claimExpiresAt < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':due': 'due', ':now': opts.now, ':expiresAt': opts.expiresAt },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const stored = await this.get(key);
    if (stored?.state === 'sent') return 'sent';
    if (stored?.state === 'cancelled') return 'cancelled';
    return 'in-flight';
  }

  async markSent(send: StaffSend, opts: { now: string; messageId: string }): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keyOf(send),
        UpdateExpression:
          'SET #state = :sent, sentAt = :now, messageId = :messageId, attempts = attempts + :one REMOVE claimExpiresAt, workKey, workAt',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':now': opts.now,
          ':messageId': opts.messageId,
          ':one': 1,
        },
      }),
    );
    await this.recordOutcome(send.recipient.key, 'lastSentAt', opts.now);
  }

  async release(send: StaffSend, opts: { now: string; reason: string }): Promise<void> {
    // Cancelled by an acknowledgement while it was being tried: nothing is owed, the refusal still counts below.
    await this.updateIfDue(
      send,
      'SET attempts = attempts + :one, lastError = :reason, lastErrorAt = :now REMOVE claimExpiresAt',
      { ':one': 1, ':reason': opts.reason, ':now': opts.now },
    );
    await this.recordOutcome(send.recipient.key, 'lastFailedAt', opts.now, opts.reason);
  }

  async cancel(send: StaffSend, opts: { now: string }): Promise<void> {
    // Sent meanwhile: nothing to cancel.
    await this.updateIfDue(
      send,
      'SET #state = :cancelled, cancelledAt = :now REMOVE claimExpiresAt, workKey, workAt',
      { ':cancelled': 'cancelled', ':now': opts.now },
    );
  }

  /** Updates a copy that is still due; a copy sent or cancelled meanwhile is left as it is. */
  private async updateIfDue(send: StaffSend, update: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(send),
          UpdateExpression: update,
          ConditionExpression: '#state = :due',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ...values, ':due': 'due' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async ofAlert(alertId: string): Promise<StaffSend[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `ALERT#${alertId}`, ':prefix': SEND_PREFIX },
      ConsistentRead: true,
    });
    return items.map(toSend);
  }

  async recipientStatuses(): Promise<StaffRecipientStatus[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': RECIPIENTS_PK },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      key: String(item.key),
      ...(item.lastSentAt ? { lastSentAt: String(item.lastSentAt) } : {}),
      ...(item.lastFailedAt ? { lastFailedAt: String(item.lastFailedAt) } : {}),
      ...(item.lastError ? { lastError: String(item.lastError) } : {}),
    }));
  }

  private async get(key: { pk: string; sk: string }): Promise<StaffSend | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return Item ? toSend(Item) : undefined;
  }

  /** Keeps the later of what is stored and `at`, so concurrent senders never move it back. */
  private async recordOutcome(
    key: string,
    field: 'lastSentAt' | 'lastFailedAt',
    at: string,
    reason?: string,
  ): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recipientKey(key),
          UpdateExpression: `SET #key = :key, #field = :at${reason === undefined ? '' : ', lastError = :reason'}`,
          ConditionExpression: 'attribute_not_exists(#field) OR #field < :at',
          ExpressionAttributeNames: { '#key': 'key', '#field': field },
          ExpressionAttributeValues: {
            ':key': key,
            ':at': at,
            ...(reason === undefined ? {} : { ':reason': reason }),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

function toSend(item: Record<string, unknown>): StaffSend {
  const {
    pk: _pk,
    sk: _sk,
    workKey: _wk,
    workAt: _wa,
    claimExpiresAt: _c,
    messageId: _m,
    cancelledAt: _ca,
    ...send
  } = item;
  return send as unknown as StaffSend;
}
