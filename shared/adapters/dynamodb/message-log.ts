import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeliveryStatus } from '../../contracts/delivery';
import type { Channel } from '../../contracts/vocabulary';
import type { DeliveredMessage, DeliveryStatusLog } from '../../domain/messages/delivery-events';
import type { SentText, SentTextLog } from '../../domain/messages/inbound-sms';
import type { ClaimResult, MessageLog, MessageLogEntry, MessageRef } from '../../domain/ports';
import { DELIVERY_INDEX, isConditionFailure, LIST_INDEX, LIST_KEYS, queryAll } from './client';

const key = (ref: MessageRef, channel: Channel | 'none') => ({
  pk: `BOOKING#${ref.bookingId}`,
  sk: `MSG#${ref.kind}#${ref.at}#${channel}${ref.resend ? `#R${ref.resend}` : ''}`,
});

/**
 * The message log beside its booking: one item per planned message and
 * channel, so a claim is a single conditional write and a retry can never
 * send a channel that already went out.
 */
export class DynamoMessageLog implements MessageLog, DeliveryStatusLog, SentTextLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(
    ref: MessageRef,
    channel: Channel,
    opts: { version: number; now: string; expiresAt: string; deliveryId?: string; toDigest?: string },
  ): Promise<ClaimResult> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(ref, channel),
          // Free, failed before, or claimed by an attempt that crashed (its claim expired).
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :failed OR (#status = :sending AND claimExpiresAt < :now)',
          UpdateExpression:
            'SET #status = :sending, claimExpiresAt = :expiresAt, updatedAt = :now, version = :version, ' +
            'bookingId = :bookingId, kind = :kind, plannedAt = :at, channel = :channel, ' +
            (ref.resend ? 'resend = :resend, ' : '') +
            (opts.deliveryId ? 'deliveryId = :deliveryId, ' : '') +
            (opts.toDigest ? 'toDigest = :toDigest, ' : '') +
            'attempts = if_not_exists(attempts, :zero) + :one ' +
            // A new attempt starts with no report: an earlier refusal must not outrank what this one gets.
            'REMOVE deliveryStatus, deliveryRank, deliveryAt, deliveryDetail',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':sending': 'sending',
            ':now': opts.now,
            ':expiresAt': opts.expiresAt,
            ':version': opts.version,
            ':bookingId': ref.bookingId,
            ':kind': ref.kind,
            ':at': ref.at,
            ':channel': channel,
            ':zero': 0,
            ':one': 1,
            ...(ref.resend ? { ':resend': ref.resend } : {}),
            ...(opts.deliveryId ? { ':deliveryId': opts.deliveryId } : {}),
            ...(opts.toDigest ? { ':toDigest': opts.toDigest } : {}),
          },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: key(ref, channel), ConsistentRead: true }),
      );
      return Item?.status === 'sent' ? 'already-sent' : 'in-flight';
    }
  }

  async markSent(
    ref: MessageRef,
    channel: Channel,
    opts: { now: string; providerMessageId: string; phoneDigest?: string },
  ): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(ref, channel),
        UpdateExpression:
          'SET #status = :sent, updatedAt = :now, providerMessageId = :id' +
          (opts.phoneDigest ? ', listKey = :texts, listAt = :now' : '') +
          ' REMOVE claimExpiresAt, reason',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':now': opts.now,
          ':id': opts.providerMessageId,
          ...(opts.phoneDigest ? { ':texts': LIST_KEYS.textsTo(opts.phoneDigest) } : {}),
        },
      }),
    );
  }

  async textsSince(phoneDigest: string, since: string): Promise<number> {
    const { Count = 0 } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LIST_INDEX,
        KeyConditionExpression: 'listKey = :key AND listAt > :since',
        ExpressionAttributeValues: { ':key': LIST_KEYS.textsTo(phoneDigest), ':since': since },
        Select: 'COUNT',
      }),
    );
    return Count;
  }

  async recentTo(phoneDigest: string): Promise<SentText[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LIST_INDEX,
        KeyConditionExpression: 'listKey = :key',
        ExpressionAttributeValues: { ':key': LIST_KEYS.textsTo(phoneDigest) },
        ScanIndexForward: false,
        // A reply names a recent message; the latest few cover every text a patient gets in a series.
        Limit: TEXTS_LOOKED_AT,
      }),
    );
    return Items.map(toSentText);
  }

  async markFailed(ref: MessageRef, channel: Channel, opts: { now: string; reason: string }): Promise<void> {
    await this.failClaim(ref, channel, opts.now, opts.reason);
  }

  async markRefused(
    ref: MessageRef,
    channel: Channel,
    opts: { now: string; status: DeliveryStatus; rank: number; detail: string },
  ): Promise<void> {
    await this.failClaim(ref, channel, opts.now, opts.detail, { status: opts.status, rank: opts.rank });
  }

  /** Ends a claim as failed; a refusal of the address is the message's delivery status too. */
  private async failClaim(
    ref: MessageRef,
    channel: Channel,
    now: string,
    reason: string,
    refusal?: { status: DeliveryStatus; rank: number },
  ): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(ref, channel),
          UpdateExpression:
            'SET #status = :failed, updatedAt = :now, reason = :reason' +
            (refusal
              ? ', deliveryStatus = :delivery, deliveryRank = :rank, deliveryAt = :now, deliveryDetail = :reason'
              : '') +
            ' REMOVE claimExpiresAt',
          // Never over a `sent` written by a later attempt after this one's claim expired.
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':sending': 'sending',
            ':now': now,
            ':reason': reason,
            ...(refusal ? { ':delivery': refusal.status, ':rank': refusal.rank } : {}),
          },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  async recordSkip(ref: MessageRef, opts: { version: number; now: string; reason: string }): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(ref, 'none'),
            bookingId: ref.bookingId,
            kind: ref.kind,
            plannedAt: ref.at,
            channel: 'none',
            status: 'skipped',
            reason: opts.reason,
            version: opts.version,
            updatedAt: opts.now,
            attempts: 0,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async findDelivery(deliveryId: string): Promise<DeliveredMessage | undefined> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: DELIVERY_INDEX,
        KeyConditionExpression: 'deliveryId = :id',
        ExpressionAttributeValues: { ':id': deliveryId },
      }),
    );
    // Only message-log entries carry `deliveryId`; the check keeps it that way should another item ever do.
    const item = Items?.find((candidate) => String(candidate.sk).startsWith('MSG#'));
    if (!item || (item.channel !== 'email' && item.channel !== 'sms')) return undefined;
    return {
      ref: {
        bookingId: String(item.bookingId),
        kind: item.kind as MessageRef['kind'],
        at: String(item.plannedAt),
        ...(typeof item.resend === 'string' ? { resend: item.resend } : {}),
      },
      channel: item.channel,
      ...(typeof item.toDigest === 'string' ? { toDigest: item.toDigest } : {}),
    };
  }

  async recordDelivery(
    message: DeliveredMessage,
    delivery: { status: DeliveryStatus; rank: number; at: string; detail: string },
  ): Promise<DeliveryStatus> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(message.ref, message.channel),
          // Outranked by nothing there; at the same rank the earliest report stands, whatever the order.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(deliveryRank) OR deliveryRank < :rank OR ' +
            '(deliveryRank = :rank AND deliveryAt >= :at))',
          UpdateExpression:
            'SET deliveryStatus = :status, deliveryRank = :rank, deliveryAt = :at, deliveryDetail = :detail',
          ExpressionAttributeValues: {
            ':status': delivery.status,
            ':rank': delivery.rank,
            ':at': delivery.at,
            ':detail': delivery.detail,
          },
        }),
      );
      return delivery.status;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: key(message.ref, message.channel),
          ConsistentRead: true,
        }),
      );
      if (!Item) throw new Error('the message of a delivery event is gone');
      return Item.deliveryStatus as DeliveryStatus;
    }
  }

  async entryOf(ref: MessageRef, channel: Channel): Promise<MessageLogEntry | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(ref, channel), ConsistentRead: true }),
    );
    return Item ? toEntry(Item) : undefined;
  }

  async list(bookingId: string): Promise<MessageLogEntry[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :msg)',
      ExpressionAttributeValues: { ':pk': `BOOKING#${bookingId}`, ':msg': 'MSG#' },
      ConsistentRead: true,
    });
    return items.map(toEntry);
  }
}

