import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  AlertOutcome,
  AlertRecord,
  AlertState,
  AlertStore,
  AlertWork,
  JoinResult,
  StaffActor,
  StoredReply,
} from '../../domain/ports';
import {
  isConditionFailure,
  LIST_INDEX,
  LIST_KEYS,
  queryAll,
  queryCount,
  WORK_INDEX,
  WORK_KEYS,
} from './client';
import { replySortKey, toReply } from './reply-store';

const key = (alertId: string) => ({ pk: `ALERT#${alertId}`, sk: 'ALERT' });

/** Tries at joining an alert other replies are joining at the same moment. */
const JOIN_ATTEMPTS = 5;

/**
 * Staff alerts, one item each, moved along by single-item conditional writes:
 * an alert with work due sits on the sparse work index until it is
 * acknowledged or has escalated as often as allowed.
 */
export class DynamoAlertStore implements AlertStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createFromReply(reply: StoredReply & { alertId: string }): Promise<void> {
    const alert: AlertRecord = {
      alertId: reply.alertId,
      bookingId: reply.bookingId,
      ...(reply.bookingRef ? { bookingRef: reply.bookingRef } : {}),
      replyId: reply.replyId,
      replyKind: reply.kind,
      rules: reply.rules,
      createdAt: reply.receivedAt,
      state: 'pending',
      escalations: 0,
      dueAt: reply.receivedAt,
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(alert.alertId),
            ...alert,
            workKey: WORK_KEYS.alert,
            workAt: alert.dueAt,
            listKey: LIST_KEYS.activeAlerts,
            listAt: alert.createdAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async join(alertId: string, reply: { replyId: string; rules: string[] }): Promise<JoinResult> {
    // Optimistic on the alert's rules, so two replies joining at once never both claim to add the same rule.
    for (let attempt = 0; attempt < JOIN_ATTEMPTS; attempt++) {
      const alert = await this.get(alertId);
      if (!alert) return { outcome: 'missing', added: [] };
      const earlier = alert.joins?.find((join) => join.replyId === reply.replyId);
      if (earlier) return { outcome: 'already', added: earlier.added };
      if (alert.state !== 'pending' && alert.state !== 'open' && alert.state !== 'escalated') {
        return { outcome: 'not-open', added: [] };
      }
      const added = [...new Set(reply.rules.filter((rule) => !alert.rules.includes(rule)))];
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key(alertId),
            UpdateExpression:
              'SET replyIds = list_append(if_not_exists(replyIds, :none), :reply), joins = list_append(if_not_exists(joins, :none), :join), #rules = :rules',
            ConditionExpression:
              '#state IN (:pending, :open, :escalated) AND size(#rules) = :count AND NOT contains(replyIds, :replyId)',
            ExpressionAttributeNames: { '#state': 'state', '#rules': 'rules' },
            ExpressionAttributeValues: {
              ':none': [],
              ':reply': [reply.replyId],
              ':join': [{ replyId: reply.replyId, added }],
              ':replyId': reply.replyId,
              ':rules': [...alert.rules, ...added],
              ':count': alert.rules.length,
              ':pending': 'pending',
              ':open': 'open',
              ':escalated': 'escalated',
            },
          }),
        );
        return { outcome: 'joined', added };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`alert ${alertId}: too many concurrent joins`);
  }

  async get(alertId: string): Promise<AlertRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(alertId), ConsistentRead: true }),
    );
    return Item ? toAlert(Item) : undefined;
  }

  async claim(
    alertId: string,
    expect: { state: AlertState; escalations: number },
    opts: { now: string; expiresAt: string },
  ): Promise<boolean> {
    return this.conditional({
      Key: key(alertId),
      UpdateExpression: 'SET claimExpiresAt = :expiresAt',
      ConditionExpression:
        '#state = :state AND escalations = :escalations AND (attribute_not_exists(claimExpiresAt) OR claimExpiresAt < :now)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':state': expect.state,
        ':escalations': expect.escalations,
        ':now': opts.now,
        ':expiresAt': opts.expiresAt,
      },
    });
  }

  markNotified(alertId: string, opts: { now: string; dueAt: string; delivered: boolean }): Promise<boolean> {
    // Not only `pending`: a recipient's retried copy may have completed the delivery (`open`) meanwhile.
    return this.conditional({
      Key: key(alertId),
      UpdateExpression: opts.delivered
        ? 'SET #state = :open, notifiedAt = :now, deliveredAt = :now, dueAt = :dueAt, workAt = :dueAt REMOVE claimExpiresAt, lastError'
        : 'SET notifiedAt = :now, dueAt = :dueAt, workAt = :dueAt REMOVE claimExpiresAt, lastError',
      ConditionExpression: '#state IN (:pending, :open)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':pending': 'pending',
        ':open': 'open',
        ':now': opts.now,
        ':dueAt': opts.dueAt,
      },
    });
  }

  async markDelivered(alertId: string, opts: { now: string }): Promise<boolean> {
    const opened = await this.conditional({
      Key: key(alertId),
      UpdateExpression: 'SET #state = :open, deliveredAt = :now',
      ConditionExpression: '#state = :pending',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':open': 'open', ':pending': 'pending', ':now': opts.now },
    });
    // Escalated (or acknowledged) before the last copy went: the state stays, the time is still worth keeping.
    if (!opened)
      await this.conditional({
        Key: key(alertId),
        UpdateExpression: 'SET deliveredAt = if_not_exists(deliveredAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': opts.now },
      });
    return opened;
  }

  async markEscalated(
    alertId: string,
    opts: { now: string; escalations: number; dueAt?: string },
  ): Promise<boolean> {
    // After the last escalation the alert moves to the unacknowledged part of the index, where the
    // sweeper counts it every minute until someone acknowledges it.
    const [workKey, workAt] = opts.dueAt
      ? [WORK_KEYS.alert, opts.dueAt]
      : [WORK_KEYS.unacknowledged, opts.now];
    return this.conditional({
      Key: key(alertId),
      UpdateExpression: opts.dueAt
        ? 'SET #state = :escalated, escalations = :n, lastEscalatedAt = :now, dueAt = :dueAt, workKey = :workKey, workAt = :workAt REMOVE claimExpiresAt, lastError'
        : 'SET #state = :escalated, escalations = :n, lastEscalatedAt = :now, workKey = :workKey, workAt = :workAt REMOVE claimExpiresAt, lastError, dueAt',
      // An acknowledgement (and a close after it) that raced the escalation wins.
      ConditionExpression: 'NOT #state IN (:acknowledged, :closed)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':escalated': 'escalated',
        ':acknowledged': 'acknowledged',
        ':closed': 'closed',
        ':n': opts.escalations,
        ':now': opts.now,
        ':workKey': workKey,
        ':workAt': workAt,
        ...(opts.dueAt ? { ':dueAt': opts.dueAt } : {}),
      },
    });
  }

  async releaseClaim(alertId: string, opts: { now: string; reason: string }): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(alertId),
        UpdateExpression: 'SET lastError = :reason, lastErrorAt = :now REMOVE claimExpiresAt',
        ExpressionAttributeValues: { ':reason': opts.reason, ':now': opts.now },
      }),
    );
  }

  async acknowledge(
    alertId: string,
    opts: { now: string; by: string; bySubject?: string },
  ): Promise<{ first: boolean; alert: AlertRecord }> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(alertId),
          UpdateExpression: `SET #state = :acknowledged, acknowledgedAt = :now, acknowledgedBy = :by${
            opts.bySubject === undefined ? '' : ', acknowledgedBySubject = :subject'
          } REMOVE dueAt, workKey, workAt`,
          ConditionExpression: 'attribute_exists(pk) AND NOT #state IN (:acknowledged, :closed)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':acknowledged': 'acknowledged',
            ':closed': 'closed',
            ':now': opts.now,
            ':by': opts.by,
            ...(opts.bySubject === undefined ? {} : { ':subject': opts.bySubject }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { first: true, alert: toAlert(Attributes ?? {}) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const alert = await this.get(alertId);
      if (!alert) throw new Error(`alert ${alertId} does not exist`);
      return { first: false, alert };
    }
  }

  close(alertId: string, opts: { now: string; by: StaffActor; outcome: AlertOutcome }): Promise<boolean> {
    return this.conditional({
      Key: key(alertId),
      UpdateExpression:
        'SET #state = :closed, closedAt = :now, closedBy = :by, closedBySubject = :subject, outcome = :outcome, listKey = :listKey, listAt = :now',
      ConditionExpression: '#state = :acknowledged',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':closed': 'closed',
        ':acknowledged': 'acknowledged',
        ':now': opts.now,
        ':by': opts.by.name,
        ':subject': opts.by.subject,
        ':outcome': opts.outcome,
        ':listKey': LIST_KEYS.closedAlerts(opts.now.slice(0, 7)),
      },
    });
  }

  listActive(limit: number): Promise<AlertRecord[]> {
    return this.list(LIST_KEYS.activeAlerts, limit);
  }

  listClosed(month: string, limit: number): Promise<AlertRecord[]> {
    return this.list(LIST_KEYS.closedAlerts(month), limit);
  }

  private async list(listKey: string, limit: number): Promise<AlertRecord[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LIST_INDEX,
        KeyConditionExpression: 'listKey = :key',
        ExpressionAttributeValues: { ':key': listKey },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (Items ?? []).map(toAlert);
  }

  async clearReplyMarker(reply: StoredReply): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `BOOKING#${reply.bookingId}`, sk: replySortKey(reply) },
        UpdateExpression: 'SET alertCreated = :true REMOVE workKey, workAt',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  }

  async dueWork(now: string): Promise<AlertWork[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: WORK_INDEX,
      KeyConditionExpression: 'workKey = :key AND workAt <= :now',
      ExpressionAttributeValues: { ':key': WORK_KEYS.alert, ':now': now },
    });
    return items.map((item): AlertWork => {
      const dueAt = String(item.workAt);
      if (!String(item.pk).startsWith('ALERT#')) return { type: 'reply', reply: toReply(item), dueAt };
      // A recipient's refused send (`SEND#…`) or the alert's own next step.
      return String(item.sk).startsWith('SEND#')
        ? { type: 'send', alertId: String(item.alertId), dueAt }
        : { type: 'alert', alertId: String(item.alertId), dueAt };
    });
  }

  async nextDueAt(): Promise<string | undefined> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: WORK_INDEX,
        KeyConditionExpression: 'workKey = :key',
        ExpressionAttributeValues: { ':key': WORK_KEYS.alert },
        Limit: 1,
      }),
    );
    const first = Items?.[0];
    return first ? String(first.workAt) : undefined;
  }

  countUnacknowledgedAfterEscalation(): Promise<number> {
    return queryCount(this.db, {
      TableName: this.tableName,
      IndexName: WORK_INDEX,
      KeyConditionExpression: 'workKey = :key',
      ExpressionAttributeValues: { ':key': WORK_KEYS.unacknowledged },
    });
  }

  /** A conditional update; answers false when its condition did not hold. */
  private async conditional(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tableName, ...input }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function toAlert(item: Record<string, unknown>): AlertRecord {
  const {
    pk: _pk,
    sk: _sk,
    workKey: _key,
    workAt: _at,
    claimExpiresAt: _claim,
    lastError: _e,
    lastErrorAt: _ea,
    lastEscalatedAt: _le,
    listKey: _listKey,
    listAt: _listAt,
    ...alert
  } = item;
  return alert as unknown as AlertRecord;
}
