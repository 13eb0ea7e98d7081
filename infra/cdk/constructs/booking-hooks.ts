import { Duration, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HOOK_EVENT_SOURCE } from '../../../shared/contracts/booking-events';
import { ENV } from '../../../shared/contracts/env';
import { departDeliberately } from '../deliberate-choices';
import { ProjectFunction } from './project-function';

export interface BookingHooksProps {
  /** The service table: each booking's version and last event (`HOOK#` partitions). */
  readonly table: ITable;
  /** The HTTP API the hook route is added to (the same API and domain as patient links). */
  readonly api: HttpApi;
  /** The booking bus the hook puts events on, with the hook source only. */
  readonly bus: IEventBus;
  /** Where unmappable deliveries are kept with their reason (the rejected-events queue). */
  readonly rejectedEvents: IQueue;
  /** Encrypts the secrets and the function's log group and failure queue. */
  readonly key: IKey;
}

/**
 * Booking webhooks (DESIGN section 12): `POST /hooks/{provider}` on the HTTP API, one function that turns
 * Cal.com and FHIR deliveries into booking events on the bus, and each provider's secret: Cal.com's signing
 * secret and the FHIR sources' bearer tokens, which operators paste into the booking system (README "Booking
 * webhooks"). The key of the Cal.com patient id's hash is made in the table at the first delivery.
 */
export class BookingHooks extends Construct {
  readonly handler: ProjectFunction;
  readonly routes: HttpRoute[];
  readonly calcomSecret: Secret;
  readonly fhirTokens: Secret;

  constructor(scope: Construct, id: string, props: BookingHooksProps) {
    super(scope, id);
    const generated = { passwordLength: 48, excludePunctuation: true, includeSpace: false };
    this.calcomSecret = new Secret(this, 'CalcomSigningSecret', {
      description: "Cal.com webhook secret: paste it into the webhook's Secret field (README)",
      encryptionKey: props.key,
      generateSecretString: generated,
    });
    this.fhirTokens = new Secret(this, 'FhirBearerTokens', {
      description: 'Bearer token of each FHIR source, {"<source>": "<token>"} (README)',
      encryptionKey: props.key,
      generateSecretString: { ...generated, secretStringTemplate: '{}', generateStringKey: 'ehr' },
    });
    for (const secret of [this.calcomSecret, this.fhirTokens]) {
      for (const findingId of ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled']) {
        Validations.of(secret).acknowledge({
          id: findingId,
          reason:
            'Shared with the booking system, which has no rotation API: rotated by hand (README "Booking ' +
            'webhooks"); a new value is taken within 5 minutes.',
        });
      }
    }

    this.handler = new ProjectFunction(this, 'BookingHooks', {
      entry: 'functions/handle-booking-hooks.ts',
      description: 'Booking webhooks (Cal.com, FHIR Appointment): checks, versions and puts booking events',
      key: props.key,
      // Cal.com gives up on a delivery after a few seconds; the gateway's own limit is 29 s.
      timeout: Duration.seconds(10),
    });
    this.handler.bindTable(props.table);
    this.handler.bindSecretRead(ENV.calcomSecretArn, this.calcomSecret);
    this.handler.bindSecretRead(ENV.fhirTokensSecretArn, this.fhirTokens);
    this.handler.bindQueueSend(ENV.rejectedEventsQueueUrl, props.rejectedEvents);
    this.handler.setEnv(ENV.eventBusName, props.bus.eventBusName);
    this.handler.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': [HOOK_EVENT_SOURCE] } },
      }),
    );

    const integration = new HttpLambdaIntegration('BookingHooks', this.handler.fn);
    this.routes = props.api.addRoutes({ path: '/hooks/{provider}', methods: [HttpMethod.POST], integration });
    // The function checks each provider's signature or bearer token before it reads the delivery.
    for (const route of this.routes) departDeliberately(route, 'route-authenticates-caller');
  }
}