/** How many of a phone's latest texts a reply's `previousPublishedMessageId` is looked for in. */
const TEXTS_LOOKED_AT = 20;

function toSentText(item: Record<string, unknown>): SentText {
  return {
    bookingId: String(item.bookingId),
    kind: item.kind as SentText['kind'],
    providerMessageId: String(item.providerMessageId),
    sentAt: String(item.listAt),
  };
}

export function toEntry(item: Record<string, unknown>): MessageLogEntry {
  return {
    bookingId: item.bookingId as string,
    kind: item.kind as MessageLogEntry['kind'],
    at: item.plannedAt as string,
    channel: item.channel as MessageLogEntry['channel'],
    status: item.status as MessageLogEntry['status'],
    version: item.version as number,
    updatedAt: item.updatedAt as string,
    attempts: (item.attempts as number | undefined) ?? 0,
    ...(item.resend ? { resend: item.resend as string } : {}),
    ...(item.reason ? { reason: item.reason as string } : {}),
    ...(item.providerMessageId ? { providerMessageId: item.providerMessageId as string } : {}),
    ...(item.deliveryId ? { deliveryId: item.deliveryId as string } : {}),
    ...(typeof item.deliveryStatus === 'string'
      ? {
          delivery: {
            status: item.deliveryStatus as DeliveryStatus,
            at: String(item.deliveryAt),
            detail: String(item.deliveryDetail ?? ''),
          },
        }
      : {}),
  };
}
