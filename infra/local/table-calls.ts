import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** One DynamoDB action as IAM sees it: the action, and the partition key or the index it touched. */
export interface TableCall {
  /** The function whose composition made the call (the entry file's name, e.g. `send-message`). */
  fn: string;
  /** IAM's action name, e.g. `PutItem`; a transaction counts as each of the actions inside it. */
  action: string;
  /** The partition key value (`dynamodb:LeadingKeys`), for calls on the table. */
  partition?: string;
  /** The index a query read. */
  index?: string;
}

type Attribute = { S?: string } | undefined;
type Keyed = { pk?: Attribute } | undefined;

const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/**
 * Reports every call `db` makes as the request goes on the wire (after the
 * document client marshalled it), so a test can hold what the code calls
 * against the IAM grants (`infra/function-permissions.ts`).
 */
export function recordTableCalls(
  db: DynamoDBDocumentClient,
  fn: string,
  record: (call: TableCall) => void,
): void {
  db.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      const headers = request.headers ?? {};
      const target = headers['x-amz-target'] ?? headers['X-Amz-Target'] ?? '';
      const action = target.slice(target.indexOf('.') + 1);
      const body = request.body;
      const text =
        typeof body === 'string'
          ? body
          : body instanceof Uint8Array
            ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
            : undefined;
      if (action && text) {
        for (const call of callsOf(action, JSON.parse(text))) record({ fn, ...call });
      }
      return next(args);
    },
    { step: 'build', name: 'recordTableCalls' },
  );
}

function callsOf(action: string, body: Record<string, unknown>): Omit<TableCall, 'fn'>[] {
  const partition = (keyed: Keyed) => keyed?.pk?.S;
  const on = (name: string, keyed: Keyed) => ({ action: name, partition: partition(keyed) });
  switch (action) {
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem':
    case 'ConditionCheckItem':
      return [on(action, body.Key as Keyed)];
    case 'PutItem':
      return [on(action, body.Item as Keyed)];
    case 'BatchGetItem':
      return Object.values(body.RequestItems as Record<string, { Keys: Keyed[] }>).flatMap((t) =>
        t.Keys.map((key) => on(action, key)),
      );
    case 'BatchWriteItem':
      return Object.values(
        body.RequestItems as Record<
          string,
          { PutRequest?: { Item: Keyed }; DeleteRequest?: { Key: Keyed } }[]
        >,
      ).flatMap((writes) => writes.map((w) => on(action, w.PutRequest?.Item ?? w.DeleteRequest?.Key)));
    case 'TransactWriteItems':
      return (body.TransactItems as Record<string, { Key?: Keyed; Item?: Keyed }>[]).flatMap((item) =>
        Object.entries(item).map(([kind, op]) => on(TRANSACT_ACTIONS[kind] ?? kind, op.Key ?? op.Item)),
      );
    case 'Query': {
      if (typeof body.IndexName === 'string') return [{ action, index: body.IndexName }];
      return [{ action, partition: queriedPartition(body) }];
    }
    default:
      return [{ action }];
  }
}

/** The value the key condition gives the table's partition key `pk` (`pk = :v` or `#n = :v`). */
function queriedPartition(body: Record<string, unknown>): string | undefined {
  const names = (body.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (body.ExpressionAttributeValues ?? {}) as Record<string, Attribute>;
  for (const [, name, value] of String(body.KeyConditionExpression).matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    if ((names[name ?? ''] ?? name) === 'pk') return values[value ?? '']?.S;
  }
  return undefined;
}
