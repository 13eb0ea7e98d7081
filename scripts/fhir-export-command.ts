import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import clinicConfigInput from '../config/clinic';
import { DynamoAuditLog } from '../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../shared/adapters/dynamodb/client';
import { dynamoExportSource } from '../shared/adapters/dynamodb/export-source';
import { parseClinicConfig } from '../shared/contracts/clinic-config';
import { parseExportWindow } from '../shared/domain/exports/export-window';
import { auditedBulkExport } from '../shared/web/fhir/bulk-export';

/**
 * `npm run export:fhir -- --since 2026-01-01 [--until 2026-01-31] --out <dir>` (DESIGN section 12): FHIR Bulk
 * Data NDJSON, one file per resource type. With `LOCAL_URL` it asks the running local runtime
 * (`GET /local/export/fhir`); otherwise it reads the table `TABLE_NAME` with the operator's AWS credentials and
 * writes the audit item itself, naming the caller AWS knows (STS) and the login and machine it ran on.
 */
export async function exportFhirCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  clients: { db?: DynamoDBDocumentClient; sts?: STSClient } = {},
): Promise<{ type: string; lines: number; path: string }[]> {
  const { values } = parseArgs({
    args: [...argv],
    options: { since: { type: 'string' }, until: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  if (!values.out) throw new Error('--out: required, the directory the NDJSON files are written to');
  if (!values.since) throw new Error('--since: required, a date (2026-01-01) or a time with an offset');
  const files = env.LOCAL_URL
    ? await fromLocalRuntime(env.LOCAL_URL, values.since, values.until)
    : await fromTable(env, values.since, values.until, clients);
  mkdirSync(values.out, { recursive: true });
  return Object.entries(files).map(([type, ndjson]) => {
    const path = join(values.out ?? '', `${type}.ndjson`);
    writeFileSync(path, ndjson);
    return { type, lines: ndjson === '' ? 0 : ndjson.trimEnd().split('\n').length, path };
  });
}

async function fromLocalRuntime(
  base: string,
  since: string,
  until: string | undefined,
): Promise<Record<string, string>> {
  const query = new URLSearchParams({ since, ...(until ? { until } : {}) });
  const response = await fetch(`${base.replace(/\/+$/, '')}/local/export/fhir?${query}`);
  if (!response.ok) {
    const { errors } = (await response.json()) as { errors?: { field: string; message: string }[] };
    throw new Error(errors?.map((e) => `--${e.field}: ${e.message}`).join('; ') ?? `HTTP ${response.status}`);
  }
  return (await response.json()) as Record<string, string>;
}

async function fromTable(
  env: NodeJS.ProcessEnv,
  since: string,
  until: string | undefined,
  clients: { db?: DynamoDBDocumentClient; sts?: STSClient },
) {
  const tableName = env.TABLE_NAME;
  if (!tableName)
    throw new Error('TABLE_NAME or LOCAL_URL: one is required (the table to read, or the local runtime)');
  const config = parseClinicConfig(clinicConfigInput);
  const now = new Date().toISOString();
  const parsed = parseExportWindow({ since, until }, config.clinic.timeZone, now);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `--${e.field}: ${e.message}`).join('; '));
  if (!config.links.baseUrl) {
    throw new Error(
      'links.baseUrl: required in the clinic config (the exported resources are named under it)',
    );
  }
  // Who asked, as AWS knows them: the audit item names the caller's ARN, not a login anyone can choose.
  const caller = await (clients.sts ?? new STSClient({})).send(new GetCallerIdentityCommand({}));
  const db = clients.db ?? createDocumentClient();
  const baseUrl = config.links.baseUrl.replace(/\/+$/, '');
  return auditedBulkExport({
    base: { url: `${baseUrl}/fhir` },
    source: dynamoExportSource(db, tableName, config.clinic.timeZone),
    window: parsed.window,
    config,
    audit: new DynamoAuditLog(db, tableName),
    entry: {
      at: now,
      page: 'npm run export:fhir',
      user: { subject: caller.UserId ?? 'unknown', email: caller.Arn ?? 'unknown' },
      origin: { ip: `cli ${userInfo().username}@${hostname()}`, userAgent: 'export-fhir', requestId: now },
    },
  });
}
