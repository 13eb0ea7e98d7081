import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { countIdleRuns, SessionCounts } from './session';

export interface Prices {
  recorded: string;
  dynamodb: { source: string; writeRequestUnitPerMillion: number; readRequestUnitPerMillion: number };
  eventbridgeScheduler: { source: string; invocationPerMillion: number };
  eventbridgeCustomEvents: { source: string; eventPerMillion: number };
  lambda: { source: string; requestPerMillion: number; arm64GbSecond: number; memoryMb: number };
  apiGatewayHttp: { source: string; requestPerMillion: number };
  ses: { source: string; emailPerThousand: number };
  snsSms: { source: string; usPerSegment: number };
  snsTopic: { source: string; publishPerMillion: number };
  cloudwatch: {
    source: string;
    alarmPerMonth: number;
    customMetricPerMonth: number;
    logIngestionPerGb: number;
  };
  kms: { source: string; keyPerMonth: number };
  secretsManager: { source: string; secretPerMonth: number };
  latencyAssumptionsMs: { dynamodb: number; scheduler: number; ses: number; sns: number };
  lambdaPlatformLogBytesPerInvocation: number;
}

export function loadPrices(): Prices {
  return JSON.parse(readFileSync(path.join(__dirname, 'prices.json'), 'utf8')) as Prices;
}

const perMillion = (count: number, price: number) => (count * price) / 1_000_000;

/** Infrastructure, email and SMS cost of 1,000 sessions, each line itemised. */
export function costPer1000Sessions(s: SessionCounts, p: Prices) {
  const n = 1000;
  const gbSeconds = (s.estimatedLambdaMs / 1000) * (p.lambda.memoryMb / 1024);
  const lines = {
    dynamodbUsd:
      n *
      (perMillion(s.writeRequestUnits, p.dynamodb.writeRequestUnitPerMillion) +
        perMillion(s.readRequestUnits, p.dynamodb.readRequestUnitPerMillion)),
    schedulerUsd: n * perMillion(s.scheduleFirings, p.eventbridgeScheduler.invocationPerMillion),
    eventbridgeUsd: n * perMillion(s.bookingEvents, p.eventbridgeCustomEvents.eventPerMillion),
    lambdaRequestsUsd: n * perMillion(s.lambdaInvocations, p.lambda.requestPerMillion),
    lambdaDurationUsd: n * gbSeconds * p.lambda.arm64GbSecond,
    apiGatewayUsd: n * perMillion(s.httpRequests, p.apiGatewayHttp.requestPerMillion),
    logIngestionUsd: (n * s.logBytes * p.cloudwatch.logIngestionPerGb) / 1024 ** 3,
  };
  const infrastructureUsd = Object.values(lines).reduce((a, b) => a + b, 0);
  return {
    infrastructureUsd,
    emailUsd: (n * s.emails * p.ses.emailPerThousand) / 1000,
    smsUsd: n * s.smsSegments * p.snsSms.usPerSegment,
    lines,
  };
}

/** What an idle deployment costs a month: keys, secret, alarms, custom metrics, sweeper and digest. */
export function fixedMonthly(
  p: Prices,
  resources: { kmsKeys: number; secrets: number; alarms: number; source: string },
  idle: Awaited<ReturnType<typeof countIdleRuns>>,
) {
  const sweeps = 43_200;
  const digests = 30;
  const gbs = (ms: number) => (ms / 1000) * (p.lambda.memoryMb / 1024);
  const runCost = (
    runs: number,
    r: { readRequestUnits: number; writeRequestUnits: number; estimatedLambdaMs: number },
  ) =>
    perMillion(runs, p.lambda.requestPerMillion + p.eventbridgeScheduler.invocationPerMillion) +
    runs * gbs(r.estimatedLambdaMs) * p.lambda.arm64GbSecond +
    perMillion(runs * r.readRequestUnits, p.dynamodb.readRequestUnitPerMillion) +
    perMillion(runs * r.writeRequestUnits, p.dynamodb.writeRequestUnitPerMillion);
  // The sweeper publishes AlertWorkOverdue (0 when idle) every run: one custom metric always active.
  const idleCustomMetrics = 1;
  const lines = {
    kmsKeysUsd: resources.kmsKeys * p.kms.keyPerMonth,
    secretsUsd: resources.secrets * p.secretsManager.secretPerMonth,
    alarmsUsd: resources.alarms * p.cloudwatch.alarmPerMonth,
    customMetricsUsd: idleCustomMetrics * p.cloudwatch.customMetricPerMonth,
    sweeperUsd: runCost(sweeps, idle.sweeper),
    digestUsd: runCost(digests, idle.digest),
    sweeperLogsUsd:
      (sweeps * (p.lambdaPlatformLogBytesPerInvocation + 400) * p.cloudwatch.logIngestionPerGb) / 1024 ** 3,
  };
  return {
    totalUsd: Object.values(lines).reduce((a, b) => a + b, 0),
    lines,
    counts: { ...resources, sweeperRunsPerMonth: sweeps, digestRunsPerMonth: digests, idleCustomMetrics },
  };
}
