import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createServiceTable, dynaliteClientConfig } from '../../infra/local/dynalite';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';

/** A fresh table on the run's dynalite server, and a DocumentClient for it. */
export async function freshTable() {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `test-${randomUUID()}`;
  await createServiceTable(endpoint, tableName);
  return { tableName, db: createDocumentClient(dynaliteClientConfig(endpoint)) };
}
