import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EDGE_SHAPE, edgeMonthly, fixedMonthly, loadPrices } from '../../bench/prices';
import cdkJson from '../../cdk.json';
import clinicConfig from '../../config/clinic';
import { controlTowerFailures } from '../../infra/cdk/control-tower';
import { DELIBERATE_CHOICES } from '../../infra/cdk/deliberate-choices';
import { defineFollowupApp } from '../../infra/cdk/followup-app';
import { ClinicConfigError } from '../../shared/contracts/clinic-config';
import { EDGE_ORIGIN_HEADER } from '../../shared/contracts/edge';
import { ENV } from '../../shared/contracts/env';

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

/** The secret's dynamic reference, as both regions resolve it at deploy. */
const proofReference = (template: Template) =>
  JSON.stringify(template.toJSON()).includes('{{resolve:secretsmanager:');

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
    expect(JSON.stringify(template.toJSON())).not.toContain(ENV.edgeOriginProof);
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
          Action: { Block: { CustomResponse: Match.objectLike({ ResponseCode: 429 }) } },
          Statement: {
            RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 },
          },
        }),
        Match.objectLike({
          Name: 'aws-common-rules',
          OverrideAction: { None: {} },
          Statement: {
            ManagedRuleGroupStatement: Match.objectLike({
              VendorName: 'AWS',
              Name: 'AWSManagedRulesCommonRuleSet',
            }),
          },
        }),
      ],
    });
    const acl = Object.values(edge.findResources('AWS::WAFv2::WebACL'))[0] as {
      Properties: { CustomResponseBodies: Record<string, { Content: string }> };
    };
    // A refused patient still reads where to get help.
    expect(acl.Properties.CustomResponseBodies['rate-limited']?.Content).toContain('988');
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
        }),
        Origins: [
          Match.objectLike({
            DomainName: 'api.c.example.org',
            CustomOriginConfig: Match.objectLike({
              OriginProtocolPolicy: 'https-only',
              OriginSSLProtocols: ['TLSv1.2'],
            }),
            OriginCustomHeaders: [{ HeaderName: EDGE_ORIGIN_HEADER, HeaderValue: Match.anyValue() }],
          }),
        ],
      }),
    });
    expect(proofReference(edge)).toBe(true);
  });

  it('logs without paths, query strings, cookies or the proof (a link path is a credential)', () => {
    const firewallLogging = Object.values(edge.findResources('AWS::WAFv2::LoggingConfiguration'))[0] as {
      Properties: { RedactedFields: object[] };
    };
    expect(firewallLogging.Properties.RedactedFields).toEqual(
      expect.arrayContaining([
        { UriPath: {} },
        { QueryString: {} },
        { SingleHeader: { Name: 'cookie' } },
        { SingleHeader: { Name: EDGE_ORIGIN_HEADER } },
      ]),
    );
    edge.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-KetamineFollowupEdge',
      KmsKeyId: Match.anyValue(),
    });
    const delivery = Object.values(edge.findResources('AWS::Logs::Delivery'))[0] as {
      Properties: { RecordFields: string[] };
    };
    expect(delivery.Properties.RecordFields).toContain('c-ip');
    for (const field of ['cs-uri-stem', 'cs-uri-query', 'cs(Cookie)', 'cs(Referer)']) {
      expect(delivery.Properties.RecordFields).not.toContain(field);
    }
    edge.hasResourceProperties('AWS::Logs::DeliverySource', { LogType: 'ACCESS_LOGS' });
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

  it('sends links and staff to the edge domain and makes both HTTP functions check the proof', () => {
    const functions = Object.values(service.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment?: { Variables?: Record<string, unknown> } };
    }[];
    const checking = functions.filter((f) => f.Properties.Environment?.Variables?.[ENV.edgeOriginProof]);
    expect(checking).toHaveLength(2);
    for (const fn of checking) {
      expect(JSON.stringify(fn.Properties.Environment?.Variables?.[ENV.edgeOriginProof])).toContain(
        '{{resolve:secretsmanager:KetamineFollowupEdge-origin-proof:SecretString',
      );
    }
    const linkBases = functions
      .map((f) => f.Properties.Environment?.Variables?.[ENV.linkBaseUrl])
      .filter((v) => v !== undefined);
    expect(linkBases.length).toBeGreaterThan(0);
    for (const base of linkBases) expect(base).toBe('https://c.example.org');
    service.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://c.example.org/console/callback'],
    });
  });

  it('bills as the bench counts it: what it adds a month is in the fixed-cost figure when it is on', () => {
    edge.resourceCountIs('AWS::WAFv2::WebACL', EDGE_SHAPE.webAcls);
    edge.resourceCountIs('AWS::KMS::Key', EDGE_SHAPE.kmsKeys);
    edge.resourceCountIs('AWS::SecretsManager::Secret', EDGE_SHAPE.secrets);
    const acl = Object.values(edge.findResources('AWS::WAFv2::WebACL'))[0] as {
      Properties: { Rules: unknown[] };
    };
    expect(acl.Properties.Rules).toHaveLength(EDGE_SHAPE.webAclRules);
    const prices = loadPrices();
    const added = edgeMonthly(prices);
    expect(added.fixedUsd).toBeCloseTo(5 + 2 * 1 + 1 + 2 * 0.4, 6);
    const idleRun = { readRequestUnits: 1, writeRequestUnits: 0, estimatedLambdaMs: 50 };
    const idle = { sweeper: idleRun, digest: idleRun } as unknown as Parameters<typeof fixedMonthly>[2];
    const base = {
      kmsKeys: 2,
      secrets: 2,
      secretReplicas: 0,
      alarms: 20,
      webAcls: 0,
      webAclRules: 0,
      distributions: 0,
      source: 'test',
    };
    const withEdge = {
      ...base,
      kmsKeys: base.kmsKeys + EDGE_SHAPE.kmsKeys,
      secrets: base.secrets + EDGE_SHAPE.secrets,
      secretReplicas: EDGE_SHAPE.secretReplicas,
      webAcls: EDGE_SHAPE.webAcls,
      webAclRules: EDGE_SHAPE.webAclRules,
      distributions: 1,
    };
    const difference =
      fixedMonthly(prices, withEdge, idle).totalUsd - fixedMonthly(prices, base, idle).totalUsd;
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
