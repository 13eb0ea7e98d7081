import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  Distribution,
  GeoRestriction,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  OriginSslPolicy,
  PriceClass,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  CfnDelivery,
  CfnDeliveryDestination,
  CfnDeliverySource,
  LogGroup,
  RetentionDays,
} from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import {
  EDGE_ORIGIN_HEADER,
  EDGE_PROOF_GENERATION_HEADER,
  EDGE_VIEWER_ADDRESS_HEADER,
} from '../../shared/contracts/edge';
import { letLogsUse, serviceKey } from './constructs/service-key';
import { departDeliberately } from './deliberate-choices';

/** What the edge needs from the clinic config (`protection`, validated: all present when the edge is on). */
export interface EdgeSettings {
  readonly edgeDomain: string;
  readonly edgeCertificateArn: string;
  readonly originDomain: string;
  readonly requestsPerIpPer5Minutes: number;
  readonly countries: readonly string[];
  /** Raised after a new origin proof is put, so CloudFront reads it again (README "Optional edge"). */
  readonly originProofGeneration: number;
  /** The clinic's phone, for the refusal pages. */
  readonly clinicPhone: string;
}

export interface EdgeStackProps extends StackProps {
  readonly edge: EdgeSettings;
  /** The service stack's region, where the origin-proof secret is replicated for the functions to read. */
  readonly serviceRegion: string;
  /** The data key's alias in the service region: it encrypts the replica there. */
  readonly serviceDataKeyAlias: string;
}

/** The fields of each access log line: no path, query string, cookie or referer (a link's token is a credential). */
const ACCESS_LOG_FIELDS = [
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
];

/** The crisis lines every refusal ends with: whoever is refused may be a patient in crisis. */
function crisisLines(clinicPhone: string): string {
  return (
    'If you are in crisis, call or text 988 (Suicide & Crisis Lifeline). In an emergency, call 911.\n' +
    `To reach the clinic, call ${clinicPhone}.\n` +
    'Si está en crisis, llame o envíe un mensaje de texto al 988. En una emergencia, llame al 911.\n'
  );
}

/** The label namespace of AWS's common rule set; its body-size rule only counts (our functions cap bodies). */
const COMMON_RULES_LABELS = 'awswaf:managed:aws:core-rule-set:';
const COMMON_RULES_SIZE_LABEL = `${COMMON_RULES_LABELS}SizeRestrictions_Body`;

/** Error answers CloudFront would keep (10 s by default, across users: cookies are no key); the rest it never caches. */
const UNCACHED_ERRORS = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/**
 * The optional edge (config `protection.edge`): CloudFront on the clinic's link domain in front of the API's
 * custom domain, with an AWS WAF web ACL (a per-IP rate rule and AWS's common rule set). CloudFront and
 * CLOUDFRONT-scope web ACLs live in us-east-1, so this is a stack of its own there, deployed before the service
 * stack. Requests that reach the origin another way are refused by the functions: CloudFront adds a header whose
 * value (a generated secret, replicated to the service region) only it and they know.
 */
export class EdgeStack extends Stack {
  readonly distribution: Distribution;
  readonly firewall: CfnWebACL;
  /** Name of the origin-proof secret (the same in both regions). */
  readonly originSecretName: string;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const key = edgeKey(this);
    const { edge } = props;

    this.originSecretName = `${this.stackName}-origin-proof`;
    const originSecret = new Secret(this, 'OriginProof', {
      secretName: this.originSecretName,
      description:
        'Proves a request to the API came through CloudFront and its web ACL (not a data credential)',
      encryptionKey: key,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      replicaRegions:
        props.serviceRegion === this.region
          ? []
          : [
              {
                region: props.serviceRegion,
                encryptionKey: Key.fromKeyArn(
                  this,
                  'ServiceDataKey',
                  aliasIn(props.serviceDataKeyAlias, props.serviceRegion),
                ),
              },
            ],
    });
    for (const ruleId of ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled']) {
      Validations.of(originSecret).acknowledge({
        id: ruleId,
        reason:
          'Only proves a request passed the web ACL; every request still needs a signed link or a console ' +
          'session. CloudFront reads it at deploy, so an operator rotates it: put a new value (the functions take ' +
          'current and previous), then raise protection.originProofGeneration and deploy (README "Optional edge").',
      });
    }

