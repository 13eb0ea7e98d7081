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
  endUserMessagingSms: {
    source: string;
    usPerSegment: number;
    usInboundPerSegment: number;
    tollFreeNumberPerMonth: number;
  };
  snsTopic: { source: string; publishPerMillion: number };
  cloudwatch: {
    source: string;
    alarmPerMonth: number;
    customMetricPerMonth: number;
    logIngestionPerGb: number;
    vendedLogIngestionPerGb: number;
  };
  kms: { source: string; keyPerMonth: number };
  secretsManager: { source: string; secretPerMonth: number };
  wafv2: { source: string; webAclPerMonth: number; rulePerMonth: number; requestPerMillion: number };
  cloudfront: { source: string; httpsRequestPerMillion: number; logBytesPerRequest: number };
  latencyAssumptionsMs: { dynamodb: number; scheduler: number; ses: number; sns: number };
  lambdaPlatformLogBytesPerInvocation: number;
}

export function loadPrices(): Prices {
  return JSON.parse(readFileSync(path.join(__dirname, 'prices.json'), 'utf8')) as Prices;
}

const perMillion = (count: number, price: number) => (count * price) / 1_000_000;

/**
 * What the optional edge (config `protection.edge`) deploys that bills by the month; the infra test holds it to
 * the edge stack's template.
 */
export const EDGE_SHAPE = {
  webAcls: 1,
  webAclRules: 3,
  kmsKeys: 1,
  secrets: 1,
  secretReplicas: 1,
  alarms: 1,
} as const;

/** The resources of a deployment that bill by the month, counted from its templates. */
export interface DeployedResources {
  kmsKeys: number;
  secrets: number;
  secretReplicas: number;
  alarms: number;
  webAcls: number;
  webAclRules: number;
  distributions: number;
  source: string;
}

/** A synthesized template, as far as the bench reads it. */
export interface CfnTemplate {
  Resources?: Record<
    string,
    { Type: string; Properties?: { ReplicaRegions?: unknown[]; Rules?: unknown[] } }
  >;
}

/** The resources that bill by the month in the given templates. */
export function countDeployedResources(templates: readonly CfnTemplate[]): DeployedResources {
  const counts = {
    kmsKeys: 0,
    secrets: 0,
    secretReplicas: 0,
    alarms: 0,
    webAcls: 0,
    webAclRules: 0,
    distributions: 0,
    source: 'templates',
  };
  for (const template of templates) {
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type === 'AWS::KMS::Key') counts.kmsKeys++;
      if (resource.Type === 'AWS::SecretsManager::Secret') {
        counts.secrets++;
        counts.secretReplicas += resource.Properties?.ReplicaRegions?.length ?? 0;
      }
      if (resource.Type === 'AWS::CloudWatch::Alarm') counts.alarms++;
      if (resource.Type === 'AWS::WAFv2::WebACL') {
        counts.webAcls++;
        counts.webAclRules += resource.Properties?.Rules?.length ?? 0;
      }
      if (resource.Type === 'AWS::CloudFront::Distribution') counts.distributions++;
    }
  }
  return counts;
}

/** What the optional edge adds to a month, fixed, and per million requests. */
export function edgeMonthly(p: Prices) {
  return {
    fixedUsd:
      EDGE_SHAPE.webAcls * p.wafv2.webAclPerMonth +
      EDGE_SHAPE.webAclRules * p.wafv2.rulePerMonth +
      EDGE_SHAPE.kmsKeys * p.kms.keyPerMonth +
      (EDGE_SHAPE.secrets + EDGE_SHAPE.secretReplicas) * p.secretsManager.secretPerMonth +
      EDGE_SHAPE.alarms * p.cloudwatch.alarmPerMonth,
    perMillionRequestsUsd: edgePerMillionRequests(p),
  };
}

/** The edge's cost of a million requests: WAF, CloudFront, and the WAF and access log lines they write. */
function edgePerMillionRequests(p: Prices): number {
  return (
    p.wafv2.requestPerMillion +
    p.cloudfront.httpsRequestPerMillion +
    (1_000_000 * p.cloudfront.logBytesPerRequest * p.cloudwatch.vendedLogIngestionPerGb) / 1024 ** 3
  );
}

/** Infrastructure, email and SMS cost of 1,000 sessions, each line itemised (edge requests when it is on). */
export function costPer1000Sessions(s: SessionCounts, p: Prices, edge = false) {
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
    edgeRequestsUsd: edge ? n * perMillion(s.httpRequests, edgePerMillionRequests(p)) : 0,
    logIngestionUsd: (n * s.logBytes * p.cloudwatch.logIngestionPerGb) / 1024 ** 3,
    // Each End User Messaging SMS event is an SNS publish to the events topic (SES events ride the default
    // bus, where AWS service events are free).
    smsEventsUsd: n * perMillion(s.smsEvents, p.snsTopic.publishPerMillion),
    // The patient's texts reach the function through the two-way channel's SNS topic.
    inboundSmsTopicUsd: n * perMillion(s.inboundSms, p.snsTopic.publishPerMillion),
  };
  const infrastructureUsd = Object.values(lines).reduce((a, b) => a + b, 0);
  return {
    infrastructureUsd,
    emailUsd: (n * s.emails * p.ses.emailPerThousand) / 1000,
    smsUsd:
      n *
      (s.smsSegments * p.endUserMessagingSms.usPerSegment +
        s.inboundSms * p.endUserMessagingSms.usInboundPerSegment),
    lines,
  };
}

/** What an idle deployment costs a month: keys, secrets, alarms, custom metrics, sweeper, digest, web ACL. */
export function fixedMonthly(
  p: Prices,
  resources: DeployedResources,
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
    // The number SMS goes from (registered outside CloudFormation): a US toll-free number's lease.
    smsNumberUsd: p.endUserMessagingSms.tollFreeNumberPerMonth,
    secretsUsd: (resources.secrets + resources.secretReplicas) * p.secretsManager.secretPerMonth,
    webAclUsd: resources.webAcls * p.wafv2.webAclPerMonth + resources.webAclRules * p.wafv2.rulePerMonth,
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
