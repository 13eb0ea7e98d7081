import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json';
import clinicConfig from '../../config/clinic';
import type { ProjectFunction } from '../../infra/cdk/constructs/project-function';
import { defineFollowupApp } from '../../infra/cdk/followup-app';
import { ClinicConfigError } from '../../shared/contracts/clinic-config';
import { bookingEventsEnvSchema, sendMessageEnvSchema } from '../../shared/contracts/env';

const OPTIONS = { env: { account: '123456789012', region: 'us-east-1' } };

/** cdk.json's feature flags (a bare `new App()` ignores cdk.json), without bundling the functions. */
function newApp(): App {
  return new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const app = newApp();
const { config, data, service } = defineFollowupApp(app, clinicConfig, OPTIONS);
let dataTemplate: Template;
let serviceTemplate: Template;

beforeAll(() => {
  dataTemplate = Template.fromStack(data);
  serviceTemplate = Template.fromStack(service);
});

function idOf(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
}
const ref = (construct: IConstruct) => ({ Ref: idOf(service, construct) });
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [idOf(service, construct), 'Arn'] });

/** Every statement of the role's policies (CDK puts grants in one default policy per role). */
function statementsOf(role: IConstruct): Statement[] {
  const policies = serviceTemplate.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([ref(role)]) },
  });
  return Object.values(policies).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
  );
}
const actionsOf = (statement: Statement) => [statement.Action].flat();
const functionProps = (fn: ProjectFunction) =>
  serviceTemplate.toJSON().Resources[idOf(service, fn.fn)].Properties;

