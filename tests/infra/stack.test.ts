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
import {
  bookingEventsEnvSchema,
  checkinHttpEnvSchema,
  ENV,
  sendMessageEnvSchema,
} from '../../shared/contracts/env';

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

    it('gives the sending functions LINK_BASE_URL = links.baseUrl when it is set', () => {
      for (const fn of [service.ingestion.handler, service.messaging.sendFunction]) {
        expect(functionProps(fn).Environment.Variables[ENV.linkBaseUrl]).toBe(config.links.baseUrl);
      }
    });

    it('falls back to the check-in API endpoint for LINK_BASE_URL when links.baseUrl is absent', () => {
      const stacks = defineFollowupApp(newApp(), { ...clinicConfig, links: {} }, OPTIONS);
      const resources = Template.fromStack(stacks.service).toJSON().Resources;
      const apiEndpoint = {
        'Fn::GetAtt': [idOf(stacks.service, stacks.service.checkin.api), 'ApiEndpoint'],
      };
      for (const fn of [stacks.service.ingestion.handler, stacks.service.messaging.sendFunction]) {
        const env = resources[idOf(stacks.service, fn.fn)].Properties.Environment.Variables;
        // ApiEndpoint is `https://<id>.execute-api.<region>.amazonaws.com`, without a trailing slash.
        expect(env[ENV.linkBaseUrl]).toEqual(apiEndpoint);
      }
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
      checkinHttp: { fn: service.checkin.handler, schema: checkinHttpEnvSchema },
    });
    const names = ['bookingEvents', 'sendMessage', 'checkinHttp'] as const;

    it.each(names)('%s runs Node 22 on ARM64 with source maps', (name) => {
      const props = functionProps(functions()[name].fn);
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    });

    it.each(names)('%s gets exactly the env vars its schema in shared/contracts/env.ts parses', (name) => {
      const { fn, schema } = functions()[name];
      const envNames = Object.keys(functionProps(fn).Environment.Variables).filter(
        (key) => key !== 'NODE_OPTIONS',
      );
      expect(envNames.sort()).toEqual(Object.keys(schema.shape).sort());
    });

    it('gives checkinHttp only TABLE_NAME and LINK_SIGNING_SECRET_ARN (plus NODE_OPTIONS)', () => {
      const env = functionProps(service.checkin.handler).Environment.Variables;
      expect(Object.keys(env).sort()).toEqual(['LINK_SIGNING_SECRET_ARN', 'NODE_OPTIONS', 'TABLE_NAME']);
    });

    it.each(names)('%s sends failed async invocations to its encrypted queue after 2 retries', (name) => {
      const { fn } = functions()[name];
      serviceTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: ref(fn.fn),
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: arnOf(fn.failureQueue) } },
      });
    });

    it.each(names)('%s logs to a KMS-encrypted log group with retention', (name) => {
      const { fn } = functions()[name];
      const logGroupId = functionProps(fn).LoggingConfig.LogGroup.Ref as string;
      expect(serviceTemplate.toJSON().Resources[logGroupId].Properties).toMatchObject({
        KmsKeyId: arnOf(service.operationsKey),
        RetentionInDays: 365,
      });
    });
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

    it('lets the check-in function read/write table items and read the link-signing secret, nothing to send or schedule', () => {
      const statements = statementsOf(service.checkin.handler.role);
      const actions = statements.flatMap(actionsOf);
      expect(actions).toEqual(
        expect.arrayContaining([
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'secretsmanager:GetSecretValue',
        ]),
      );
      expect(actions.filter((a) => /^(ses|sns|scheduler|iam|lambda|events):/.test(a))).toEqual([]);
      const secretRead = statements.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
      expect(secretRead).toHaveLength(1);
      // The very secret whose ARN the function is given, and no other.
      const env = functionProps(service.checkin.handler).Environment.Variables;
      expect(secretRead[0]?.Resource).toEqual(env[ENV.linkSigningSecretArn]);
    });

    it('never grants a table scan', () => {
      for (const fn of [service.ingestion.handler, service.messaging.sendFunction, service.checkin.handler]) {
        expect(statementsOf(fn.role).flatMap(actionsOf)).not.toContain('dynamodb:Scan');
      }
    });
  });

  describe('ingestion', () => {
    it('routes every event on the configured bus to the handler, so off-contract events are rejected and kept', () => {
      serviceTemplate.hasResourceProperties('AWS::Events::EventBus', { Name: config.busName });
      serviceTemplate.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: ref(service.ingestion.bus),
        EventPattern: { source: [{ prefix: '' }] },
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

  describe('check-in API', () => {
    const apiRef = () => ref(service.checkin.api);

    it('routes exactly GET and POST /c/{token} and GET /i/{token} to the check-in function (proxy, payload 2.0), with no default route', () => {
      const routes = Object.values(serviceTemplate.findResources('AWS::ApiGatewayV2::Route'));
      expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
        'GET /c/{token}',
        'GET /i/{token}',
        'POST /c/{token}',
      ]);
      const integrations = serviceTemplate.findResources('AWS::ApiGatewayV2::Integration', {
        Properties: {
          ApiId: apiRef(),
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: arnOf(service.checkin.handler.fn),
          PayloadFormatVersion: '2.0',
        },
      });
      expect(Object.keys(integrations)).toHaveLength(1);
      const target = { 'Fn::Join': ['', ['integrations/', { Ref: Object.keys(integrations)[0] }]] };
      for (const route of routes) {
        expect(route.Properties).toMatchObject({ ApiId: apiRef(), Target: target });
      }
    });

    it('lets API Gateway invoke the check-in function only from this API', () => {
      const permissions = Object.values(
        serviceTemplate.findResources('AWS::Lambda::Permission', {
          Properties: { FunctionName: arnOf(service.checkin.handler.fn) },
        }),
      );
      expect(permissions.length).toBeGreaterThan(0);
      for (const permission of permissions) {
        expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
        expect(JSON.stringify(permission.Properties.SourceArn)).toContain(JSON.stringify(apiRef()));
      }
    });

    it('has no CORS configuration (the pages post to themselves)', () => {
      serviceTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'HTTP',
        CorsConfiguration: Match.absent(),
      });
    });

    it('throttles the auto-deployed $default stage at 20 requests per second, burst 40', () => {
      serviceTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        ApiId: apiRef(),
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      });
    });

    it('access-logs the stage as JSON to an encrypted log group, without the path or query string', () => {
      const stages = Object.values(serviceTemplate.findResources('AWS::ApiGatewayV2::Stage'));
      expect(stages).toHaveLength(1);
      const settings = stages[0]?.Properties.AccessLogSettings;
      expect(settings.DestinationArn).toEqual(arnOf(service.checkin.accessLogs));
      const format = JSON.parse(settings.Format) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        ip: '$context.identity.sourceIp',
        latency: '$context.responseLatency',
      });
      // The token in /c/{token} is a credential: routeKey carries the template, never the value.
      for (const variable of Object.values(format)) {
        expect(variable).not.toMatch(/path|querystring|uri/i);
      }
      expect(
        serviceTemplate.toJSON().Resources[idOf(service, service.checkin.accessLogs)].Properties,
      ).toMatchObject({ KmsKeyId: arnOf(service.operationsKey), RetentionInDays: 365 });
    });

    it('outputs the API endpoint', () => {
      serviceTemplate.hasOutput('CheckinApiUrl', {
        Value: { 'Fn::GetAtt': [idOf(service, service.checkin.api), 'ApiEndpoint'] },
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
      for (const fn of [service.ingestion.handler, service.messaging.sendFunction, service.checkin.handler]) {
        serviceTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: ref(fn.fn) }],
          Threshold: 1,
          AlarmActions: [topic()],
        });
      }
    });

    it('alarms on check-in function errors, saying what patients see and what to do first', () => {
      serviceTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${service.stackName}-checkin-errors`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: ref(service.checkin.handler.fn) }],
        AlarmDescription: Match.stringLikeRegexp('crisis resources.*First:'),
      });
    });

    it('alarms on any 5xx of the check-in API within 5 minutes', () => {
      serviceTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${service.stackName}-checkin-api-5xx`,
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
        Dimensions: [{ Name: 'ApiId', Value: ref(service.checkin.api) }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmActions: [topic()],
        AlarmDescription: Match.stringLikeRegexp('unable to submit check-ins.*crisis resources.*First:'),
      });
    });

    it('keeps every alarm description within the 1024 characters CloudWatch accepts', () => {
      for (const [id, alarm] of Object.entries(serviceTemplate.findResources('AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties.AlarmDescription.length, id).toBeLessThanOrEqual(1024);
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
