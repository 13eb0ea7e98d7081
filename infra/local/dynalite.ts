import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import {
  DELIVERY_INDEX,
  DELIVERY_INDEX_ATTRIBUTES,
  LIST_INDEX,
  PATIENT_INDEX,
  WORK_INDEX,
} from '../../shared/adapters/dynamodb/client';

/** An in-memory DynamoDB-API server (dynalite) on loopback. */
export async function startDynalite(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Client settings for dynalite: any credentials will do. */
export function dynaliteClientConfig(endpoint: string) {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

/** Creates the service's single table with the keys the CDK stack gives it. */
export async function createServiceTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient(dynaliteClientConfig(endpoint));
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'workKey', AttributeType: 'S' },
          { AttributeName: 'workAt', AttributeType: 'S' },
          { AttributeName: 'listKey', AttributeType: 'S' },
          { AttributeName: 'listAt', AttributeType: 'S' },
          { AttributeName: 'patientKey', AttributeType: 'S' },
          { AttributeName: 'patientAt', AttributeType: 'S' },
          { AttributeName: 'deliveryId', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: WORK_INDEX,
            KeySchema: [
              { AttributeName: 'workKey', KeyType: 'HASH' },
              { AttributeName: 'workAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: LIST_INDEX,
            KeySchema: [
              { AttributeName: 'listKey', KeyType: 'HASH' },
              { AttributeName: 'listAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: PATIENT_INDEX,
            KeySchema: [
              { AttributeName: 'patientKey', KeyType: 'HASH' },
              { AttributeName: 'patientAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: DELIVERY_INDEX,
            KeySchema: [{ AttributeName: 'deliveryId', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...DELIVERY_INDEX_ATTRIBUTES] },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  } finally {
    client.destroy();
  }
}
