import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SigningKeySource, SigningKeys } from '../../domain/ports';

/**
 * The link-signing keys from Secrets Manager, fetched once per container. The
 * secret is either JSON, `{"current":{"id":2,"key":"…"},"previous":{"id":1,"key":"…"}}`
 * (a rotation adds a new current key and keeps the old one as previous), or a
 * bare key (key 0), as before keys had ids.
 */
export class SecretsManagerSigningKey implements SigningKeySource {
  private key: Promise<SigningKeys | Uint8Array> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretArn: string,
  ) {}

  get(): Promise<SigningKeys | Uint8Array> {
    this.key ??= this.fetch().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async fetch(): Promise<SigningKeys | Uint8Array> {
    const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretArn }));
    const text = output.SecretString;
    if (!text || text.length < 32) throw new Error('link signing secret is missing or short');
    return text.trimStart().startsWith('{') ? parseKeys(text) : new TextEncoder().encode(text);
  }
}

/** The rotated secret's keys; anything malformed fails closed (no link verifies) rather than guessing. */
function parseKeys(text: string): SigningKeys {
  const value = JSON.parse(text) as { current?: unknown; previous?: unknown };
  const keyOf = (entry: unknown) => {
    const { id, key } = (entry ?? {}) as { id?: unknown; key?: unknown };
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 255) return undefined;
    if (typeof key !== 'string' || key.length < 32) return undefined;
    return { id, key: new TextEncoder().encode(key) };
  };
  const current = keyOf(value.current);
  if (!current) throw new Error('link signing secret has no valid current key');
  const previous = keyOf(value.previous);
  return previous ? { current, previous } : { current };
}
