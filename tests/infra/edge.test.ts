import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnTemplate,
  countDeployedResources,
  EDGE_SHAPE,
  edgeMonthly,
  fixedMonthly,
  loadPrices,
} from '../../bench/prices';
import cdkJson from '../../cdk.json';
import clinicConfig from '../../config/clinic';
import { controlTowerFailures } from '../../infra/cdk/control-tower';
import { DELIBERATE_CHOICES } from '../../infra/cdk/deliberate-choices';
import { defineFollowupApp } from '../../infra/cdk/followup-app';
import { ClinicConfigError } from '../../shared/contracts/clinic-config';
import {
  EDGE_ORIGIN_HEADER,
  EDGE_PROOF_GENERATION_HEADER,
  EDGE_VIEWER_ADDRESS_HEADER,
} from '../../shared/contracts/edge';
import { ENV } from '../../shared/contracts/env';
import { METRIC } from '../../shared/contracts/metrics';

const ACCOUNT = '123456789012';
const OPTIONS = { env: { account: ACCOUNT, region: 'eu-west-1' } };
const PROTECTION = {
  edge: true,
  edgeDomain: 'c.example.org',
  edgeCertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/edge-cert`,
  originDomain: 'api.c.example.org',
  originCertificateArn: `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/origin-cert`,
};

function newApp(): App {
  return new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
}

const app = newApp();
const EDGE_CONFIG = { ...clinicConfig, links: { baseUrl: 'https://c.example.org' }, protection: PROTECTION };
const stacks = defineFollowupApp(app, EDGE_CONFIG, OPTIONS);
let edge: Template;
let service: Template;

beforeAll(() => {
  if (!stacks.edge) throw new Error('the edge stack was not defined');
  edge = Template.fromStack(stacks.edge);
  service = Template.fromStack(stacks.service);
});

describe('the optional edge (protection.edge)', () => {
  it('passes cdk-nag (AwsSolutions, HIPAA.Security) in all three stacks', () => {
    // The Validations plugin throws on any unacknowledged finding.
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      'KetamineFollowupData',
      'KetamineFollowupEdge',
      'KetamineFollowupService',
    ]);
    expect(stacks.edge?.region).toBe('us-east-1');
    // Deploy order: data (its key encrypts the replica), edge (the secret), then the service.
    expect(stacks.service.dependencies).toContain(stacks.edge);
    expect(stacks.edge?.dependencies).toContain(stacks.data);
  });

  it('is off by default: no edge stack, the default endpoint answers, no proof is asked for', () => {
    const plain = defineFollowupApp(newApp(), clinicConfig, OPTIONS);
    expect(plain.edge).toBeUndefined();
    const template = Template.fromStack(plain.service);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain(ENV.edgeOriginSecret);
  });

  it('refuses a config that turns it on without its domains and certificates, naming each field', () => {
    const attempt = (protection: object) => () =>
      defineFollowupApp(newApp(), { ...clinicConfig, protection }, OPTIONS);
    expect(attempt({ edge: true })).toThrow(ClinicConfigError);
    expect(attempt({ edge: true })).toThrow(
      /protection\.edgeDomain[\s\S]*protection\.edgeCertificateArn[\s\S]*protection\.originDomain[\s\S]*protection\.originCertificateArn/,
    );
    expect(
      attempt({ ...PROTECTION, edgeCertificateArn: `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/x` }),
    ).toThrow(/protection\.edgeCertificateArn: must be a certificate in us-east-1/);
    // config/clinic.ts links to another domain, which behind the edge would reach nothing.
    expect(attempt(PROTECTION)).toThrow(/links\.baseUrl: must be https:\/\/c\.example\.org/);
    expect(() =>
      defineFollowupApp(newApp(), { ...clinicConfig, links: {}, protection: PROTECTION }, OPTIONS),
    ).not.toThrow();
  });

  it('puts a web ACL with a per-IP rate rule and AWS common rules on the distribution', () => {
    edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'per-ip-rate',
          Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'rate-limited' } } },
          Statement: {
            RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 },
          },
        }),
        // The managed rules only label; the next rule blocks what they found, with the crisis lines.
        Match.objectLike({
          Name: 'aws-common-rules',
          OverrideAction: { Count: {} },
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' },
          },
        }),
        Match.objectLike({
          Name: 'aws-common-rules-block',
          Action: { Block: { CustomResponse: { ResponseCode: 403, CustomResponseBodyKey: 'refused' } } },
          Statement: {
            AndStatement: {
              Statements: [
                { LabelMatchStatement: { Scope: 'NAMESPACE', Key: 'awswaf:managed:aws:core-rule-set:' } },
                {
                  NotStatement: {
                    Statement: {
                      LabelMatchStatement: {
                        Scope: 'LABEL',
                        Key: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body',
                      },
                    },
                  },
                },
              ],
            },
          },
        }),
      ],
    });
    const acl = Object.values(edge.findResources('AWS::WAFv2::WebACL'))[0] as {
      Properties: { CustomResponseBodies: Record<string, { Content: string }> };
    };
    // A refused patient still reads where to get help, in English and Spanish, and the clinic's number.
    for (const key of ['rate-limited', 'refused']) {
      const body = acl.Properties.CustomResponseBodies[key]?.Content ?? '';
      expect(body).toContain('988');
      expect(body).toContain('llame al 911');
      expect(body).toContain(EDGE_CONFIG.clinic.phone);
    }
    edge.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['c.example.org'],
        WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Firewall'), 'Arn'] },
        ViewerCertificate: {
          AcmCertificateArn: PROTECTION.edgeCertificateArn,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'https-only',
          // CachingDisabled: every answer is personal or carries a CSRF token.
          CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
          Compress: false,
        }),
        Origins: [
          Match.objectLike({
            DomainName: 'api.c.example.org',
            CustomOriginConfig: Match.objectLike({
              OriginProtocolPolicy: 'https-only',
              OriginSSLProtocols: ['TLSv1.2'],
            }),
          }),
        ],
      }),
    });
  });

  it('sends the origin proof from the secret, and a generation that redeploys CloudFront when raised', () => {
    const distribution = Object.values(edge.findResources('AWS::CloudFront::Distribution'))[0] as {
      Properties: {
        DistributionConfig: {
          Origins: { OriginCustomHeaders: { HeaderName: string; HeaderValue: unknown }[] }[];
          CustomErrorResponses: { ErrorCode: number; ErrorCachingMinTTL: number }[];
        };
      };
    };
    const headers = distribution.Properties.DistributionConfig.Origins[0]?.OriginCustomHeaders ?? [];
    const secretId = Object.keys(edge.findResources('AWS::SecretsManager::Secret'))[0];
    expect(headers.find((h) => h.HeaderName === EDGE_ORIGIN_HEADER)?.HeaderValue).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']],
    });
    expect(headers.find((h) => h.HeaderName === EDGE_PROOF_GENERATION_HEADER)?.HeaderValue).toBe('1');
    const raised = defineFollowupApp(
      newApp(),
      { ...EDGE_CONFIG, protection: { ...PROTECTION, originProofGeneration: 2 } },
      OPTIONS,
    );
    expect(JSON.stringify(Template.fromStack(raised.edge as Stack).toJSON())).toContain(
      `{"HeaderName":"${EDGE_PROOF_GENERATION_HEADER}","HeaderValue":"2"}`,
    );
    // Error answers are never kept: CloudFront caches them 10 s by default, and cookies are not in the key.
    const errors = distribution.Properties.DistributionConfig.CustomErrorResponses;
    expect(errors.map((e) => e.ErrorCode)).toEqual([400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]);
    for (const error of errors) expect(error.ErrorCachingMinTTL).toBe(0);
  });

  it('forwards cookies, query strings, the headers the functions read and the viewer address, never Host', () => {
    const policy = Object.values(edge.findResources('AWS::CloudFront::OriginRequestPolicy'))[0] as {
      Properties: {
        OriginRequestPolicyConfig: {
          CookiesConfig: { CookieBehavior: string };
          QueryStringsConfig: { QueryStringBehavior: string };
          HeadersConfig: { HeaderBehavior: string; Headers: string[] };
        };
      };
    };
    const config = policy.Properties.OriginRequestPolicyConfig;
    expect(config.CookiesConfig.CookieBehavior).toBe('all');
    expect(config.QueryStringsConfig.QueryStringBehavior).toBe('all');
    expect(config.HeadersConfig.HeaderBehavior).toBe('whitelist');
    expect(config.HeadersConfig.Headers).toContain(EDGE_VIEWER_ADDRESS_HEADER);
    expect(config.HeadersConfig.Headers).toContain('content-type');
    expect(config.HeadersConfig.Headers.map((h) => h.toLowerCase())).not.toContain('host');
  });

  it("forwards the webhooks' credentials: Cal.com's signature, and a FHIR source's Authorization on /hooks/* only", () => {
    const policy = Object.values(edge.findResources('AWS::CloudFront::OriginRequestPolicy'))[0] as {
      Properties: { OriginRequestPolicyConfig: { HeadersConfig: { Headers: string[] } } };
    };
    expect(policy.Properties.OriginRequestPolicyConfig.HeadersConfig.Headers).toContain(
      'x-cal-signature-256',
    );
    const distribution = Object.values(edge.findResources('AWS::CloudFront::Distribution'))[0] as {
      Properties: {
        DistributionConfig: {
          DefaultCacheBehavior: { CachePolicyId: unknown };
          CacheBehaviors: { PathPattern: string; CachePolicyId: { Ref: string } }[];
        };
      };
    };
    const { CacheBehaviors, DefaultCacheBehavior } = distribution.Properties.DistributionConfig;
    expect(CacheBehaviors.map((b) => b.PathPattern)).toEqual(['/hooks/*']);
    const hookPolicy = edge.toJSON().Resources[CacheBehaviors[0]?.CachePolicyId.Ref ?? ''];
    expect(hookPolicy.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['authorization'] },
    });
    // Everything else keeps the managed no-caching policy, which forwards no Authorization.
    expect(DefaultCacheBehavior.CachePolicyId).not.toEqual(CacheBehaviors[0]?.CachePolicyId);
  });

  it('logs without paths, query strings, cookies or bodies (a link path is a credential)', () => {
    const firewallLogging = Object.values(edge.findResources('AWS::WAFv2::LoggingConfiguration'))[0] as {
      Properties: { RedactedFields: object[] };
    };
    expect(firewallLogging.Properties.RedactedFields).toEqual(
      expect.arrayContaining([{ UriPath: {} }, { QueryString: {} }, { SingleHeader: { Name: 'cookie' } }]),
    );
    // Rule match details keep matched fragments of bodies and queries unless data protection covers them.
    edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      DataProtectionConfig: {
        DataProtections: ['BODY', 'QUERY_STRING', 'SINGLE_COOKIE'].map((FieldType) => ({
          Field: { FieldType },
          Action: 'SUBSTITUTION',
          ExcludeRuleMatchDetails: false,
          ExcludeRateBasedDetails: false,
        })),
      },
    });
    edge.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-KetamineFollowupEdge',
      KmsKeyId: Match.anyValue(),
    });
    const delivery = Object.values(edge.findResources('AWS::Logs::Delivery'))[0] as {
      Properties: { RecordFields: string[] };
    };
    expect(delivery.Properties.RecordFields).toEqual([
      'date',
      'time',
      'x-edge-location',
      'x-edge-request-id',
      'c-ip',
      'cs-method',
      'cs-protocol',
      'ssl-protocol',
      'sc-status',
      'x-edge-result-type',
      'x-edge-detailed-result-type',
      'sc-bytes',
      'cs-bytes',
      'time-taken',
    ]);
    edge.hasResourceProperties('AWS::Logs::DeliverySource', { LogType: 'ACCESS_LOGS' });
    edge.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/KetamineFollowupEdge-access',
      KmsKeyId: Match.anyValue(),
    });
  });

  it('replicates the origin proof to the service region under the data key', () => {
    const secret = Object.values(edge.findResources('AWS::SecretsManager::Secret'))[0] as {
      Properties: { Name: string; ReplicaRegions: { Region: string; KmsKeyId: unknown }[] };
    };
    expect(secret.Properties.Name).toBe('KetamineFollowupEdge-origin-proof');
    expect(secret.Properties.ReplicaRegions.map((r) => r.Region)).toEqual(['eu-west-1']);
    const keyArn = JSON.stringify(secret.Properties.ReplicaRegions[0]?.KmsKeyId);
    expect(keyArn).toContain(':kms:eu-west-1:');
    expect(keyArn).toContain(':alias/KetamineFollowupData-data');
  });

  it('disables the API default endpoint and serves it on the origin domain only', () => {
    service.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    service.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'api.c.example.org',
      DomainNameConfigurations: [
        Match.objectLike({ CertificateArn: PROTECTION.originCertificateArn, SecurityPolicy: 'TLS_1_2' }),
      ],
    });
    service.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    service.hasOutput('ApiOriginTarget', Match.anyValue());
  });

  it('sends links and staff to the edge domain and makes the three HTTP functions read the proof at run time', () => {
    const functions = Object.entries(service.findResources('AWS::Lambda::Function')) as [
      string,
      { Properties: { Environment?: { Variables?: Record<string, unknown> } } },
    ][];
    const checking = functions.filter(([, f]) => f.Properties.Environment?.Variables?.[ENV.edgeOriginSecret]);
    expect(checking).toHaveLength(3);
    for (const [, fn] of checking) {
      // The secret's name, never its value.
      expect(fn.Properties.Environment?.Variables?.[ENV.edgeOriginSecret]).toBe(
        'KetamineFollowupEdge-origin-proof',
      );
    }
    expect(JSON.stringify(service.toJSON())).not.toContain('{{resolve:secretsmanager:');
    const policies = JSON.stringify(service.findResources('AWS::IAM::Policy'));
    expect(policies.match(/secret:KetamineFollowupEdge-origin-proof-\?{6}/g)).toHaveLength(3);
    const linkBases = functions
      .map(([, f]) => f.Properties.Environment?.Variables?.[ENV.linkBaseUrl])
      .filter((v) => v !== undefined);
    expect(linkBases.length).toBeGreaterThan(0);
    for (const base of linkBases) expect(base).toBe('https://c.example.org');
    service.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://c.example.org/console/callback'],
    });
  });

  it('alarms when the functions refuse a proof CloudFront still sends (a rotation half done)', () => {
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'KetamineFollowupService-edge-proof-stale',
      MetricName: METRIC.edgeProofStale,
      Threshold: 1,
    });
    const plain = Template.fromStack(defineFollowupApp(newApp(), clinicConfig, OPTIONS).service);
    expect(JSON.stringify(plain.toJSON())).not.toContain(METRIC.edgeProofStale);
  });

  it('bills as the bench counts it: what it adds a month is in the fixed-cost figure when it is on', () => {
    const plain = defineFollowupApp(newApp(), clinicConfig, OPTIONS);
    const templates = (stacks: Stack[]) => stacks.map((s) => Template.fromStack(s).toJSON() as CfnTemplate);
    const without = countDeployedResources(templates([plain.data, plain.service]));
    const withEdge = countDeployedResources(templates([stacks.data, stacks.service, stacks.edge as Stack]));
    expect({
      webAcls: withEdge.webAcls - without.webAcls,
      webAclRules: withEdge.webAclRules - without.webAclRules,
      kmsKeys: withEdge.kmsKeys - without.kmsKeys,
      secrets: withEdge.secrets - without.secrets,
      secretReplicas: withEdge.secretReplicas - without.secretReplicas,
      alarms: withEdge.alarms - without.alarms,
    }).toEqual(EDGE_SHAPE);
    expect(withEdge.distributions).toBe(1);
    const prices = loadPrices();
    const added = edgeMonthly(prices);
    // Web ACL $5, three rules, the edge key, the secret and its replica, one alarm.
    expect(added.fixedUsd).toBeCloseTo(5 + 3 + 1 + 2 * 0.4 + 0.1, 6);
    const idleRun = { readRequestUnits: 1, writeRequestUnits: 0, estimatedLambdaMs: 50 };
    const idle = { sweeper: idleRun, digest: idleRun } as unknown as Parameters<typeof fixedMonthly>[2];
    const difference =
      fixedMonthly(prices, withEdge, idle).totalUsd - fixedMonthly(prices, without, idle).totalUsd;
    expect(difference).toBeCloseTo(added.fixedUsd, 6);
  });

  describe('AWS Control Tower proactive controls', () => {
    const files = () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'edge-controls-'));
      return [edge, service].map((template, index) => {
        const file = path.join(dir, `stack-${index}.template.json`);
        writeFileSync(file, JSON.stringify(template.toJSON()));
        return file;
      });
    };

    it('are met but for the deliberate choices, the edge ones marked on the distribution', () => {
      expect(controlTowerFailures(files())).toEqual([]);
      const distribution = Object.values(edge.findResources('AWS::CloudFront::Distribution'))[0] as {
        Metadata: { guard: { SuppressedRules: string[] } };
      };
      expect(distribution.Metadata.guard.SuppressedRules.sort()).toEqual(
        [
          DELIBERATE_CHOICES['edge-logs-without-paths'].guardRule,
          DELIBERATE_CHOICES['edge-single-origin'].guardRule,
        ].sort(),
      );
    });

    it('would catch the distribution without its markings', () => {
      const bare = JSON.parse(JSON.stringify(edge.toJSON())) as {
        Resources: Record<string, { Type: string; Metadata?: unknown }>;
      };
      for (const resource of Object.values(bare.Resources)) {
        if (resource.Type === 'AWS::CloudFront::Distribution') delete resource.Metadata;
      }
      const dir = mkdtempSync(path.join(tmpdir(), 'edge-bare-'));
      const file = path.join(dir, 'edge.template.json');
      writeFileSync(file, JSON.stringify(bare));
      expect(
        controlTowerFailures([file])
          .map((f) => f.rule)
          .sort(),
      ).toEqual(['cloudfront_access_logs_enabled_check', 'cloudfront_origin_failover_enabled_check'].sort());
    });

    it('are each named in README "Deliberate choices"', () => {
      const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
      const section = readme.slice(readme.indexOf('## Deliberate choices'));
      for (const name of ['edge-logs-without-paths', 'edge-single-origin'] as const) {
        expect(section).toContain(DELIBERATE_CHOICES[name].control);
      }
    });
  });
});
