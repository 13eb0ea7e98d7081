import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnRotationSchedule, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ProjectFunction } from './project-function';

export interface LinkKeyRotationProps {
  /** The link-signing secret (stateful stack) and the key that encrypts it. */
  readonly secret: ISecret;
  /** Encrypts the function's log group and on-failure queue. */
  readonly key: IKey;
  /** Days between rotations (config `links.keyRotationDays`). */
  readonly everyDays: number;
}

/**
 * Rotates the link-signing key on a schedule (DESIGN section 8): a new key
 * becomes current and the old one previous, so links in flight keep opening.
 * Lives in the stateless stack; the stateful stack never refers to it.
 */
export class LinkKeyRotation extends Construct {
  readonly handler: ProjectFunction;

  constructor(scope: Construct, id: string, props: LinkKeyRotationProps) {
    super(scope, id);
    this.handler = new ProjectFunction(this, 'RotateLinkKey', {
      entry: 'functions/rotate-link-key.ts',
      description: 'Rotates the link-signing key: a new current key, the old one kept as previous',
      key: props.key,
      memorySize: 256,
    });
    // The four rotation steps on this secret's versions, and nothing else in Secrets Manager.
    this.handler.fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: [props.secret.secretArn],
      }),
    );
    if (props.secret.encryptionKey) {
      this.handler.useKey(props.secret.encryptionKey, 'secretsmanager', [
        'kms:Decrypt',
        'kms:GenerateDataKey',
      ]);
    }
    // The L1 schedule: the L2 grants through the secret and its key, which would make the stateful stack
    // refer to this one. Secrets Manager may invoke the function for this secret only.
    this.handler.fn.addPermission('SecretsManagerRotates', {
      principal: new ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceArn: props.secret.secretArn,
    });
    const schedule = new CfnRotationSchedule(this, 'Schedule', {
      secretId: props.secret.secretArn,
      rotationLambdaArn: this.handler.fn.functionArn,
      rotationRules: { automaticallyAfterDays: props.everyDays },
    });
    schedule.node.addDependency(this.handler.fn);
  }
}
