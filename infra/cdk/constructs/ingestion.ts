import { Duration, Lazy, Validations } from 'aws-cdk-lib';
import { EventBus, Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import {
  AccountPrincipal,
  AccountRootPrincipal,
  AnyPrincipal,
  ArnPrincipal,
  Effect,
  type IRole,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HOOK_EVENT_SOURCE } from '../../../shared/contracts/booking-events';
import type { ClinicConfig } from '../../../shared/contracts/clinic-config';
import { ENV } from '../../../shared/contracts/env';
import { type AliasedKey, encryptedQueue } from './encrypted-queue';
import { ProjectFunction } from './project-function';

export interface IngestionProps {
  /** Name of the custom event bus the booking system publishes to (config `busName`). */
  readonly busName: string;
  /** The only event sources the bus takes (config `bookingSources`). */
  readonly sources: readonly string[];
  /** Who may publish (config `publishers`). */
  readonly publishers: ClinicConfig['publishers'];
  /** Encrypts the function's log group (logs carry no patient data). */
  readonly key: IKey;
  /**
   * Encrypts the three queues that can hold a booking event, contact details and all: rejected events,
   * undelivered events and the function's on-failure queue. Must admit EventBridge for this bus's rules.
   */
  readonly dataKey: AliasedKey;
  /**
   * How long EventBridge keeps retrying delivery to the function before the event goes to the DLQ.
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;
  /**
   * Delivery retries by EventBridge (throttling, Lambda unavailable) before the DLQ.
   * @default 20
   */
  readonly retryAttempts?: number;
}

/**
 * Booking events in: the custom bus, the rule for the booking contract's detail-types, the
 * booking-events function, and the two places an event can end up instead of being processed.
 */
export class Ingestion extends Construct {
  readonly bus: EventBus;
  readonly handler: ProjectFunction;
  /** Events EventBridge could not deliver to the function. */
  readonly deliveryDlq: IQueue;
  /** Events the function rejected as invalid, each with a reason naming the field. */
  readonly rejectedEvents: IQueue;
  /** The role the booking system assumes to put events (the bus takes them from it and the configured principals only). */
  readonly publisherRole: Role;
  /** The roles of the booking webhooks, the only ones that may put events with the hook source. */
  private readonly hookPublishers: string[] = [];

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.busName });
    this.publisherRole = this.limitPublishers(props);

    this.rejectedEvents = encryptedQueue(this, 'RejectedEvents', props.dataKey);
    this.deliveryDlq = encryptedQueue(this, 'DeliveryDlq', props.dataKey);
    Validations.of(this.rejectedEvents).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'Rejected events are parked here for a person to read; nothing consumes this queue, so no DLQ.',
    });
    Validations.of(this.deliveryDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the booking-events rule target.',
    });

    this.handler = new ProjectFunction(this, 'BookingEvents', {
      entry: 'functions/handle-booking-event.ts',
      description: 'Validates a booking event, stores the booking and reconciles its message schedules',
      key: props.key,
      failureQueueKey: props.dataKey,
    });
    // The handler parks events that fail validation here (never drops them).
    this.handler.bindQueueSend(ENV.rejectedEventsQueueUrl, this.rejectedEvents);

    new Rule(this, 'BookingEventsRule', {
      eventBus: this.bus,
      description:
        'Every event on the booking bus: the function rejects (and keeps) what breaks the contract',
      // The bus is ours alone, so the rule takes everything: an unknown source or a misspelt detail-type
      // must reach the handler to be rejected, counted and kept, not vanish at the rule.
      eventPattern: { source: Match.prefix('') },
      targets: [
        new LambdaFunction(this.handler.fn, {
          deadLetterQueue: this.deliveryDlq,
          maxEventAge: props.maxEventAge ?? Duration.hours(6),
          retryAttempts: props.retryAttempts ?? 20,
        }),
      ],
    });
  }

  /**
   * Only the publisher role and the configured principals may put events, and only with the booking
   * sources (DESIGN section 8): explicit denies in the bus policy, so no identity policy in the account
   * (an administrator's included) can publish around them. Operators re-put events as the publisher role.
   */
  private limitPublishers(props: IngestionProps): Role {
    const { publisherAccount, publisherExternalId, principals } = props.publishers;
    const role = new Role(this, 'PublisherRole', {
      description: 'Assumed by the booking system to put booking events on the booking bus',
      assumedBy:
        publisherAccount && publisherExternalId
          ? new AccountPrincipal(publisherAccount).withConditions({
              StringEquals: { 'sts:ExternalId': publisherExternalId },
            })
          : new AccountRootPrincipal(),
    });
    const sources = { 'events:source': [...props.sources] };
    role.addToPolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { StringEquals: sources },
      }),
    );
    Validations.of(role).acknowledge({
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason:
        "The inline policy is the publisher role's whole grant: PutEvents on this bus, booking sources only.",
    });
    const publishers = Lazy.list({ produce: () => [role.roleArn, ...principals, ...this.hookPublishers] });
    if (principals.length > 0) {
      this.bus.addToResourcePolicy(
        new PolicyStatement({
          sid: 'ConfiguredPublishers',
          principals: principals.map((arn) => new ArnPrincipal(arn)),
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: sources },
        }),
      );
    }
    // Everyone else, and every other source, is refused: explicit denies outrank any allow.
    const denyPutEventsUnless = (sid: string, conditions: Record<string, unknown>) =>
      this.bus.addToResourcePolicy(
        new PolicyStatement({
          sid,
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions,
        }),
      );
    denyPutEventsUnless('OnlyPublishers', { ArnNotEquals: { 'aws:PrincipalArn': publishers } });
    denyPutEventsUnless('OnlyBookingSources', {
      StringNotEquals: { 'events:source': [...props.sources, HOOK_EVENT_SOURCE] },
    });
    // The hook source is the webhooks' alone: no booking system can put events in their name.
    denyPutEventsUnless('HookSourceOnlyFromHooks', {
      StringEquals: { 'events:source': HOOK_EVENT_SOURCE },
      ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.hookPublishers }) },
    });
    return role;
  }

  /** Lets the booking webhooks' role put events on the bus, with the hook source only (its own policy says so). */
  admitHookPublisher(role: IRole): void {
    this.hookPublishers.push(role.roleArn);
  }
}
