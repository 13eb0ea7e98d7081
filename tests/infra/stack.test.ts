import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json';
import clinicConfig from '../../config/clinic';
import { BUNDLED_CONFIG_CONTEXT, BUNDLED_CONFIG_GLOBAL } from '../../infra/bundled-config';
import { FUNCTION_TAG, type ProjectFunction } from '../../infra/cdk/constructs/project-function';
import { controlTowerFailures } from '../../infra/cdk/control-tower';
import { DELIBERATE_CHOICES } from '../../infra/cdk/deliberate-choices';
import { defineFollowupApp } from '../../infra/cdk/followup-app';
import {
  allowedActions,
  FUNCTION_NAMES,
  type FunctionName,
  TABLE_ACCESS,
} from '../../infra/function-permissions';
import {
  DELIVERY_INDEX,
  DELIVERY_INDEX_ATTRIBUTES,
  LIST_INDEX,
  PATIENT_INDEX,
  SESSION_TTL_ATTRIBUTE,
  WORK_INDEX,
} from '../../shared/adapters/dynamodb/client';
import { HOOK_EVENT_SOURCE } from '../../shared/contracts/booking-events';
import { ClinicConfigError } from '../../shared/contracts/clinic-config';
import {
  bookingEventsEnvSchema,
  bookingHooksEnvSchema,
  checkinHttpEnvSchema,
  deliveryEventsEnvSchema,
  dispatchAlertsEnvSchema,
  ENV,
  patientTextsEnvSchema,
  recipientCheckEnvSchema,
  reviewDigestEnvSchema,
  sendMessageEnvSchema,
} from '../../shared/contracts/env';
import { METRICS_NAMESPACE } from '../../shared/contracts/metrics';
import { ROUTE_BUDGETS } from '../../shared/contracts/route-budgets';

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
  Principal?: unknown;
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
const resourcesOf = (statement: Statement) => [statement.Resource].flat();
const functionProps = (fn: ProjectFunction) =>
  serviceTemplate.toJSON().Resources[idOf(service, fn.fn)].Properties;
