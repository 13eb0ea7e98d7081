import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseLinkSecret, signingKeysOf } from '../../domain/messages/link-secret';
import type { SigningKeySource, SigningKeys } from '../../domain/ports';
import { CachedSecret } from './cached-secret';

/**
 * The link-signing keys from Secrets Manager (`parseLinkSecret` reads the
 * format), kept for 5 minutes per container. `refresh` asks again at once,
 * for a token signed with a key this container has not seen yet (a rotation
 * just happened); a failed fetch keeps serving the keys it had.
 */
export class SecretsManagerSigningKey implements SigningKeySource {
  private readonly secret: CachedSecret<SigningKeys>;

  constructor(client: SecretsManagerClient, secretArn: string, now: () => number = Date.now) {
    this.secret = new CachedSecret(client, secretArn, (text) => signingKeysOf(parseLinkSecret(text)), now);
  }

  get(): Promise<SigningKeys> {
    return this.secret.get();
  }

  refresh(): Promise<SigningKeys> {
    return this.secret.refresh();
  }
}
