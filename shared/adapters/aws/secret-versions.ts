import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SecretVersions } from '../../domain/messages/rotate-link-key';

/** A secret's versions through the Secrets Manager API, for a rotation function. */
export class SecretsManagerVersions implements SecretVersions {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string) {
    const output = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return { rotationEnabled: output.RotationEnabled === true, stages: output.VersionIdsToStages ?? {} };
  }

  async value(secretId: string, stage: 'AWSCURRENT' | 'AWSPENDING', versionId?: string) {
    try {
      const output = await this.client.send(
        new GetSecretValueCommand({
          SecretId: secretId,
          VersionStage: stage,
          ...(versionId ? { VersionId: versionId } : {}),
        }),
      );
      return output.SecretString;
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  async putPending(secretId: string, versionId: string, value: string) {
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: versionId,
        SecretString: value,
        VersionStages: ['AWSPENDING'],
      }),
    );
  }

  async promote(secretId: string, versionId: string, fromVersionId: string) {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: versionId,
        RemoveFromVersionId: fromVersionId,
      }),
    );
  }
}