/** Every function of the service, so a new one cannot slip past the checks that apply to all. */
const allFunctions = () => [
  service.ingestion.handler,
  service.messaging.sendFunction,
  service.checkin.handler,
  service.alerts.dispatchFunction,
  service.alerts.digestFunction,
  service.alerts.recipientCheckFunction,
  service.console.handler,
  service.linkKeyRotation.handler,
  service.deliveryEvents.handler,
  service.patientTexts.handler,
  service.hooks.handler,
];
/** `arn:<partition>:scheduler:<region>:<account>:schedule/<group>/*`, as the stack renders it. */
const schedulesIn = (group: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':scheduler:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:schedule/${group}/*`,
    ],
  ],
});
/** The clinic config with staff contacts on both topics (SMS too, one listed twice) and another digest time. */
const staffConfig = {
  ...clinicConfig,
  clinic: { ...clinicConfig.clinic, timeZone: 'America/Los_Angeles' },
  staff: {
    ...clinicConfig.staff,
    alertEmails: ['on-call@example-clinic.org', 'nurse@example-clinic.org', 'on-call@example-clinic.org'],
    alertSms: ['+15555550101', '+15555550102'],
    escalationEmails: ['clinical-lead@example-clinic.org'],
    escalationSms: ['+15555550199'],
    digestTime: '17:05',
  },
};

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

    it.each([
      ['staff.alertEmails', { alertEmails: [], alertSms: [] }],
      ['staff.escalationEmails', { escalationEmails: [], escalationSms: [] }],
    ])('refuses to deploy without any %s (or SMS) recipient: alerts would reach nobody', (field, staff) => {
      const bad = { ...clinicConfig, staff: { ...clinicConfig.staff, ...staff } };
      const error = (() => {
        try {
          defineFollowupApp(newApp(), bad, OPTIONS);
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(ClinicConfigError);
      expect((error as ClinicConfigError).errors.map((e) => e.field)).toEqual([field]);
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

    it('gives the functions that make links LINK_BASE_URL = links.baseUrl when it is set', () => {
      for (const fn of [
        service.ingestion.handler,
        service.messaging.sendFunction,
        service.alerts.dispatchFunction,
        service.alerts.digestFunction,
      ]) {
        expect(functionProps(fn).Environment.Variables[ENV.linkBaseUrl]).toBe(config.links.baseUrl);
      }
    });

    it('falls back to the check-in API endpoint for LINK_BASE_URL when links.baseUrl is absent', () => {
      const stacks = defineFollowupApp(newApp(), { ...clinicConfig, links: {} }, OPTIONS);
      const resources = Template.fromStack(stacks.service).toJSON().Resources;
      const apiEndpoint = {
        'Fn::GetAtt': [idOf(stacks.service, stacks.service.checkin.api), 'ApiEndpoint'],
      };
      for (const fn of [
        stacks.service.ingestion.handler,
        stacks.service.messaging.sendFunction,
        stacks.service.alerts.dispatchFunction,
        stacks.service.alerts.digestFunction,
      ]) {
        const env = resources[idOf(stacks.service, fn.fn)].Properties.Environment.Variables;
        // ApiEndpoint is `https://<id>.execute-api.<region>.amazonaws.com`, without a trailing slash.
        expect(env[ENV.linkBaseUrl]).toEqual(apiEndpoint);
      }
    });
  });

  describe('data stack', () => {
    it('keeps one pk/sk table with PITR, the data key, deletion protection, TTL for sessions only, retained', () => {
      // The logical id stays the one deployed: a new id would create a second, empty table.
      expect(idOf(data, data.table)).toBe('TableCD117FA1');
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
            { AttributeName: 'workKey', AttributeType: 'S' },
            { AttributeName: 'workAt', AttributeType: 'S' },
            { AttributeName: 'listKey', AttributeType: 'S' },
            { AttributeName: 'listAt', AttributeType: 'S' },
            { AttributeName: 'patientKey', AttributeType: 'S' },
            { AttributeName: 'patientAt', AttributeType: 'S' },
            { AttributeName: 'deliveryId', AttributeType: 'S' },
          ],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          SSESpecification: {
            SSEEnabled: true,
            SSEType: 'KMS',
            KMSMasterKeyId: { 'Fn::GetAtt': [idOf(data, data.key), 'Arn'] },
          },
          TimeToLiveSpecification: { AttributeName: SESSION_TTL_ATTRIBUTE, Enabled: true },
        },
      });
    });

    it('has the sparse work index, the console list index, the by-patient index (all attributes), the delivery index (what names a message), and no local index', () => {
      dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: [
          {
            IndexName: WORK_INDEX,
            KeySchema: [
              { AttributeName: 'workKey', KeyType: 'HASH' },
              { AttributeName: 'workAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: LIST_INDEX,
            KeySchema: [
              { AttributeName: 'listKey', KeyType: 'HASH' },
              { AttributeName: 'listAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: PATIENT_INDEX,
            KeySchema: [
              { AttributeName: 'patientKey', KeyType: 'HASH' },
              { AttributeName: 'patientAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: DELIVERY_INDEX,
            KeySchema: [{ AttributeName: 'deliveryId', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: DELIVERY_INDEX_ATTRIBUTES },
          },
        ],
        LocalSecondaryIndexes: Match.absent(),
      });
      expect([WORK_INDEX, LIST_INDEX, PATIENT_INDEX, DELIVERY_INDEX]).toEqual([
        'work-by-time',
        'list-by-time',
        'by-patient',
        'by-delivery',
      ]);
    });

    it('streams new images (what the alert function filters on)', () => {
      dataTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      });
    });

    it('keeps administering each key apart from using it, which goes only through the services that hold data', () => {
      const keys = [
        ...Object.values(dataTemplate.findResources('AWS::KMS::Key')),
        ...Object.values(serviceTemplate.findResources('AWS::KMS::Key')),
      ];
      expect(keys).toHaveLength(2);
      for (const key of keys) {
        const statements = key.Properties.KeyPolicy.Statement as (Statement & { Sid?: string })[];
        const admin = statements.find((s) => s.Sid === 'Administer');
        expect(
          actionsOf(admin as Statement).filter((a) =>
            /Encrypt|Decrypt|GenerateDataKey|CreateGrant|kms:\*/.test(a),
          ),
        ).toEqual([]);
        const use = statements.find((s) => s.Sid === 'UseThroughServices');
        expect(JSON.stringify(use?.Condition)).toContain('kms:ViaService');
        // Nothing else may use the key without a condition of its own.
        for (const statement of statements.filter((s) => s.Effect === 'Allow' && s.Sid !== 'Administer')) {
          expect(statement.Condition, JSON.stringify(statement)).toBeDefined();
        }
      }
    });

    it("lets CloudWatch Logs use the operations key for this stack's log groups only, and EventBridge the data key for the bus's rules only", () => {
      const opsKey = serviceTemplate.toJSON().Resources[idOf(service, service.operationsKey)];
      const logs = JSON.stringify(
        opsKey.Properties.KeyPolicy.Statement.find((s: { Principal?: { Service?: unknown } }) =>
          JSON.stringify(s.Principal).includes('logs.'),
        ),
      );
      expect(logs).toContain(`:log-group:${service.stackName}-*`);
      const dataKey = Object.values(dataTemplate.findResources('AWS::KMS::Key'))[0];
      const events = JSON.stringify(
        dataKey?.Properties.KeyPolicy.Statement.find(
          (s: { Principal?: { Service?: unknown } }) => s.Principal?.Service === 'events.amazonaws.com',
        ),
      );
      expect(events).toContain(`:rule/${config.busName}/*`);
      // The SES delivery-events rule on the default bus, by its exact name (no pattern another bus's rule matches).
      expect(events).toContain(`:rule/${config.busName}-ses-delivery-events"`);
      expect(events).not.toContain(`:rule/${config.busName}-*`);
      expect(JSON.stringify(opsKey.Properties.KeyPolicy)).not.toContain('events.amazonaws.com');
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
      dispatchAlerts: { fn: service.alerts.dispatchFunction, schema: dispatchAlertsEnvSchema },
      reviewDigest: { fn: service.alerts.digestFunction, schema: reviewDigestEnvSchema },
      recipientCheck: { fn: service.alerts.recipientCheckFunction, schema: recipientCheckEnvSchema },
      deliveryEvents: { fn: service.deliveryEvents.handler, schema: deliveryEventsEnvSchema },
      patientTexts: { fn: service.patientTexts.handler, schema: patientTextsEnvSchema },
      bookingHooks: { fn: service.hooks.handler, schema: bookingHooksEnvSchema },
    });
    const names = [
      'bookingEvents',
      'sendMessage',
      'checkinHttp',
      'dispatchAlerts',
      'reviewDigest',
      'recipientCheck',
      'deliveryEvents',
      'patientTexts',
      'bookingHooks',
    ] as const;

    it('covers every function of the stack', () => {
      expect(Object.keys(serviceTemplate.findResources('AWS::Lambda::Function')).sort()).toEqual(
        allFunctions()
          .map((fn) => idOf(service, fn.fn))
          .sort(),
      );
    });

    it.each(names)('%s runs Node 22 on ARM64 without runtime source maps', (name) => {
      const props = functionProps(functions()[name].fn);
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    });

    it.each(names)('%s gets exactly the env vars its schema in shared/contracts/env.ts parses', (name) => {
      const { fn, schema } = functions()[name];
      const envNames = Object.keys(functionProps(fn).Environment.Variables);
      expect(envNames.sort()).toEqual(Object.keys(schema.shape).sort());
    });

    it('gives checkinHttp the table, the link key, and SES and the console URL for a readiness notice, nothing more', () => {
      const env = functionProps(service.checkin.handler).Environment.Variables;
      expect(Object.keys(env).sort()).toEqual([
        'LINK_BASE_URL',
        'LINK_SIGNING_SECRET_ARN',
        'SES_CONFIGURATION_SET',
        'TABLE_NAME',
      ]);
    });

    it('gives dispatch-alerts the TLS-required configuration set, the alert schedule group, the scheduler role, the schedule DLQ and its own ARN', () => {
      const props = functionProps(service.alerts.dispatchFunction);
      const env = props.Environment.Variables;
      expect(env).toMatchObject({
        [ENV.sesConfigurationSet]: ref(service.messaging.configurationSet),
        [ENV.scheduleGroup]: service.alerts.scheduleGroupName,
        [ENV.schedulerRoleArn]: arnOf(service.messaging.schedulerRole),
        [ENV.scheduleDlqArn]: arnOf(service.messaging.scheduleDlq),
      });
      // Its own ARN, built from its fixed name: `functionArn` here would be a circular reference.
      expect(props.FunctionName).toBe(`${service.stackName}-dispatch-alerts`);
      const { account, region } = OPTIONS.env;
      expect(env[ENV.alertFunctionArn]).toBe(
        `arn:aws:lambda:${region}:${account}:function:${props.FunctionName}`,
      );
    });

    it('reserves concurrency for dispatch-alerts only, so nothing else can starve the alert path', () => {
      expect(functionProps(service.alerts.dispatchFunction).ReservedConcurrentExecutions).toBe(3);
      for (const fn of allFunctions().filter((f) => f !== service.alerts.dispatchFunction)) {
        expect(functionProps(fn).ReservedConcurrentExecutions, fn.node.path).toBeUndefined();
      }
    });

    it('gives send-review-digest the SES configuration set', () => {
      expect(
        functionProps(service.alerts.digestFunction).Environment.Variables[ENV.sesConfigurationSet],
      ).toEqual(ref(service.messaging.configurationSet));
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

  describe('the clinic config in the bundles', () => {
    it('carries the config as synth validated it, so a cold start reads it instead of parsing it', () => {
      const encoded = app.node.tryGetContext(BUNDLED_CONFIG_CONTEXT) as string;
      const decoded = JSON.parse(Buffer.from(JSON.parse(encoded) as string, 'base64').toString('utf8'));
      expect(decoded).toEqual(config);
      // Only letters, digits, + / = inside the quotes: nothing a shell or esbuild's --define could misread.
      expect(encoded).toMatch(/^"[A-Za-z0-9+/=]+"$/);
      expect(BUNDLED_CONFIG_GLOBAL).toBe('__CLINIC_CONFIG_JSON__');
    });
  });

  describe('AWS Control Tower proactive controls', () => {
    /** The templates as files, as cfn-guard reads them. */
    const templateFiles = (...templates: Template[]) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'controls-'));
      return templates.map((template, index) => {
        const file = path.join(dir, `stack-${index}.template.json`);
        writeFileSync(file, JSON.stringify(template.toJSON()));
        return file;
      });
    };

    it('are met by both stacks, but for the deliberate choices', () => {
      expect(controlTowerFailures(templateFiles(dataTemplate, serviceTemplate))).toEqual([]);
    });

    it('are departed from only as README "Deliberate choices" says, each on the resources it names', () => {
      const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
      const section = readme.slice(readme.indexOf('## Deliberate choices'));
      expect(section.length).toBeGreaterThan(100);
      const resources = Object.values(serviceTemplate.toJSON().Resources) as {
        Type: string;
        Metadata?: { guard?: { SuppressedRules?: string[] } };
      }[];
      for (const [name, choice] of Object.entries(DELIBERATE_CHOICES)) {
        expect(section, name).toContain(choice.control);
        // The edge's own choices are on its distribution (tests/infra/edge.test.ts).
        if ('edgeOnly' in choice) continue;
        const departing = resources.filter((r) =>
          r.Metadata?.guard?.SuppressedRules?.includes(choice.guardRule),
        );
        expect(departing.length, name).toBeGreaterThan(0);
        const types = new Set(departing.map((r) => r.Type));
        expect([...types], name).toEqual([
          name === 'outside-vpc' ? 'AWS::Lambda::Function' : 'AWS::ApiGatewayV2::Route',
        ]);
      }
    });

    it('catch a queue that neither has nor is a dead-letter queue, and a key open to any grant', () => {
      const stack = new Stack(newApp(), 'Loose', OPTIONS);
      new Queue(stack, 'Queue', { encryption: QueueEncryption.KMS_MANAGED });
      new Key(stack, 'Key');
      const rules = controlTowerFailures(templateFiles(Template.fromStack(stack))).map((f) => f.rule);
      expect(rules).toEqual(expect.arrayContaining(['sqs_dlq_check', 'kms_create_grant_aws_service_check']));
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

    it('lets the scheduler role invoke exactly send-message, dispatch-alerts, send-review-digest and check-staff-recipients, and park failures in the schedule DLQ', () => {
      const role = service.messaging.schedulerRole;
      const statements = statementsOf(role);
      const invoke = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
      expect(invoke).toHaveLength(1);
      expect(actionsOf(invoke[0] as Statement)).toEqual(['lambda:InvokeFunction']);
      expect(resourcesOf(invoke[0] as Statement)).toEqual(
        expect.arrayContaining([
          arnOf(service.messaging.sendFunction.fn),
          arnOf(service.alerts.dispatchFunction.fn),
          arnOf(service.alerts.digestFunction.fn),
          arnOf(service.alerts.recipientCheckFunction.fn),
        ]),
      );
      expect(resourcesOf(invoke[0] as Statement)).toHaveLength(4);
      expect(statements.filter((s) => s !== invoke[0])).toEqual([
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(service.messaging.scheduleDlq) },
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: arnOf(service.operationsKey),
          Condition: {
            StringEquals: {
              'kms:ViaService': { 'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
            },
          },
        },
      ]);
    });

    it('lets only schedules of our three groups (messages, alerts, recurring) of this account assume the scheduler role', () => {
      const role = serviceTemplate.toJSON().Resources[idOf(service, service.messaging.schedulerRole)];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': { Ref: 'AWS::AccountId' },
              'aws:SourceArn': [
                arnOf(service.messaging.scheduleGroup),
                arnOf(service.alerts.scheduleGroup),
                arnOf(service.alerts.recurringScheduleGroup),
              ],
            },
          },
        },
      ]);
    });

    it.each(['ingestion', 'messaging', 'digest', 'alerts'] as const)(
      'lets the %s function send email only as the clinic sender',
      (name) => {
        const fn = {
          ingestion: service.ingestion.handler,
          messaging: service.messaging.sendFunction,
          digest: service.alerts.digestFunction,
          alerts: service.alerts.dispatchFunction,
        }[name];
        const statements = statementsOf(fn.role).filter((s) => actionsOf(s).includes('ses:SendEmail'));
        expect(statements).toHaveLength(1);
        const resources = JSON.stringify(statements[0]?.Resource);
        expect(resources).toContain(`:identity/${config.sender.email}`);
        expect(resources).toContain(':configuration-set/');
        expect(resources).not.toContain('"*"');
      },
    );

    it('gives send-review-digest no SMS, topic, scheduler, PassRole or invoke permission', () => {
      const actions = statementsOf(service.alerts.digestFunction.role).flatMap(actionsOf);
      expect(actions.filter((a) => /^(sns|scheduler|iam|lambda|events):/.test(a))).toEqual([]);
    });

    it('lets the check-in function read/write table items, read the link-signing secret and email the desk, nothing else to send or schedule', () => {
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
      // A readiness answer that worries is emailed to the front desk: SES through the configuration set only.
      expect(actions.filter((a) => /^(ses|sns|iam|lambda|events|sms-voice):/.test(a))).toEqual([
        'ses:SendEmail',
      ]);
      const secretRead = statements.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
      expect(secretRead).toHaveLength(1);
      // The very secret whose ARN the function is given, and no other.
      const env = functionProps(service.checkin.handler).Environment.Variables;
      expect(secretRead[0]?.Resource).toEqual(env[ENV.linkSigningSecretArn]);
      // Staff act in the console now: the check-in function touches no schedule.
      expect(actions.filter((a) => a.startsWith('scheduler:'))).toEqual([]);
    });

    it('lets the console delete alert escalation schedules only, and read its own secret only', () => {
      const statements = statementsOf(service.console.handler.role);
      expect(statements.filter((s) => actionsOf(s).some((a) => a.startsWith('scheduler:')))).toEqual([
        {
          Effect: 'Allow',
          Action: 'scheduler:DeleteSchedule',
          Resource: schedulesIn(service.alerts.scheduleGroupName),
        },
      ]);
      expect(statements.flatMap(actionsOf).filter((a) => /^(ses|sns|iam|lambda|events):/.test(a))).toEqual(
        [],
      );
    });

    it('never grants a table scan, and no function gets a wildcard resource but the stream reader', () => {
      for (const fn of allFunctions()) {
        const statements = statementsOf(fn.role);
        expect(statements.flatMap(actionsOf), fn.node.path).not.toContain('dynamodb:Scan');
        const wildcard = statements.filter((s) => resourcesOf(s).includes('*')).flatMap(actionsOf);
        const allowed = {
          [service.alerts.dispatchFunction.node.path]: ['dynamodb:ListStreams'],
          // Account-wide reads with no resource type: suppression list, sending state, the SMS sandbox.
          [service.alerts.recipientCheckFunction.node.path]: [
            'ses:GetAccount',
            'ses:GetSuppressedDestination',
            'sms-voice:DescribeAccountAttributes',
            'sms-voice:DescribeVerifiedDestinationNumbers',
          ],
        }[fn.node.path];
        expect(wildcard, fn.node.path).toEqual(allowed ?? []);
      }
    });

    it('denies every role changing or deleting audit items, and all but the console writing them', () => {
      // A role with no table access at all (the key rotation) has nothing to deny.
      for (const fn of allFunctions().filter((f) => TABLE_ACCESS[f.name].items.length > 0)) {
        const denies = statementsOf(fn.role).filter(
          (s) => (s as { Effect?: string }).Effect === 'Deny' && JSON.stringify(s).includes('AUDIT#*'),
        );
        expect(denies, fn.node.path).toHaveLength(1);
        const [deny] = denies;
        const actions = actionsOf(deny as Statement);
        for (const action of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
          expect(actions, `${fn.node.path} ${action}`).toContain(action);
        }
        expect(actions.includes('dynamodb:PutItem'), fn.node.path).toBe(fn !== service.console.handler);
        expect((deny as { Condition?: unknown }).Condition).toEqual({
          'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] },
        });
      }
    });

    it('lets each function query only the indexes it reads, each by its own ARN', () => {
      const expected = new Map<ProjectFunction, string[]>([
        [service.alerts.dispatchFunction, [WORK_INDEX]],
        [service.alerts.digestFunction, [WORK_INDEX, LIST_INDEX]],
        [service.console.handler, [LIST_INDEX, PATIENT_INDEX]],
        [service.messaging.sendFunction, [LIST_INDEX]],
        [service.ingestion.handler, [LIST_INDEX]],
        [service.deliveryEvents.handler, [DELIVERY_INDEX, LIST_INDEX]],
        [service.patientTexts.handler, [LIST_INDEX]],
      ]);
      for (const fn of allFunctions()) {
        const indexQueries = statementsOf(fn.role).filter((s) =>
          JSON.stringify(s.Resource).includes('/index/'),
        );
        const indexes = expected.get(fn) ?? [];
        expect(indexQueries.length, fn.node.path).toBe(indexes.length > 0 ? 1 : 0);
        for (const statement of indexQueries) {
          expect(statement.Action).toBe('dynamodb:Query');
          const resources = JSON.stringify(statement.Resource);
          for (const index of indexes) expect(resources).toContain(`"/index/${index}"`);
          expect(resources.match(/\/index\//g)?.length).toBe(indexes.length);
        }
      }
    });

    it('names the source ARN and this account in every Lambda permission', () => {
      const permissions = Object.values(serviceTemplate.findResources('AWS::Lambda::Permission'));
      expect(permissions.length).toBeGreaterThan(5);
      for (const permission of permissions) {
        expect(permission.Properties.SourceArn).toBeDefined();
        expect(permission.Properties.SourceAccount).toBe(OPTIONS.env.account);
      }
    });

    describe('per function, from infra/function-permissions.ts', () => {
      /** The function each role serves, from the tag ProjectFunction puts on it. */
      const roleOf = (name: FunctionName) => {
        const fn = allFunctions().find((f) => f.name === name);
        if (!fn) throw new Error(`no function ${name}`);
        expect(serviceTemplate.toJSON().Resources[idOf(service, fn.role)].Properties.Tags).toEqual(
          expect.arrayContaining([{ Key: FUNCTION_TAG, Value: name }]),
        );
        return fn.role;
      };

      it('names every function of the stack in the table', () => {
        expect(
          allFunctions()
            .map((fn) => fn.name)
            .sort(),
        ).toEqual([...FUNCTION_NAMES].sort());
      });

      it.each(FUNCTION_NAMES)('allows %s exactly the actions its rows derive, no other', (name) => {
        const allowed = statementsOf(roleOf(name))
          .filter((s) => s.Effect === 'Allow')
          .flatMap(actionsOf);
        expect([...new Set(allowed)].sort()).toEqual([...allowedActions(name)].sort());
      });

      it.each(FUNCTION_NAMES)('scopes each of %s’s table grants to its partitions', (name) => {
        const itemStatements = statementsOf(roleOf(name)).filter(
          (s) =>
            s.Effect === 'Allow' &&
            actionsOf(s).some((a) => a.startsWith('dynamodb:')) &&
            !JSON.stringify(s.Resource).includes('/index/') &&
            !JSON.stringify(s.Resource).includes('StreamArn') &&
            !resourcesOf(s).includes('*'),
        );
        expect(itemStatements.map((s) => ({ actions: actionsOf(s).sort(), condition: s.Condition }))).toEqual(
          TABLE_ACCESS[name].items.map((grant) => ({
            actions: grant.actions.map((a) => `dynamodb:${a}`).sort(),
            condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${grant.partition}*`] } },
          })),
        );
      });

      it.each(FUNCTION_NAMES)('lets %s use a key only through the service that holds the data', (name) => {
        const keyUse = statementsOf(roleOf(name)).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('kms:')),
        );
        expect(keyUse.length).toBeGreaterThan(0);
        for (const statement of keyUse) {
          const via = JSON.stringify(
            (statement.Condition as { StringEquals?: Record<string, unknown> })?.StringEquals?.[
              'kms:ViaService'
            ],
          );
          expect(via, JSON.stringify(statement)).toMatch(
            /"(dynamodb|streams\.dynamodb|sqs|sns|secretsmanager)\."/,
          );
        }
      });

      it('scopes texting to the one number or pool of sms.originationIdentity, with no wildcard to acknowledge', () => {
        const pool = 'pool-0123456789abcdef0123456789abcdef';
        const { service: stack } = defineFollowupApp(
          newApp(),
          { ...clinicConfig, sms: { originationIdentity: pool } },
          OPTIONS,
        );
        const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
        const texting = Object.values(policies)
          .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
          .filter((s) => actionsOf(s).includes('sms-voice:SendTextMessage'));
        // Five functions text: the booking, send, alert, delivery-events (fallback) and patient-texts (auto-reply).
        expect(texting).toHaveLength(5);
        const resources = JSON.stringify(texting.map((s) => s.Resource));
        expect(resources).toContain(`:pool/${pool}`);
        expect(resources).not.toContain('*');
      });

      it.each([
        'handle-booking-event',
        'send-message',
        'dispatch-alerts',
        'record-delivery-events',
        'receive-patient-texts',
      ] as const)(
        'lets %s send texts only through the configuration set, from the account numbers or pools, and publish to no topic',
        (name) => {
          const statements = statementsOf(roleOf(name));
          expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('sns:'))).toEqual([]);
          const texting = statements.filter((s) => actionsOf(s).includes('sms-voice:SendTextMessage'));
          expect(texting).toHaveLength(1);
          const arn = (resource: string) => ({
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':sms-voice:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                `:${resource}`,
              ],
            ],
          });
          // No sms.originationIdentity in the default config: any of the account's numbers and pools.
          expect(texting[0]?.Resource).toEqual([
            arn(`configuration-set/${service.messaging.smsConfigurationSetName}`),
            arn('phone-number/*'),
            arn('pool/*'),
          ]);
          const fn = {
            'handle-booking-event': service.ingestion.handler,
            'send-message': service.messaging.sendFunction,
            'dispatch-alerts': service.alerts.dispatchFunction,
            'record-delivery-events': service.deliveryEvents.handler,
            'receive-patient-texts': service.patientTexts.handler,
          }[name];
          const env = functionProps(fn).Environment.Variables;
          expect(env[ENV.smsConfigurationSet]).toBe(service.messaging.smsConfigurationSetName);
        },
      );
    });

    describe('dispatch-alerts', () => {
      const statements = () => statementsOf(service.alerts.dispatchFunction.role);

      it('creates and moves schedules only in the alert group, and passes only the scheduler role', () => {
        const scheduling = statements().filter((s) => actionsOf(s).some((a) => a.startsWith('scheduler:')));
        expect(scheduling).toEqual([
          {
            Effect: 'Allow',
            Action: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule'],
            Resource: schedulesIn(service.alerts.scheduleGroupName),
          },
        ]);
        expect(statements().filter((s) => actionsOf(s).some((a) => a.startsWith('iam:')))).toEqual([
          {
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: arnOf(service.messaging.schedulerRole),
            Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          },
        ]);
      });

      it('invokes nothing and reads no queue', () => {
        const actions = statements().flatMap(actionsOf);
        expect(actions.filter((a) => /^(lambda|events|sqs:(?!SendMessage|GetQueue))/.test(a))).toEqual([]);
      });

      it('reads the table stream', () => {
        expect(statements().flatMap(actionsOf)).toEqual(
          expect.arrayContaining([
            'dynamodb:DescribeStream',
            'dynamodb:GetRecords',
            'dynamodb:GetShardIterator',
          ]),
        );
      });
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

    it('takes events only from the publisher role, the configured principals and the webhooks, only with the booking sources', () => {
      const policies = Object.values(serviceTemplate.findResources('AWS::Events::EventBusPolicy'));
      const statements = policies.map((p) => p.Properties.Statement);
      const sid = (name: string) => statements.find((s) => s.Sid === `cdk-${name}`);
      const role = arnOf(service.ingestion.publisherRole);
      const hooksRole = arnOf(service.hooks.handler.fn.role as unknown as IConstruct);
      expect(sid('OnlyPublishers')).toMatchObject({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [role, hooksRole] } },
      });
      expect(sid('OnlyBookingSources')).toMatchObject({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Condition: { StringNotEquals: { 'events:source': [...config.bookingSources, HOOK_EVENT_SOURCE] } },
      });
      // The hook source is the webhooks' alone, and their role may put nothing else.
      expect(sid('HookSourceOnlyFromHooks')).toMatchObject({
        Effect: 'Deny',
        Condition: {
          StringEquals: { 'events:source': HOOK_EVENT_SOURCE },
          ArnNotEquals: { 'aws:PrincipalArn': [hooksRole] },
        },
      });
      expect(
        statementsOf(service.hooks.handler.fn.role as unknown as IConstruct).filter((st) =>
          actionsOf(st).includes('events:PutEvents'),
        ),
      ).toEqual([
        {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Resource: arnOf(service.ingestion.bus),
          Condition: { StringEquals: { 'events:source': [HOOK_EVENT_SOURCE] } },
        },
      ]);
      // Without a booking system account in the config, this account's principals may assume the role.
      const trust =
        serviceTemplate.toJSON().Resources[idOf(service, service.ingestion.publisherRole)].Properties
          .AssumeRolePolicyDocument.Statement;
      expect(JSON.stringify(trust)).toContain(':root');
      expect(statementsOf(service.ingestion.publisherRole)).toEqual([
        {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Resource: arnOf(service.ingestion.bus),
          Condition: { StringEquals: { 'events:source': config.bookingSources } },
        },
      ]);
    });

    it("lets the booking system's account assume the publisher role with its external id, and admits configured principals", () => {
      const system = 'arn:aws:iam::210987654321:role/booking-system';
      const app2 = newApp();
      const { service: s2 } = defineFollowupApp(
        app2,
        {
          ...clinicConfig,
          publishers: {
            principals: [system],
            publisherAccount: '210987654321',
            publisherExternalId: 'clinic-7f3a9c2e51d04b8a',
          },
        },
        OPTIONS,
      );
      const t2 = Template.fromStack(s2);
      const role =
        t2.toJSON().Resources[s2.getLogicalId(s2.ingestion.publisherRole.node.defaultChild as CfnElement)];
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
        StringEquals: { 'sts:ExternalId': 'clinic-7f3a9c2e51d04b8a' },
      });
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain(':iam::210987654321:root');
      const statements = Object.values(t2.findResources('AWS::Events::EventBusPolicy')).map(
        (p) => p.Properties.Statement,
      );
      expect(statements.find((s) => s.Sid === 'cdk-ConfiguredPublishers')).toMatchObject({
        Effect: 'Allow',
        Principal: { AWS: system },
      });
      expect(JSON.stringify(statements.find((s) => s.Sid === 'cdk-OnlyPublishers'))).toContain(system);
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

    it('routes exactly the patient links, the staff links, the console and the booking webhooks (proxy, payload 2.0), with no default route', () => {
      const routes = Object.values(serviceTemplate.findResources('AWS::ApiGatewayV2::Route'));
      expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
        'GET /a/{token}',
        'GET /c/{token}',
        'GET /console',
        'GET /console/{proxy+}',
        'GET /i/{token}',
        'GET /r/{token}',
        'POST /a/{token}',
        'POST /c/{token}',
        'POST /console/{proxy+}',
        'POST /hooks/{provider}',
        'POST /i/{token}',
      ]);
      const integrationOf = (fn: ProjectFunction) => {
        const found = serviceTemplate.findResources('AWS::ApiGatewayV2::Integration', {
          Properties: {
            ApiId: apiRef(),
            IntegrationType: 'AWS_PROXY',
            IntegrationUri: arnOf(fn.fn),
            PayloadFormatVersion: '2.0',
          },
        });
        expect(Object.keys(found)).toHaveLength(1);
        return { 'Fn::Join': ['', ['integrations/', { Ref: Object.keys(found)[0] }]] };
      };
      const links = integrationOf(service.checkin.handler);
      const staffConsole = integrationOf(service.console.handler);
      const hooks = integrationOf(service.hooks.handler);
      for (const route of routes) {
        const key = String(route.Properties.RouteKey);
        const target = key.includes('/console') ? staffConsole : key.includes('/hooks/') ? hooks : links;
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

    it('gives every patient and staff route its own budget, and creates the routes before the stage', () => {
      const [id, stage] = Object.entries(serviceTemplate.findResources('AWS::ApiGatewayV2::Stage'))[0] ?? [];
      const settings = stage?.Properties.RouteSettings as Record<string, unknown>;
      expect(Object.keys(settings).sort()).toEqual(Object.keys(ROUTE_BUDGETS).sort());
      expect(settings['POST /c/{token}']).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
      const routeKeys = Object.values(serviceTemplate.findResources('AWS::ApiGatewayV2::Route')).map(
        (route) => route.Properties.RouteKey as string,
      );
      for (const key of Object.keys(ROUTE_BUDGETS)) expect(routeKeys, key).toContain(key);
      const routeIds = Object.keys(serviceTemplate.findResources('AWS::ApiGatewayV2::Route'));
      const dependsOn = [stage?.DependsOn ?? []].flat() as string[];
      for (const routeId of routeIds) expect(dependsOn, `${id} on ${routeId}`).toContain(routeId);
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

  describe('staff console', () => {
    /** How the service stack refers to the data stack's pool (a cross-stack reference). */
    const poolRef = () => {
      const value = serviceTemplate.toJSON().Outputs.StaffUserPoolId.Value;
      expect(JSON.stringify(value)).toContain('StaffPool');
      return value;
    };

    it('keeps staff accounts in a retained pool with MFA required (authenticator app only) and no self sign-up', () => {
      dataTemplate.hasResource('AWS::Cognito::UserPool', {
        DeletionPolicy: 'Retain',
        Properties: {
          MfaConfiguration: 'ON',
          EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
          AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
          DeletionProtection: 'ACTIVE',
          UserPoolTier: 'PLUS',
          UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
          Policies: {
            PasswordPolicy: Match.objectLike({
              MinimumLength: 12,
              RequireLowercase: true,
              RequireUppercase: true,
              RequireNumbers: true,
              RequireSymbols: true,
            }),
          },
        },
      });
    });

    it('has exactly the groups clinician, front-desk and admin', () => {
      const groups = Object.values(dataTemplate.findResources('AWS::Cognito::UserPoolGroup'));
      expect(groups.map((group) => group.Properties.GroupName).sort()).toEqual([
        'admin',
        'clinician',
        'front-desk',
      ]);
    });

    it('has one public app client: code flow only, callback and sign-out URLs on the console', () => {
      const base = config.links.baseUrl?.replace(/\/+$/, '');
      expect(base).toMatch(/^https:/);
      serviceTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        UserPoolId: poolRef(),
        GenerateSecret: false,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        CallbackURLs: [`${base}/console/callback`],
        LogoutURLs: [`${base}/console/signed-out`],
        SupportedIdentityProviders: ['COGNITO'],
        PreventUserExistenceErrors: 'ENABLED',
      });
      expect(Object.keys(serviceTemplate.findResources('AWS::Cognito::UserPoolClient'))).toHaveLength(1);
    });

    it('puts the callback URLs on links.baseUrl when a short link domain is configured', () => {
      const other = defineFollowupApp(
        newApp(),
        { ...clinicConfig, links: { baseUrl: 'https://c.example-clinic.org/' } },
        OPTIONS,
      );
      Template.fromStack(other.service).hasResourceProperties('AWS::Cognito::UserPoolClient', {
        CallbackURLs: ['https://c.example-clinic.org/console/callback'],
        LogoutURLs: ['https://c.example-clinic.org/console/signed-out'],
      });
    });

    it('signs in through the newer managed login, with a style for the client', () => {
      serviceTemplate.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
      serviceTemplate.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
        UseCognitoProvidedValues: true,
        ClientId: ref(service.console.client),
      });
    });

    it('gives the console function the pool as issuer, its client, the session secret and the console URL', () => {
      const env = functionProps(service.console.handler).Environment.Variables;
      expect(env).toMatchObject({
        [ENV.oidcClientId]: ref(service.console.client),
        [ENV.consoleSessionSecretArn]: ref(service.console.sessionSecret),
        [ENV.scheduleGroup]: service.alerts.scheduleGroupName,
      });
      expect(JSON.stringify(env[ENV.oidcIssuer])).toContain('cognito-idp.');
      expect(JSON.stringify(env[ENV.oidcLogoutUrl])).toContain('amazoncognito.com/logout');
      expect(env[ENV.consoleBaseUrl]).toBe(config.links.baseUrl?.replace(/\/+$/, ''));
    });

    it('lets the console query the list index and no other, and read its own secret only', () => {
      const statements = statementsOf(service.console.handler.fn.role as IConstruct);
      const queries = statements.filter((s) => actionsOf(s).includes('dynamodb:Query'));
      expect(JSON.stringify(queries.flatMap(resourcesOf))).toContain(`/index/${LIST_INDEX}`);
      expect(JSON.stringify(queries.flatMap(resourcesOf))).not.toContain(WORK_INDEX);
      const secrets = statements.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
      expect(secrets.flatMap(resourcesOf)).toEqual([ref(service.console.sessionSecret)]);
      expect(statements.flatMap(actionsOf)).not.toContain('dynamodb:Scan');
    });

    it('outputs the console URL and the user pool id', () => {
      serviceTemplate.hasOutput('StaffConsoleUrl', Match.anyValue());
      expect(poolRef()).toBeDefined();
    });
  });

  describe('staff alerts', () => {
    const staffStacks = () => {
      staffApp ??= defineFollowupApp(newApp(), staffConfig, OPTIONS);
      return staffApp;
    };
    let staffApp: ReturnType<typeof defineFollowupApp> | undefined;

    it('feeds dispatch-alerts from the table stream: new urgent replies only, bisecting and retrying, then parking', () => {
      const mappings = serviceTemplate.findResources('AWS::Lambda::EventSourceMapping');
      expect(Object.values(mappings)).toHaveLength(1);
      const mapping = Object.values(mappings)[0]?.Properties;
      expect(mapping).toMatchObject({
        FunctionName: ref(service.alerts.dispatchFunction.fn),
        StartingPosition: 'LATEST',
        BatchSize: 10,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: arnOf(service.alerts.streamFailures) } },
      });
      // The handler throws on a failed delivery: no partial batch responses.
      expect(mapping.FunctionResponseTypes).toBeUndefined();
      expect(JSON.stringify(mapping.EventSourceArn)).toContain('StreamArn');
      expect(mapping.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([
        {
          eventName: ['INSERT'],
          dynamodb: { NewImage: { workKey: { S: ['ALERT'] }, sk: { S: [{ prefix: 'REPLY#' }] } } },
        },
      ]);
    });

    it('parks failed stream batches in an encrypted queue dispatch-alerts may send to', () => {
      expect(
        serviceTemplate.toJSON().Resources[idOf(service, service.alerts.streamFailures)].Properties
          .KmsMasterKeyId,
      ).toEqual(arnOf(service.operationsKey));
      const send = statementsOf(service.alerts.dispatchFunction.role).filter((s) =>
        actionsOf(s).includes('sqs:SendMessage'),
      );
      expect(send.flatMap(resourcesOf)).toContainEqual(arnOf(service.alerts.streamFailures));
    });

    it('sweeps every minute: dispatch-alerts with {"sweep":true}, retried, with the schedule DLQ, in the recurring group', () => {
      serviceTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: 'alert-sweeper',
        GroupName: ref(service.alerts.recurringScheduleGroup),
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: arnOf(service.alerts.dispatchFunction.fn),
          RoleArn: arnOf(service.messaging.schedulerRole),
          Input: JSON.stringify({ sweep: true }),
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
          DeadLetterConfig: { Arn: arnOf(service.messaging.scheduleDlq) },
        },
      });
      const sweeper = serviceTemplate.toJSON().Resources[idOf(service, service.alerts.sweeperSchedule)];
      expect(JSON.parse(sweeper.Properties.Target.Input)).toEqual({ sweep: true });
    });

    it.each([
      ['the default config', () => ({ template: serviceTemplate, stack: service, cfg: config })],
      [
        'another digest time and zone',
        () => ({
          template: Template.fromStack(staffStacks().service),
          stack: staffStacks().service,
          cfg: staffStacks().config,
        }),
      ],
    ])('sends the review digest daily at staff.digestTime in clinic.timeZone (%s)', (_name, get) => {
      const { template, stack, cfg } = get();
      const [hour, minute] = cfg.staff.digestTime.split(':').map(Number);
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: 'review-digest',
        GroupName: { Ref: idOf(stack, stack.alerts.recurringScheduleGroup) },
        ScheduleExpression: `cron(${minute} ${hour} * * ? *)`,
        ScheduleExpressionTimezone: cfg.clinic.timeZone,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [idOf(stack, stack.alerts.digestFunction.fn), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [idOf(stack, stack.messaging.scheduleDlq), 'Arn'] } },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 10 }),
        }),
      });
    });

    it('reads 17:05 in Los Angeles as cron(5 17 * * ? *) there', () => {
      Template.fromStack(staffStacks().service).hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: 'review-digest',
        ScheduleExpression: 'cron(5 17 * * ? *)',
        ScheduleExpressionTimezone: 'America/Los_Angeles',
      });
    });

    it('keeps escalation schedules, recurring schedules and message schedules in three groups', () => {
      const groups = Object.values(serviceTemplate.findResources('AWS::Scheduler::ScheduleGroup'));
      expect(groups.map((g) => g.Properties.Name).sort()).toEqual(
        [
          `${service.stackName}-alerts`,
          `${service.stackName}-messages`,
          `${service.stackName}-recurring`,
        ].sort(),
      );
      expect(service.alerts.scheduleGroupName).toBe(`${service.stackName}-alerts`);
    });

    it('checks staff recipients daily at staff.recipientCheckTime in the clinic zone, reading only their own SES identities', () => {
      serviceTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: 'staff-recipient-check',
        ScheduleExpression: `cron(0 7 * * ? *)`,
        ScheduleExpressionTimezone: config.clinic.timeZone,
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [idOf(service, service.alerts.recipientCheckFunction.fn), 'Arn'] },
        }),
      });
      const identityReads = statementsOf(service.alerts.recipientCheckFunction.role).filter((s) =>
        actionsOf(s).includes('ses:GetEmailIdentity'),
      );
      const resources = JSON.stringify(identityReads.map((s) => s.Resource));
      for (const email of [...config.staff.alertEmails, ...config.staff.escalationEmails]) {
        expect(resources).toContain(`:identity/${email}"`);
        expect(resources).toContain(`:identity/${email.split('@')[1]}"`);
      }
      expect(resources).not.toContain('*');
    });

    it('makes no staff topic and no subscription anyone could unsubscribe from: staff are sent to one by one', () => {
      for (const stack of [service, staffStacks().service]) {
        const template = stack === service ? serviceTemplate : Template.fromStack(stack);
        // The delivery-events function on the SMS events topic, the patient-texts function on the inbound
        // topic; the alarm email, when configured, on the operations topic (not a staff alert path). Nothing else.
        const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).map((sub) => [
          sub.Properties.Protocol,
          sub.Properties.TopicArn,
        ]);
        expect(subscriptions).toContainEqual([
          'lambda',
          { Ref: idOf(stack, stack.deliveryEvents.smsEvents) },
        ]);
        expect(subscriptions).toContainEqual([
          'lambda',
          { Ref: idOf(stack, stack.patientTexts.inboundTopic) },
        ]);
        for (const subscription of subscriptions.filter(([protocol]) => protocol !== 'lambda')) {
          expect(subscription).toEqual(['email', { Ref: idOf(stack, stack.operations.topic) }]);
        }
        expect(Object.keys(template.findResources('AWS::SNS::Topic')).sort()).toEqual(
          [stack.operations.topic, stack.deliveryEvents.smsEvents, stack.patientTexts.inboundTopic]
            .map((topic) => idOf(stack, topic))
            .sort(),
        );
      }
    });
  });

  describe('delivery events', () => {
    const fn = () => service.deliveryEvents.handler;

    it("publishes the SES configuration set's outcomes to the default bus, and a rule there picks this set's", () => {
      serviceTemplate.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: ref(service.messaging.configurationSet),
        EventDestination: Match.objectLike({
          Enabled: true,
          MatchingEventTypes: [
            'delivery',
            'bounce',
            'complaint',
            'reject',
            'deliveryDelay',
            'renderingFailure',
          ],
          EventBridgeDestination: {
            EventBusArn: Match.stringLikeRegexp(':event-bus/default$'),
          },
        }),
      });
      serviceTemplate.hasResourceProperties('AWS::Events::Rule', {
        Name: `${config.busName}-ses-delivery-events`,
        EventBusName: Match.absent(),
        EventPattern: {
          source: ['aws.ses'],
          detail: { mail: { tags: { 'ses:configuration-set': [ref(service.messaging.configurationSet)] } } },
        },
        Targets: [
          Match.objectLike({
            Arn: arnOf(fn().fn),
            DeadLetterConfig: { Arn: arnOf(service.deliveryEvents.deliveryDlq) },
            RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 20 },
          }),
        ],
      });
    });

    it('sends every SMS outcome event to a topic encrypted with the data key that only End User Messaging of this account may publish to', () => {
      serviceTemplate.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', {
        EventDestinations: [
          {
            EventDestinationName: 'delivery-events',
            Enabled: true,
            MatchingEventTypes: [
              'TEXT_DELIVERED',
              'TEXT_SUCCESSFUL',
              'TEXT_BLOCKED',
              'TEXT_CARRIER_BLOCKED',
              'TEXT_PROTECT_BLOCKED',
              'TEXT_UNREACHABLE',
              'TEXT_CARRIER_UNREACHABLE',
              'TEXT_INVALID',
              'TEXT_SPAM',
              'TEXT_TTL_EXPIRED',
              'TEXT_INVALID_MESSAGE',
              'TEXT_UNKNOWN',
            ],
            SnsDestination: { TopicArn: ref(service.deliveryEvents.smsEvents) },
          },
        ],
      });
      const topic = serviceTemplate.toJSON().Resources[idOf(service, service.deliveryEvents.smsEvents)];
      expect(topic.Properties.KmsMasterKeyId).toBe(`alias/${data.stackName}-data`);
      const policies = Object.values(serviceTemplate.findResources('AWS::SNS::TopicPolicy')).filter((p) =>
        JSON.stringify(p.Properties.Topics).includes(idOf(service, service.deliveryEvents.smsEvents)),
      );
      expect(JSON.stringify(policies)).toContain('"Service":"sms-voice.amazonaws.com"');
      expect(JSON.stringify(policies)).toContain('"aws:SourceAccount"');
      const dataKey = Object.values(dataTemplate.findResources('AWS::KMS::Key'))[0];
      const smsVoice = dataKey?.Properties.KeyPolicy.Statement.find(
        (s: { Principal?: { Service?: unknown } }) => s.Principal?.Service === 'sms-voice.amazonaws.com',
      );
      expect(smsVoice.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      });
    });

    it('lets the function send by the other channel and email the front desk, and never publish to a topic', () => {
      const actions = statementsOf(fn().role).flatMap(actionsOf);
      expect(actions).toEqual(expect.arrayContaining(['ses:SendEmail', 'sms-voice:SendTextMessage']));
      expect(actions).not.toContain('sns:Publish');
    });
  });

  describe("patients' texts", () => {
    const texts = () => service.patientTexts;

    it('hands the inbound topic, which only End User Messaging of this account may publish to, to the function', () => {
      const topic = serviceTemplate.toJSON().Resources[idOf(service, texts().inboundTopic)];
      expect(topic.Properties.KmsMasterKeyId).toBe(`alias/${data.stackName}-data`);
      const policies = Object.values(serviceTemplate.findResources('AWS::SNS::TopicPolicy')).filter((p) =>
        JSON.stringify(p.Properties.Topics).includes(idOf(service, texts().inboundTopic)),
      );
      const publish = policies
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
        .filter((st) => actionsOf(st).includes('sns:Publish') && st.Effect === 'Allow');
      expect(publish).toHaveLength(1);
      expect(publish[0]?.Principal).toEqual({ Service: 'sms-voice.amazonaws.com' });
      expect(publish[0]?.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      });
      serviceTemplate.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'lambda',
        TopicArn: ref(texts().inboundTopic),
        Endpoint: arnOf(texts().handler.fn),
        // A text SNS cannot hand over is kept, not dropped.
        RedrivePolicy: { deadLetterTargetArn: arnOf(texts().undeliveredTexts) },
      });
    });

    it("outputs the topic for the number's two-way channel and the HELP answer carriers require", () => {
      const outputs = serviceTemplate.toJSON().Outputs;
      expect(outputs.PatientTextsTopicArn.Value).toEqual(ref(texts().inboundTopic));
      const help = outputs.SmsHelpKeywordText.Value as string;
      expect(help).toContain(config.clinic.phone);
      expect(help).toContain('Msg & data rates may apply');
      expect(help).toContain('Reply STOP to opt out');
    });

    it('lets the function text (the auto-reply) and email (the front desk), and never publish to a topic', () => {
      const actions = statementsOf(texts().handler.role).flatMap(actionsOf);
      expect(actions).toEqual(expect.arrayContaining(['ses:SendEmail', 'sms-voice:SendTextMessage']));
      expect(actions).not.toContain('sns:Publish');
    });
  });

  describe('encryption at rest and in transit', () => {
    it('encrypts every queue with a KMS key (the data key where a booking event can land), keeps messages 14 days and denies non-TLS access', () => {
      const queues = serviceTemplate.findResources('AWS::SQS::Queue');
      expect(Object.keys(queues).length).toBeGreaterThan(0);
      // Booking events and provider delivery events carry addresses: the data key.
      const holdingEvents = [
        service.ingestion.rejectedEvents,
        service.ingestion.deliveryDlq,
        service.ingestion.handler.failureQueue,
        service.deliveryEvents.unreadableEvents,
        service.deliveryEvents.deliveryDlq,
        service.deliveryEvents.handler.failureQueue,
        service.patientTexts.unreadableTexts,
        service.patientTexts.undeliveredTexts,
        service.patientTexts.handler.failureQueue,
      ].map((queue) => idOf(service, queue));
      for (const [id, queue] of Object.entries(queues)) {
        expect(queue.Properties.KmsMasterKeyId, id).toEqual(
          holdingEvents.includes(id) ? data.keyAlias : arnOf(service.operationsKey),
        );
        expect(queue.Properties.RedriveAllowPolicy, id).toEqual({ redrivePermission: 'allowAll' });
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

    it('encrypts every log group and the alarm topic with the operations key, the SMS topics with the data key', () => {
      for (const [id, logGroup] of Object.entries(serviceTemplate.findResources('AWS::Logs::LogGroup'))) {
        expect(logGroup.Properties.KmsKeyId, id).toEqual(arnOf(service.operationsKey));
      }
      const topics = serviceTemplate.findResources('AWS::SNS::Topic');
      expect(topics[idOf(service, service.operations.topic)]?.Properties.KmsMasterKeyId).toEqual(
        arnOf(service.operationsKey),
      );
      // Its events carry the patient's phone number.
      expect(topics[idOf(service, service.deliveryEvents.smsEvents)]?.Properties.KmsMasterKeyId).toBe(
        data.keyAlias,
      );
      // Patients' texts: what they wrote, and their numbers.
      expect(topics[idOf(service, service.patientTexts.inboundTopic)]?.Properties.KmsMasterKeyId).toBe(
        data.keyAlias,
      );
      expect(Object.keys(topics)).toHaveLength(3);
    });

    it('denies publishing to any topic without TLS', () => {
      for (const id of Object.keys(serviceTemplate.findResources('AWS::SNS::Topic'))) {
        serviceTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
          Topics: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 'sns:Publish',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      }
    });
  });

  describe('alarms', () => {
    const topic = () => ref(service.operations.topic);

    it('alarms on every queue of failures as soon as one message is visible', () => {
      // The check-in, console and hook functions are only invoked synchronously (API Gateway), the rotation
      // function by Secrets Manager: their async failure queues stay empty.
      const synchronous = [
        service.checkin.handler,
        service.console.handler,
        service.hooks.handler,
        service.linkKeyRotation.handler,
      ];
      const unused = synchronous.map((fn) => idOf(service, fn.failureQueue));
      const queueIds = Object.keys(serviceTemplate.findResources('AWS::SQS::Queue')).filter(
        (id) => !unused.includes(id),
      );
      expect(queueIds).toEqual(
        expect.arrayContaining(
          [
            service.ingestion.deliveryDlq,
            service.ingestion.rejectedEvents,
            service.messaging.scheduleDlq,
            service.alerts.streamFailures,
            ...allFunctions()
              .filter((fn) => !synchronous.includes(fn))
              .map((fn) => fn.failureQueue),
          ].map((queue) => idOf(service, queue)),
        ),
      );
      for (const queueId of queueIds) {
        serviceTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 1,
          AlarmActions: [topic()],
          AlarmDescription: Match.stringLikeRegexp('First:'),
        });
      }
    });

    it('alarms on the errors of each function', () => {
      for (const fn of allFunctions()) {
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

    const alarmNamed = (name: string) => {
      const found = serviceTemplate.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmName: `${service.stackName}-${name}` },
      });
      expect(Object.keys(found), name).toHaveLength(1);
      return Object.values(found)[0]?.Properties;
    };

    it.each([
      ['alert-delivery-failures', 'AlertDeliveryFailures'],
      ['alert-escalation-failures', 'EscalationFailures'],
      ['alert-work-overdue', 'AlertWorkOverdue'],
      ['alert-unacknowledged', 'AlertsUnacknowledgedAfterEscalation'],
    ])('alarms %s on the %s metric the functions count, at 1 within a minute', (name, metricName) => {
      expect(alarmNamed(name)).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        MetricName: metricName,
        // Powertools adds the service name as the `service` dimension.
        Dimensions: [{ Name: 'service', Value: 'clinic-followup' }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic()],
        OKActions: [topic()],
      });
    });

    it('alarms alert-sweeper-silent when no sweep reported for 5 minutes (missing data breaches)', () => {
      expect(alarmNamed('alert-sweeper-silent')).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        MetricName: 'AlertWorkOverdue',
        Dimensions: [{ Name: 'service', Value: 'clinic-followup' }],
        Statistic: 'SampleCount',
        Period: 300,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
        AlarmActions: [topic()],
      });
    });

    it('alarms alert-stream-failed on the stream failure queue, dispatch-alerts-failed on its failure queue', () => {
      for (const [name, queue] of [
        ['alert-stream-failed', service.alerts.streamFailures],
        ['dispatch-alerts-failed', service.alerts.dispatchFunction.failureQueue],
        ['review-digest-failed', service.alerts.digestFunction.failureQueue],
      ] as const) {
        expect(alarmNamed(name)).toMatchObject({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(service, queue), 'QueueName'] } }],
          Threshold: 1,
        });
      }
    });

    it('alarms dispatch-alerts-errors and review-digest-errors on the errors of those functions', () => {
      for (const [name, fn] of [
        ['dispatch-alerts-errors', service.alerts.dispatchFunction],
        ['review-digest-errors', service.alerts.digestFunction],
      ] as const) {
        expect(alarmNamed(name)).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: ref(fn.fn) }],
          Threshold: 1,
          TreatMissingData: 'notBreaching',
        });
      }
    });

    it('alarms staff-recipient-unreachable from the daily check until a later check finds nobody', () => {
      expect(alarmNamed('staff-recipient-unreachable')).toMatchObject({
        Namespace: 'ClinicFollowup',
        MetricName: 'StaffRecipientsUnreachable',
        Statistic: 'Maximum',
        Period: 86400,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      });
    });

    it('says in every alarm description what to do first', () => {
      for (const [id, alarm] of Object.entries(serviceTemplate.findResources('AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties.AlarmDescription, id).toMatch(/First:/);
      }
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