    this.firewall = new CfnWebACL(this, 'Firewall', {
      name: `${this.stackName}-firewall`,
      scope: 'CLOUDFRONT',
      description: 'Per-IP rate budget and AWS common rules in front of patient links and the staff console',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('firewall'),
      customResponseBodies: {
        'rate-limited': {
          contentType: 'TEXT_PLAIN',
          content: `Too many requests from this network. Please wait a few minutes and try again.\n${crisisLines(edge.clinicPhone)}`,
        },
        refused: {
          contentType: 'TEXT_PLAIN',
          content: `This request was refused. Please open the link from your clinic's message again.\n${crisisLines(edge.clinicPhone)}`,
        },
      },
      // What WAF logs of bodies (patients' notes), query strings (sign-in codes) and cookies (sessions), rule
      // match details included: substituted. Paths are redacted by the logging configuration below.
      dataProtectionConfig: {
        dataProtections: ['BODY', 'QUERY_STRING', 'SINGLE_COOKIE'].map((fieldType) => ({
          field: { fieldType },
          action: 'SUBSTITUTION',
          excludeRuleMatchDetails: false,
          excludeRateBasedDetails: false,
        })),
      },
      rules: [
        {
          name: 'per-ip-rate',
          priority: 0,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'rate-limited' } } },
          statement: {
            rateBasedStatement: {
              limit: edge.requestsPerIpPer5Minutes,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility('per-ip-rate'),
        },
        {
          // Counts and labels only: its own block would be WAF's bare 403, which the next rule replaces with one
          // that carries the crisis lines.
          name: 'aws-common-rules',
          priority: 1,
          overrideAction: { count: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' },
          },
          visibilityConfig: visibility('aws-common-rules'),
        },
        {
          name: 'aws-common-rules-block',
          priority: 2,
          action: { block: { customResponse: { responseCode: 403, customResponseBodyKey: 'refused' } } },
          statement: {
            andStatement: {
              statements: [
                { labelMatchStatement: { scope: 'NAMESPACE', key: COMMON_RULES_LABELS } },
                // Bodies over 8 KB only count: the functions answer 413 at their own caps.
                {
                  notStatement: {
                    statement: { labelMatchStatement: { scope: 'LABEL', key: COMMON_RULES_SIZE_LABEL } },
                  },
                },
              ],
            },
          },
          visibilityConfig: visibility('aws-common-rules-block'),
        },
      ],
    });

    // WAF writes only to log groups named aws-waf-logs-*; what it logs leaves out paths, queries and cookies.
    const firewallLogs = new LogGroup(this, 'FirewallLogs', {
      logGroupName: `aws-waf-logs-${this.stackName}`,
      encryptionKey: key,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new CfnLoggingConfiguration(this, 'FirewallLogging', {
      resourceArn: this.firewall.attrArn,
      logDestinationConfigs: [logGroupArn(this, firewallLogs.logGroupName)],
      redactedFields: [
        { uriPath: {} },
        { queryString: {} },
        ...['cookie', 'authorization', 'referer', EDGE_ORIGIN_HEADER].map((name) => ({
          singleHeader: { Name: name },
        })),
      ],
    });

    const origin = new HttpOrigin(edge.originDomain, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      readTimeout: Duration.seconds(30),
      customHeaders: {
        [EDGE_ORIGIN_HEADER]: originSecret.secretValue.unsafeUnwrap(),
        // CloudFormation resolves the proof again only when the distribution changes: raising the generation
        // after a new value is put makes it change (README "Optional edge").
        [EDGE_PROOF_GENERATION_HEADER]: String(edge.originProofGeneration),
      },
    });
    // Everything the functions read (cookies, query, the few headers they use) and the viewer's address for
    // the audit; never the Host header, which must stay the API's custom domain.
    const forwardToApi = new OriginRequestPolicy(this, 'ForwardToApi', {
      comment: 'Cookies, query strings, the headers the functions read and the viewer address',
      cookieBehavior: OriginRequestCookieBehavior.all(),
      queryStringBehavior: OriginRequestQueryStringBehavior.all(),
      headerBehavior: OriginRequestHeaderBehavior.allowList(
        'content-type',
        'user-agent',
        'origin',
        'accept-language',
        // Cal.com's webhook signature (a FHIR source's Authorization needs the hook behaviour's cache policy).
        'x-cal-signature-256',
        EDGE_VIEWER_ADDRESS_HEADER,
      ),
    });
    this.distribution = new Distribution(this, 'Edge', {
      comment: 'Ketamine follow-up: patient links and the staff console',
      // The bare domain opens the console (its sign-in); patient links always carry a path.
      defaultRootObject: 'console',
      domainNames: [edge.edgeDomain],
      certificate: Certificate.fromCertificateArn(this, 'EdgeCertificate', edge.edgeCertificateArn),
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      webAclId: this.firewall.attrArn,
      ...(edge.countries.length > 0 ? { geoRestriction: GeoRestriction.allowlist(...edge.countries) } : {}),
      defaultBehavior: {
        origin,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        // Every answer is personal or a form with a CSRF token: nothing may be cached.
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: forwardToApi,
        // Nothing is cached, so nothing would be compressed; pages with CSRF tokens stay uncompressed anyway.
        compress: false,
      },
      additionalBehaviors: {
        // A FHIR source's bearer token: CloudFront forwards Authorization only as part of a cache key, and a key
        // needs a TTL above 0. POST answers are never cached, and the hook takes POST only.
        '/hooks/*': {
          origin,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          cachePolicy: new CachePolicy(this, 'HooksAuthorization', {
            comment: 'Booking webhooks: forwards Authorization; POST answers are never cached',
            defaultTtl: Duration.seconds(0),
            minTtl: Duration.seconds(0),
            maxTtl: Duration.seconds(1),
            headerBehavior: CacheHeaderBehavior.allowList('authorization'),
          }),
          originRequestPolicy: forwardToApi,
          compress: false,
        },
      },
      errorResponses: UNCACHED_ERRORS.map((httpStatus) => ({ httpStatus, ttl: Duration.seconds(0) })),
    });
    this.logAccess(key);
    departDeliberately(this.distribution, 'edge-logs-without-paths');
    departDeliberately(this.distribution, 'edge-single-origin');

    if (edge.countries.length === 0) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR1',
        reason:
          'Patients travel, and a check-in refused abroad could hide a self-harm answer; protection.countries ' +
          'restricts it when a clinic wants to.',
      });
    }

    new CfnOutput(this, 'EdgeDomainTarget', {
      description: `Point ${edge.edgeDomain} here (CNAME or alias record)`,
      value: this.distribution.distributionDomainName,
    });
  }

  /**
   * Access logs through CloudFront's standard logging (v2) to an encrypted log group, with only the fields in
   * ACCESS_LOG_FIELDS. cdk-nag's CFR3 reads only the legacy S3 logging property, hence its acknowledgement.
   */
  private logAccess(key: Key): void {
    // Under /aws/vendedlogs/, so CloudWatch Logs' account-wide resource policy does not grow per log group.
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/vendedlogs/${this.stackName}-access`,
      encryptionKey: key,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const source = new CfnDeliverySource(this, 'AccessLogSource', {
      name: `${this.stackName}-access`,
      logType: 'ACCESS_LOGS',
      resourceArn: this.formatArn({
        service: 'cloudfront',
        region: '',
        resource: 'distribution',
        resourceName: this.distribution.distributionId,
      }),
    });
    const destination = new CfnDeliveryDestination(this, 'AccessLogDestination', {
      name: `${this.stackName}-access`,
      destinationResourceArn: logGroupArn(this, accessLogs.logGroupName),
    });
    const delivery = new CfnDelivery(this, 'AccessLogDelivery', {
      deliverySourceName: source.name,
      deliveryDestinationArn: destination.attrArn,
      recordFields: ACCESS_LOG_FIELDS,
    });
    delivery.addResourceDependency(source);
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR3',
      reason:
        'Access logging is on through standard logging v2 (AWS::Logs::Delivery) to an encrypted log group, ' +
        'without paths or cookies; the rule reads only the legacy S3 logging property.',
    });
  }
}

/** Metrics per rule, no sampled requests. */
function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  // Sampled requests would keep full requests (paths carry link tokens) for the console: off.
  return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: false };
}

/** A log group's ARN without the `:*` CDK appends (WAF and log delivery want the bare ARN). */
function logGroupArn(stack: Stack, name: string): string {
  return `arn:${Aws.PARTITION}:logs:${stack.region}:${Aws.ACCOUNT_ID}:log-group:${name}`;
}

/** A key alias's ARN in another region (Secrets Manager takes it for a replica). */
function aliasIn(alias: string, region: string): string {
  return `arn:${Aws.PARTITION}:kms:${region}:${Aws.ACCOUNT_ID}:${alias}`;
}

/** The edge's own key (the service keys live in another region): log groups and the origin-proof secret. */
function edgeKey(stack: Stack): Key {
  const key = serviceKey(stack, 'EdgeKey', {
    description: 'Encrypts the follow-up edge logs and the origin-proof secret',
    services: ['secretsmanager'],
  });
  letLogsUse(key, [`/aws/vendedlogs/${stack.stackName}-*`, `aws-waf-logs-${stack.stackName}`]);
  return key;
}
