import path from 'node:path';
import { Aws, Duration, Stack, Tags, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  Effect,
  type IGrantable,
  type IPrincipal,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../../shared/contracts/env';
import { BUNDLED_CONFIG_CONTEXT, BUNDLED_CONFIG_GLOBAL } from '../../bundled-config';
import { FUNCTION_NAMES, type FunctionName, TABLE_ACCESS } from '../../function-permissions';
import { departDeliberately } from '../deliberate-choices';
import { type AliasedKey, encryptedQueue } from './encrypted-queue';

/** One of the environment variable names shared with the functions (`shared/contracts/env.ts`). */
export type EnvName = (typeof ENV)[keyof typeof ENV];

const REPO_ROOT = path.resolve(__dirname, '../../..');

/** The audit trail's partitions (`AUDIT#<day>`): write-once, for every role. */
const AUDIT_PARTITION = 'AUDIT#';

/** The services through which a function uses a key (`kms:ViaService`). */
type KeyService = 'dynamodb' | 'streams.dynamodb' | 'sqs' | 'sns' | 'secretsmanager';

/** The tag naming the function a role belongs to (a key of `TABLE_ACCESS`). */
export const FUNCTION_TAG = 'followup:function';

export interface ProjectFunctionProps {
  /**
   * Physical function name. Set it when the function must know its own ARN (a target it schedules for itself):
   * the ARN can then be built from the name, where `functionArn` would make the function refer to itself.
   * @default - a name CloudFormation generates
   */
  readonly functionName?: string;
  /** Entry file, relative to the repository root (e.g. `functions/send-message.ts`); it exports `handler`. */
  readonly entry: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  /** Key that encrypts the log group and the on-failure queue (its policy must admit CloudWatch Logs). */
  readonly key: IKey;
  /**
   * Key (and its alias) of the on-failure queue when its events can carry patient contact details (the
   * booking event itself): the data key, so the operations key never guards them.
   * @default - `key`
   */
  readonly failureQueueKey?: AliasedKey;
  /**
   * Concurrent executions reserved for (and capping) this function. Off by default: a new account's
   * concurrency limit can be as low as 10, and reserving would then fail the deploy. The alert path
   * reserves; patient messaging shares the account pool and Lambda retries throttled async calls.
   * @default no reservation
   */
  readonly reservedConcurrency?: number;
  /**
   * Memory in MB; CPU grows with it, so more also means faster cold starts.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Per invocation; covers DynamoDB, Scheduler and provider calls with their SDK retries.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
  /**
   * Active X-Ray tracing. Off by default: traces are sampled and the logs already carry the request id.
   * @default false
   */
  readonly tracing?: boolean;
}

/**
 * A Lambda function as this project wants every one: Node 22 on ARM64, a minified ESM bundle with source
 * maps, its own KMS-encrypted log group, two async retries then an encrypted on-failure queue, and
 * `bind*` helpers that set an environment variable and grant exactly what that variable is used for.
 */
export class ProjectFunction extends Construct implements IGrantable {
  readonly fn: NodejsFunction;
  /** The entry file's name: the function's row in `infra/function-permissions.ts`. */
  readonly name: FunctionName;
  /** Where asynchronous invocations land after the last retry fails (event + error). */
  readonly failureQueue: IQueue;
  /** The execution role; acknowledge findings about grants you add to it here. */
  readonly role: Role;
  readonly grantPrincipal: IPrincipal;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    super(scope, id);
    const name = path.basename(props.entry, '.ts');
    if (!(FUNCTION_NAMES as readonly string[]).includes(name)) {
      throw new Error(`${props.entry}: not in FUNCTION_NAMES (infra/function-permissions.ts)`);
    }
    this.name = name as FunctionName;
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      encryptionKey: props.key,
    });
    this.failureQueue = encryptedQueue(this, 'FailureQueue', props.failureQueueKey ?? props.key);
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is the function's on-failure destination, i.e. itself a dead-letter queue.",
    });

    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    Tags.of(role).add(FUNCTION_TAG, this.name);
    this.role = role;
    const failureQueue = this.failureQueue;

    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      ...(props.functionName === undefined ? {} : { functionName: props.functionName }),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      retryAttempts: 2,
      // The queue's ARN only: its send grant is written out below (SqsDestination would add queue reads).
      onFailure: { bind: () => ({ destination: failureQueue.queueArn }) },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        // No source maps: `--enable-source-maps` parses the map on every cold start (about 30 ms, median of 11
        // spawns of this bundle with and without it); kept names still name our functions in stack traces.
        keepNames: true,
        sourceMap: false,
        mainFields: ['module', 'main'],
        // Bundle the AWS SDK instead of using the runtime's copy: the version we test is the one that
        // runs, and tree-shaken ESM clients load faster than the full SDK shipped in the runtime.
        externalModules: [],
        // Some CommonJS dependencies call require(); give the ESM bundle one.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // The clinic config as synth validated it: the cold start reads it instead of parsing it again.
        ...bundledConfig(this),
      },
    });
    this.grantPrincipal = this.fn.grantPrincipal;
    this.grantQueueSend(this.failureQueue);
    departDeliberately(this.fn, 'outside-vpc');

    Validations.of(role).acknowledge(
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: 'The inline policy holds the least-privilege grants CDK generates for this one function.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: "CDK's grant for the key of a queue or the table this function uses, on that key's ARN only.",
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason: "CDK's grant for the key of a queue or the table this function uses, on that key's ARN only.",
      },
    );
    if (props.reservedConcurrency === undefined) {
      Validations.of(this.fn).acknowledge({
        id: 'HIPAA.Security-LambdaConcurrency',
        reason:
          'Shares the account pool (see reservedConcurrency: reserving can fail the deploy on a new account); throttled async invocations are retried by Lambda for up to 6 hours, HTTP requests are capped first by stage throttling.',
      });
    }
    if (props.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions.',
      });
    }
    Validations.of(this.fn).acknowledge(
      {
        id: 'HIPAA.Security-LambdaDLQ',
        reason:
          'Failed async invocations go to an on-failure destination (SQS), which also records the error.',
      },
      {
        id: 'HIPAA.Security-LambdaInsideVPC',
        reason:
          'The function reaches only AWS APIs (no VPC resources); a NAT gateway would cost more than the service.',
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the runtime the project is built and tested for; moving up is a deliberate change.',
      },
    );
  }

  /** Sets `name` to a value that needs no permission (e.g. a URL). */
  setEnv(name: EnvName, value: string): void {
    this.fn.addEnvironment(name, value);
  }

  /**
   * `TABLE_NAME` plus exactly this function's row of `TABLE_ACCESS`: each partition's item actions, scoped by
   * `dynamodb:LeadingKeys`, queries of the named indexes (each by its ARN), and the table key through DynamoDB.
   */
  bindTable(table: ITable): void {
    this.setEnv(ENV.tableName, table.tableName);
    const access = TABLE_ACCESS[this.name];
    for (const grant of access.items) {
      this.fn.addToRolePolicy(
        new PolicyStatement({
          actions: grant.actions.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${grant.partition}*`] } },
        }),
      );
    }
    const writesAudit = access.items.some(
      (grant) => grant.partition === AUDIT_PARTITION && grant.actions.includes('PutItem'),
    );
    // No role may change or delete an audit item; only the auditing one may add them (DESIGN section 8).
    this.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: [
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          ...(writesAudit ? [] : ['dynamodb:PutItem']),
        ],
        resources: [table.tableArn],
        conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${AUDIT_PARTITION}*`] } },
      }),
    );
    if (access.queryIndexes.length > 0) {
      this.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: access.queryIndexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
    // The key actions CDK's grantReadWriteData gives for a customer-managed table key, through DynamoDB only.
    if (table.encryptionKey) {
      this.useKey(table.encryptionKey, 'dynamodb', [
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey*',
        'kms:ReEncrypt*',
      ]);
    }
  }

  /** `name` = the secret's ARN, plus GetSecretValue on it and decrypt with its key through Secrets Manager only. */
  bindSecretRead(name: EnvName, secret: ISecret): void {
    this.setEnv(name, secret.secretArn);
    // Reads this secret's value, nothing else in Secrets Manager.
    this.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
    // In the role, not the key policy (as `secret.grantRead` would): the stateful stack must not refer to this one.
    if (secret.encryptionKey) this.useKey(secret.encryptionKey, 'secretsmanager', ['kms:Decrypt']);
  }

  /**
   * `name` = a secret's name (one another stack owns, e.g. a replica), plus GetSecretValue on any version of it
   * (the ARN's random suffix is unknown here) and decrypt with `key` through Secrets Manager only.
   */
  bindSecretReadByName(name: EnvName, secretName: string, key: IKey): void {
    this.setEnv(name, secretName);
    const stack = Stack.of(this);
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [
          `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${secretName}-??????`,
        ],
      }),
    );
    this.useKey(key, 'secretsmanager', ['kms:Decrypt']);
  }

  /** `name` = the queue's URL, plus SendMessage on it (and its key). */
  bindQueueSend(name: EnvName, queue: IQueue): void {
    this.setEnv(name, queue.queueUrl);
    this.grantQueueSend(queue);
  }

  /** SendMessage on `queue` only (not CDK's queue reads), with a data key of its key through SQS. */
  grantQueueSend(queue: IQueue): void {
    this.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
    );
    if (queue.encryptionMasterKey) {
      this.useKey(queue.encryptionMasterKey, 'sqs', ['kms:Decrypt', 'kms:GenerateDataKey']);
    }
  }

  /**
   * What a stream event source mapping needs to read the table's stream: ListStreams (no resource-level
   * permission), the shard reads on this stream only, and the table key to decrypt its records.
   */
  bindStreamRead(table: ITable): void {
    if (!table.tableStreamArn) throw new Error(`${this.name}: the table has no stream`);
    this.fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [table.tableStreamArn],
      }),
    );
    // Stream reads decrypt through DynamoDB (bindTable grants that); DynamoDB Streams' own endpoint too.
    if (table.encryptionKey) this.useKey(table.encryptionKey, 'streams.dynamodb', ['kms:Decrypt']);
  }

  /** `actions` on `key`, only in requests a service makes for this function (`kms:ViaService`). */
  useKey(key: IKey, service: KeyService, actions: string[]): void {
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions,
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } },
      }),
    );
  }
}

/** The `define` that puts the app's validated clinic config in a bundle (none outside `defineFollowupApp`). */
function bundledConfig(scope: Construct): { define?: Record<string, string> } {
  const encoded = scope.node.tryGetContext(BUNDLED_CONFIG_CONTEXT) as string | undefined;
  return encoded ? { define: { [BUNDLED_CONFIG_GLOBAL]: encoded } } : {};
}
