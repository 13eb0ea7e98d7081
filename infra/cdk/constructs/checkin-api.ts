import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  type CfnStage,
  DomainName,
  HttpApi,
  HttpMethod,
  type HttpStage,
  LogGroupLogDestination,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../../shared/contracts/env';
import { ROUTE_BUDGETS } from '../../../shared/contracts/route-budgets';
import { departDeliberately } from '../deliberate-choices';
import { ProjectFunction } from './project-function';

/** Requests per second and burst the `$default` stage admits, across all callers. */
export interface CheckinThrottle {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Requests admitted at once above the steady rate (token bucket size). */
  readonly burstLimit: number;
}

export interface CheckinApiProps {
  /** The service table (bookings, check-in replies, pending alerts). */
  readonly table: ITable;
  /** HMAC key that verifies patient links; the function only reads it. */
  readonly linkSigningSecret: ISecret;
  /** Encrypts the access log group and the function's log group and failure queue. */
  readonly key: IKey;
  /**
   * Stage-wide throttling. A clinic's patients answer a few check-ins a day, so 20 rps is far above real
   * traffic and only caps a flood (and the Lambda and DynamoDB bill it would cause). Requests over the
   * limit get 429 from the gateway and never reach the function.
   *
   * HTTP APIs have no per-client (per-IP) throttling or usage plans: this limit is shared by everyone,
   * so one caller flooding the API can crowd out patients. Each link is HMAC-signed, so a flood never
   * gets further than a 401/403 answer from the function.
   * @default { rateLimit: 20, burstLimit: 40 }
   */
  readonly throttle?: CheckinThrottle;
  /**
   * How long the gateway's access logs are kept.
   * @default RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: RetentionDays;
  /**
   * The custom domain CloudFront forwards to when the optional edge is on (config `protection`): the API answers
   * only there, its default `execute-api` endpoint is disabled.
   * @default - the default endpoint, no custom domain
   */
  readonly origin?: { readonly domain: string; readonly certificateArn: string };
}

/**
 * The public face of signed links: an HTTP API with exactly `GET /c/{token}`, `POST /c/{token}` (check-in
 * form and replies) and `GET|POST /i/{token}` (preparation instructions, the readiness form) for patients, and `GET /a/{token}`,
 * `POST /a/{token}` (a staff alert, acknowledging it) and `GET /r/{token}` (a reply from the review digest)
 * for staff, each a Lambda proxy (payload 2.0) to the check-in function. No default route, so any other path or method is a 404 from the gateway; no CORS,
 * since the pages post to themselves. The `$default` stage is throttled and access-logged without paths.
 */
export class CheckinApi extends Construct {
  readonly handler: ProjectFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Where the gateway writes one JSON line per request (no path, no query string). */
  readonly accessLogs: LogGroup;
  /** Base URL of patient links on this API (`https://<id>.execute-api.<region>.amazonaws.com`, no trailing slash). */
  readonly url: string;
  /** With an origin domain: the regional name its DNS record must point at. */
  readonly originTarget?: string;

  constructor(scope: Construct, id: string, props: CheckinApiProps) {
    super(scope, id);
    this.handler = new ProjectFunction(this, 'CheckinHttp', {
      entry: 'functions/handle-checkin-http.ts',
      description:
        'Signed links: check-in form, instructions, stores and triages replies; old staff links to the console',
      key: props.key,
      // Well inside the gateway's 29 s integration timeout: a patient is waiting on this answer.
      timeout: Duration.seconds(15),
    });
    // Reads bookings and links, writes replies (with their pending-alert marker), verifies links: nothing to
    // send, publish or schedule.
    this.handler.bindTable(props.table);
    this.handler.bindSecretRead(ENV.linkSigningSecretArn, props.linkSigningSecret);

    this.api = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-checkin`,
      description: 'Ketamine follow-up: patient check-in and instructions links, staff alert and reply links',
      // The stage below replaces the default one, so it can carry throttling and access logs.
      createDefaultStage: false,
      // Behind the edge, a request to execute-api would skip the web ACL.
      disableExecuteApiEndpoint: props.origin !== undefined,
    });
    const integration = new HttpLambdaIntegration('CheckinHttp', this.handler.fn);
    const routes = [
      ...this.api.addRoutes({ path: '/c/{token}', methods: [HttpMethod.GET, HttpMethod.POST], integration }),
      ...this.api.addRoutes({ path: '/i/{token}', methods: [HttpMethod.GET, HttpMethod.POST], integration }),
      ...this.api.addRoutes({ path: '/a/{token}', methods: [HttpMethod.GET, HttpMethod.POST], integration }),
      ...this.api.addRoutes({ path: '/r/{token}', methods: [HttpMethod.GET], integration }),
    ];
    // The link is the credential, checked by the function (see AwsSolutions-APIG4 below).
    for (const route of routes) departDeliberately(route, 'route-authenticates-caller');

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_YEAR,
      encryptionKey: props.key,
    });
    const throttle = props.throttle ?? { rateLimit: 20, burstLimit: 40 };
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url = props.origin ? `https://${props.origin.domain}` : this.api.apiEndpoint;
    if (props.origin) {
      const domain = new DomainName(this, 'OriginDomain', {
        domainName: props.origin.domain,
        certificate: Certificate.fromCertificateArn(this, 'OriginCertificate', props.origin.certificateArn),
        securityPolicy: SecurityPolicy.TLS_1_2,
      });
      new ApiMapping(this, 'OriginMapping', { api: this.api, domainName: domain, stage: this.stage });
      this.originTarget = domain.regionalDomainName;
    }
    // The stage's route settings name these routes: they must exist first.
    this.stage.node.addDependency(...routes);
    // Each route its own budget (DESIGN section 8): a flood of one cannot starve another.
    (this.stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      Object.entries(ROUTE_BUDGETS).map(([route, budget]) => [
        route,
        // A JSON map in CloudFormation: its keys are written as CloudFormation spells them.
        { ThrottlingRateLimit: budget.rateLimit, ThrottlingBurstLimit: budget.burstLimit },
      ]),
    );

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Patients and staff have no account: the signed link is the credential (HMAC-SHA256, scoped to one ' +
        'booking and message kind or one alert or reply, expiring), verified by the function before anything ' +
        'is read or stored.',
    });
  }
}

/**
 * One JSON line per request. The token in `/c/{token}` (and every other link) is a credential, so nothing that carries the path
 * or query string is logged (`$context.path`, `$context.rawPath`...): `routeKey` is the route template
 * (`GET /c/{token}`), never the token. The integration's error message is left out too (function text).
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  error: '$context.error.message',
} as const;