describe('followup app', () => {
  describe('defineFollowupApp', () => {
    it('synthesises with the AwsSolutions and HIPAA.Security packs reporting no unacknowledged finding', () => {
      // A violation makes synth throw (in-memory app) and lands in validation-report.json.
      const assembly = app.synth();
      const report = JSON.parse(
        readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
      );
      expect(report.pluginReports).toEqual([]);
      for (const pack of [new AwsSolutionsChecks(), new HIPAASecurityChecks()]) {
        const findings = pack
          .validateScope(app)
          .violations.map(
            (v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
          );
        expect(findings).toEqual([]);
      }
    });

    it('fails the synth on a finding nobody acknowledged', () => {
      const probeApp = newApp();
      const stacks = defineFollowupApp(probeApp, clinicConfig, OPTIONS);
      new Queue(stacks.service, 'UnencryptedProbe', { encryption: QueueEncryption.UNENCRYPTED });
      expect(() => probeApp.synth()).toThrow(/AwsSolutions-SQS4/);
    });

    it('rejects a bad config with an error naming the field', () => {
      const bad = { ...clinicConfig, busName: 'clinic bookings' };
      const error = (() => {
        try {
          defineFollowupApp(newApp(), bad, OPTIONS);
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(ClinicConfigError);
      expect((error as ClinicConfigError).errors.map((e) => e.field)).toEqual(['busName']);
      expect((error as Error).message).toMatch(/busName/);
    });

    it('requires links.baseUrl, the base of every patient link', () => {
      const noBaseUrl = { ...clinicConfig, links: {} };
      expect(() => defineFollowupApp(newApp(), noBaseUrl, OPTIONS)).toThrow(/links\.baseUrl/);
    });
  });

  describe('data stack', () => {
    it('keeps one pk/sk table with PITR, the data key, deletion protection, no TTL, retained', () => {
      dataTemplate.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          SSESpecification: {
            SSEEnabled: true,
            SSEType: 'KMS',
            KMSMasterKeyId: { 'Fn::GetAtt': [idOf(data, data.key), 'Arn'] },
          },
          TimeToLiveSpecification: Match.absent(),
        },
      });
    });

    it('rotates the data key and retains it', () => {
      dataTemplate.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Retain',
        Properties: { EnableKeyRotation: true },
      });
    });

    it('backs the table up in a vault encrypted with the data key', () => {
      dataTemplate.hasResourceProperties('AWS::Backup::BackupSelection', {
        BackupSelection: { Resources: [{ 'Fn::GetAtt': [idOf(data, data.table), 'Arn'] }] },
      });
      dataTemplate.hasResourceProperties('AWS::Backup::BackupVault', {
        EncryptionKeyArn: { 'Fn::GetAtt': [idOf(data, data.key), 'Arn'] },
      });
    });

    it('generates the link-signing key, encrypted with the data key, retained', () => {
      dataTemplate.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        Properties: {
          KmsKeyId: { 'Fn::GetAtt': [idOf(data, data.key), 'Arn'] },
          GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
        },
      });
    });
  });

  describe('functions', () => {
    const functions = () => ({
      bookingEvents: {
        fn: service.ingestion.handler,
        schema: bookingEventsEnvSchema,
      },
      sendMessage: { fn: service.messaging.sendFunction, schema: sendMessageEnvSchema },
    });

    it.each(['bookingEvents', 'sendMessage'] as const)(
      '%s runs Node 22 on ARM64 with source maps',
      (name) => {
        const props = functionProps(functions()[name].fn);
        expect(props.Runtime).toBe('nodejs22.x');
        expect(props.Architectures).toEqual(['arm64']);
        expect(props.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      },
    );

    it.each(['bookingEvents', 'sendMessage'] as const)(
      '%s gets exactly the env vars its schema in shared/contracts/env.ts parses',
      (name) => {
        const { fn, schema } = functions()[name];
        const names = Object.keys(functionProps(fn).Environment.Variables).filter(
          (key) => key !== 'NODE_OPTIONS',
        );
        expect(names.sort()).toEqual(Object.keys(schema.shape).sort());
      },
    );

    it.each(['bookingEvents', 'sendMessage'] as const)(
      '%s sends failed async invocations to its encrypted queue after 2 retries',
      (name) => {
        const { fn } = functions()[name];
        serviceTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          FunctionName: ref(fn.fn),
          MaximumRetryAttempts: 2,
          DestinationConfig: { OnFailure: { Destination: arnOf(fn.failureQueue) } },
        });
      },
    );

    it.each(['bookingEvents', 'sendMessage'] as const)(
      '%s logs to a KMS-encrypted log group with retention',
      (name) => {
        const { fn } = functions()[name];
        const logGroupId = functionProps(fn).LoggingConfig.LogGroup.Ref as string;
        expect(serviceTemplate.toJSON().Resources[logGroupId].Properties).toMatchObject({
          KmsKeyId: arnOf(service.operationsKey),
          RetentionInDays: 365,
        });
      },
    );
  });

  describe('least privilege', () => {
    const group = () => service.messaging.scheduleGroupName;

    it('lets booking-events create/update/delete schedules only in its group and pass only the scheduler role', () => {
      const statements = statementsOf(service.ingestion.handler.role);
      const scheduling = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('scheduler:')));
      expect(scheduling).toEqual([
        {
          Effect: 'Allow',
          Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'],
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':scheduler:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                `:schedule/${group()}/*`,
              ],
            ],
          },
        },
      ]);
      expect(statements.filter((s) => actionsOf(s).includes('iam:PassRole'))).toEqual([
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: arnOf(service.messaging.schedulerRole),
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ]);
    });

    it('gives send-message no scheduler, PassRole or invoke permission', () => {
      const actions = statementsOf(service.messaging.sendFunction.role).flatMap(actionsOf);
      expect(actions.filter((a) => /^(scheduler:|iam:|lambda:)/.test(a))).toEqual([]);
    });

    it('lets the scheduler role only invoke the send function and park failures in the schedule DLQ', () => {
      const role = service.messaging.schedulerRole;
      expect(statementsOf(role)).toEqual([
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: arnOf(service.messaging.sendFunction.fn),
        },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(service.messaging.scheduleDlq) },
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: arnOf(service.operationsKey),
        },
      ]);
      serviceTemplate.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { Service: 'scheduler.amazonaws.com' },
              Condition: {
                StringEquals: {
                  'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                  'aws:SourceArn': arnOf(service.messaging.scheduleGroup),
                },
              },
            },
          ],
        },
      });
    });

    it.each(['ingestion', 'messaging'] as const)(
      'lets the %s function send email only as the clinic sender',
      (name) => {
        const fn = name === 'ingestion' ? service.ingestion.handler : service.messaging.sendFunction;
        const statements = statementsOf(fn.role).filter((s) => actionsOf(s).includes('ses:SendEmail'));
        expect(statements).toHaveLength(1);
        const resources = JSON.stringify(statements[0]?.Resource);
        expect(resources).toContain(`:identity/${config.sender.email}`);
        expect(resources).toContain(':configuration-set/');
        expect(resources).not.toContain('"*"');
      },
    );

    it('never grants a table scan', () => {
      for (const fn of [service.ingestion.handler, service.messaging.sendFunction]) {
        expect(statementsOf(fn.role).flatMap(actionsOf)).not.toContain('dynamodb:Scan');
      }
    });
  });

  describe('ingestion', () => {
    it('routes the four booking detail-types from the configured sources on the configured bus', () => {
      serviceTemplate.hasResourceProperties('AWS::Events::EventBus', { Name: config.busName });
      serviceTemplate.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: ref(service.ingestion.bus),
        EventPattern: {
          source: config.bookingSources,
          'detail-type': ['Booking Created', 'Booking Rescheduled', 'Booking Cancelled', 'Session Completed'],
        },
      });
    });

    it('gives the rule target a DLQ and a retry policy', () => {
      serviceTemplate.hasResourceProperties('AWS::Events::Rule', {
        Targets: [
          Match.objectLike({
            Arn: arnOf(service.ingestion.handler.fn),
            DeadLetterConfig: { Arn: arnOf(service.ingestion.deliveryDlq) },
            RetryPolicy: { MaximumEventAgeInSeconds: 6 * 3600, MaximumRetryAttempts: 20 },
          }),
        ],
      });
    });
  });

  describe('encryption at rest and in transit', () => {
    it('encrypts every queue with a KMS key, keeps messages 14 days and denies non-TLS access', () => {
      const queues = serviceTemplate.findResources('AWS::SQS::Queue');
      expect(Object.keys(queues).length).toBeGreaterThan(0);
      for (const [id, queue] of Object.entries(queues)) {
        expect(queue.Properties.KmsMasterKeyId, id).toEqual(arnOf(service.operationsKey));
        expect(queue.Properties.MessageRetentionPeriod, id).toBe(14 * 24 * 3600);
        serviceTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });

    it('encrypts every log group and the alarm topic with a KMS key', () => {
      for (const [id, logGroup] of Object.entries(serviceTemplate.findResources('AWS::Logs::LogGroup'))) {
        expect(logGroup.Properties.KmsKeyId, id).toEqual(arnOf(service.operationsKey));
      }
      serviceTemplate.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: arnOf(service.operationsKey),
      });
    });
  });

  describe('alarms', () => {
    const topic = () => ref(service.operations.topic);

    it('alarms on every queue of failures as soon as one message is visible', () => {
      const queues = [
        service.ingestion.deliveryDlq,
        service.ingestion.rejectedEvents,
        service.ingestion.handler.failureQueue,
        service.messaging.scheduleDlq,
        service.messaging.sendFunction.failureQueue,
      ];
      for (const queue of queues) {
        serviceTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(service, queue), 'QueueName'] } }],
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 1,
          AlarmActions: [topic()],
          AlarmDescription: Match.stringLikeRegexp('First:'),
        });
      }
    });

    it('alarms on the errors of each function', () => {
      for (const fn of [service.ingestion.handler, service.messaging.sendFunction]) {
        serviceTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: ref(fn.fn) }],
          Threshold: 1,
          AlarmActions: [topic()],
        });
      }
    });

    it('lets only our alarms publish to the encrypted topic', () => {
      serviceTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [topic()],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Condition: Match.objectLike({
                ArnLike: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
              }),
            }),
          ]),
        },
      });
    });

    it('subscribes operations.alarmEmail to the alarm topic', () => {
      const withEmail = { ...clinicConfig, operations: { alarmEmail: 'ops@example-clinic.org' } };
      const stacks = defineFollowupApp(newApp(), withEmail, OPTIONS);
      Template.fromStack(stacks.service).hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example-clinic.org',
      });
    });
  });
});
