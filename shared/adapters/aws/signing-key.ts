import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SigningKeySource } from '../../domain/ports';

/** The link-signing key from Secrets Manager, fetched once per container. */
export class SecretsManagerSigningKey implements SigningKeySource {
  private key: Promise<Uint8Array> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretArn: string,
  ) {}

  get(): Promise<Uint8Array> {
    this.key ??= this.fetch().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async fetch(): Promise<Uint8Array> {
    const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretArn }));
    if (!output.SecretString || output.SecretString.length < 32)
      throw new Error('link signing secret is missing or short');
    return new TextEncoder().encode(output.SecretString);
  }
}
