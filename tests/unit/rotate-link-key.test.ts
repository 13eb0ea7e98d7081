import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRotateLinkKeyHandler } from '../../functions/rotate-link-key';
import { SecretsManagerVersions } from '../../shared/adapters/aws/secret-versions';
import { parseLinkSecret, signingKeysOf } from '../../shared/domain/messages/link-secret';
import { createLinkToken, verifyLinkToken } from '../../shared/domain/messages/tokens';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:link-key';
const OLD_KEY = 'o'.repeat(64);
const FRESH_KEY = 'f'.repeat(64);
const secretsMock = mockClient(SecretsManagerClient);

/** Secrets Manager's versions of one secret, played by the mock: what the rotation reads and changes. */
function fakeSecret(initial: string) {
  const values = new Map<string, string>([['v-1', initial]]);
  const stages = new Map<string, string[]>([['v-1', ['AWSCURRENT']]]);
  secretsMock.reset().onAnyCommand().rejects(new Error('unexpected command'));
  secretsMock.on(DescribeSecretCommand, { SecretId: SECRET }).callsFake(() => ({
    RotationEnabled: true,
    VersionIdsToStages: Object.fromEntries(stages),
  }));
  secretsMock.on(GetSecretValueCommand).callsFake((input) => {
    const id = input.VersionId ?? [...stages].find(([, labels]) => labels.includes(input.VersionStage))?.[0];
    if (!id || !values.has(id) || !stages.get(id)?.includes(input.VersionStage)) {
      throw Object.assign(new Error('no such version'), { name: 'ResourceNotFoundException' });
    }
    return { SecretString: values.get(id) };
  });
  secretsMock.on(PutSecretValueCommand).callsFake((input) => {
    values.set(input.ClientRequestToken, input.SecretString);
    stages.set(input.ClientRequestToken, input.VersionStages);
    return {};
  });
  secretsMock.on(UpdateSecretVersionStageCommand).callsFake((input) => {
    stages.set(input.RemoveFromVersionId, []);
    stages.set(input.MoveToVersionId, ['AWSCURRENT']);
    return {};
  });
  return {
    current: () => values.get([...stages].find(([, l]) => l.includes('AWSCURRENT'))?.[0] ?? '') ?? '',
    pendingVersion: (id: string) => stages.set(id, ['AWSPENDING']),
  };
}

const logged: string[] = [];
const rotate = createRotateLinkKeyHandler({
  secrets: new SecretsManagerVersions(new SecretsManagerClient({})),
  freshKey: () => FRESH_KEY,
  log: {
    info: (message, fields) => logged.push(JSON.stringify({ message, fields })),
    warn: (message, fields) => logged.push(JSON.stringify({ message, fields })),
    error: (message, fields) => logged.push(JSON.stringify({ message, fields })),
  },
});
const step = (Step: string, token = 'v-2') => rotate({ SecretId: SECRET, ClientRequestToken: token, Step });

beforeEach(() => {
  logged.length = 0;
});

describe('the link-signing key rotation function', () => {
  it('makes a fresh key current under the next id and keeps the old one as previous, so links in flight still open', async () => {
    const secret = fakeSecret(OLD_KEY);
    secret.pendingVersion('v-2');
    const message = { bookingId: 'b-1', kind: 'checkin-same-day' as const, at: '2026-06-01T18:00:00Z' };
    const before = createLinkToken(signingKeysOf(parseLinkSecret(OLD_KEY)), message);

    for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await step(name);

    expect(secretsMock).toHaveReceivedCommandWith(PutSecretValueCommand, {
      SecretId: SECRET,
      ClientRequestToken: 'v-2',
      SecretString: JSON.stringify({ current: { id: 1, key: FRESH_KEY }, previous: { id: 0, key: OLD_KEY } }),
      VersionStages: ['AWSPENDING'],
    });
    expect(secretsMock).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
      SecretId: SECRET,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: 'v-2',
      RemoveFromVersionId: 'v-1',
    });
    const keys = signingKeysOf(parseLinkSecret(secret.current()));
    expect(verifyLinkToken(keys, before.token)).toBe(before.linkId);
    const after = createLinkToken(keys, message);
    expect(Buffer.from(after.linkId, 'base64url')[0]).toBe(1);
    // Nothing of either key in the logs.
    expect(logged.join('\n')).not.toMatch(/ooooo|fffff/);
    expect(logged).toHaveLength(4);
  });

  it('retires the key before the previous one at the next rotation', async () => {
    const secret = fakeSecret(
      JSON.stringify({
        current: { id: 255, key: 'c'.repeat(40) },
        previous: { id: 254, key: 'p'.repeat(40) },
      }),
    );
    const oldest = createLinkToken(signingKeysOf({ current: { id: 254, key: 'p'.repeat(40) } }), {
      bookingId: 'b',
      kind: 'checkin-week',
      at: '2026-01-01T00:00:00Z',
    });
    secret.pendingVersion('v-2');
    for (const name of ['createSecret', 'testSecret', 'finishSecret']) await step(name);
    const rotated = parseLinkSecret(secret.current());
    // Ids wrap within the token's one byte.
    expect(rotated).toEqual({
      current: { id: 0, key: FRESH_KEY },
      previous: { id: 255, key: 'c'.repeat(40) },
    });
    expect(verifyLinkToken(signingKeysOf(rotated), oldest.token)).toBeUndefined();
  });

  it('repeats no step twice: a second createSecret keeps the pending value, a second finishSecret does nothing', async () => {
    const secret = fakeSecret(OLD_KEY);
    secret.pendingVersion('v-2');
    await step('createSecret');
    await step('createSecret');
    expect(secretsMock).toHaveReceivedCommandTimes(PutSecretValueCommand, 1);
    await step('finishSecret');
    await step('finishSecret');
    expect(secretsMock).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 1);
  });

  it('refuses a version that is not pending, a broken pending key, and an event that is no rotation step', async () => {
    fakeSecret(OLD_KEY);
    await expect(step('createSecret', 'v-9')).rejects.toThrow('not a version');
    const secret = fakeSecret(OLD_KEY);
    secret.pendingVersion('v-2');
    secretsMock.on(GetSecretValueCommand, { VersionId: 'v-2', VersionStage: 'AWSPENDING' }).resolves({
      SecretString: JSON.stringify({ current: { id: 0, key: OLD_KEY } }),
    });
    await expect(step('testSecret')).rejects.toThrow('does not sign');
    await expect(rotate({ SecretId: SECRET, Step: 'dropSecret' })).rejects.toThrow('not a Secrets Manager');
  });
});
