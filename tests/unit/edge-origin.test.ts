import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCheckinHttpHandler } from '../../functions/handle-checkin-http';
import { createConsoleHttpHandler } from '../../functions/handle-console-http';
import { SecretsManagerOriginProof } from '../../shared/adapters/aws/origin-proof';
import {
  EDGE_ORIGIN_HEADER,
  EDGE_VIEWER_ADDRESS_HEADER,
  edgeVerdict,
  type OriginProofSource,
  requesterIp,
  viewerIp,
} from '../../shared/contracts/edge';
import { edgeOriginSecretFromEnv } from '../../shared/contracts/env';
import { METRIC } from '../../shared/contracts/metrics';

const PROOF = 'p'.repeat(48);
const OLD_PROOF = 'o'.repeat(48);
const source = (accepted: readonly string[] | undefined): OriginProofSource => ({
  accepted: async () => accepted,
});

describe('edgeVerdict', () => {
  it('takes every request when no edge is configured, or its proof could not be read', () => {
    expect(edgeVerdict({}, undefined)).toBe('through');
    expect(edgeVerdict({ [EDGE_ORIGIN_HEADER]: 'anything' }, undefined)).toBe('through');
  });

  it('takes the current and the previous proof, and tells a missing proof from a stale one', () => {
    expect(edgeVerdict({ [EDGE_ORIGIN_HEADER]: PROOF }, [PROOF, OLD_PROOF])).toBe('through');
    expect(edgeVerdict({ [EDGE_ORIGIN_HEADER]: OLD_PROOF }, [PROOF, OLD_PROOF])).toBe('through');
    expect(edgeVerdict({ [EDGE_ORIGIN_HEADER]: OLD_PROOF }, [PROOF])).toBe('stale');
    expect(edgeVerdict({}, [PROOF])).toBe('missing');
    expect(edgeVerdict({ [EDGE_ORIGIN_HEADER]: '' }, [PROOF])).toBe('missing');
    expect(edgeVerdict({ [EDGE_ORIGIN_HEADER]: `${PROOF}x` }, [PROOF])).toBe('stale');
    expect(edgeVerdict({ [EDGE_ORIGIN_HEADER]: PROOF.slice(1) }, [PROOF])).toBe('stale');
  });

  it('refuses any other value', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (given) => {
        fc.pre(given !== PROOF && given !== OLD_PROOF);
        expect(edgeVerdict({ [EDGE_ORIGIN_HEADER]: given }, [PROOF, OLD_PROOF])).toBe('stale');
      }),
    );
  });

  it('reads the secret name from the environment, an empty value meaning no edge', () => {
    expect(edgeOriginSecretFromEnv({ EDGE_ORIGIN_SECRET: 'edge-proof' })).toBe('edge-proof');
    expect(edgeOriginSecretFromEnv({ EDGE_ORIGIN_SECRET: '' })).toBeUndefined();
    expect(edgeOriginSecretFromEnv({})).toBeUndefined();
  });
});

describe('SecretsManagerOriginProof', () => {
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => secrets.reset());

  it('takes the current and previous versions of the secret, read once per 5 minutes', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'edge-proof', VersionStage: 'AWSCURRENT' })
      .resolves({ SecretString: PROOF });
    secrets
      .on(GetSecretValueCommand, { SecretId: 'edge-proof', VersionStage: 'AWSPREVIOUS' })
      .resolves({ SecretString: OLD_PROOF });
    let now = 0;
    const proof = new SecretsManagerOriginProof(new SecretsManagerClient({}), 'edge-proof', () => now);
    expect(await proof.accepted()).toEqual([PROOF, OLD_PROOF]);
    now += 4 * 60_000;
    await proof.accepted();
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    now += 2 * 60_000;
    await proof.accepted();
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 4);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: 'edge-proof',
      VersionStage: 'AWSCURRENT',
    });
  });

  it('takes the current value alone before the first rotation', async () => {
    secrets.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: PROOF });
    secrets
      .on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' })
      .rejects(Object.assign(new Error('no such version'), { name: 'ResourceNotFoundException' }));
    const proof = new SecretsManagerOriginProof(new SecretsManagerClient({}), 'edge-proof');
    expect(await proof.accepted()).toEqual([PROOF]);
  });

  it('keeps the values it had through an outage, and without any skips the check (undefined)', async () => {
    let now = 0;
    secrets.on(GetSecretValueCommand).rejects(new Error('Secrets Manager is down'));
    const cold = new SecretsManagerOriginProof(new SecretsManagerClient({}), 'edge-proof', () => now);
    expect(await cold.accepted()).toBeUndefined();
    secrets.reset();
    secrets.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: PROOF });
    secrets.on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: OLD_PROOF });
    const warm = new SecretsManagerOriginProof(new SecretsManagerClient({}), 'edge-proof', () => now);
    expect(await warm.accepted()).toEqual([PROOF, OLD_PROOF]);
    secrets.reset();
    secrets.on(GetSecretValueCommand).rejects(new Error('Secrets Manager is down'));
    now += 6 * 60_000;
    expect(await warm.accepted()).toEqual([PROOF, OLD_PROOF]);
    // Asked again only after 30 seconds, not on every request of the outage.
    const calls = secrets.commandCalls(GetSecretValueCommand).length;
    now += 10_000;
    await warm.accepted();
    expect(secrets.commandCalls(GetSecretValueCommand).length).toBe(calls);
  });
});

describe('viewerIp', () => {
  it('drops the port from IPv4 and IPv6 viewer addresses', () => {
    expect(viewerIp('198.51.100.7:46532')).toBe('198.51.100.7');
    expect(viewerIp('2001:db8::1:443')).toBe('2001:db8::1');
  });

  it('gives nothing for an absent or malformed header', () => {
    for (const bad of [undefined, '', '198.51.100.7', ':443', '<script>:80', 'a b:1']) {
      expect(viewerIp(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('requesterIp', () => {
  const headers = { [EDGE_VIEWER_ADDRESS_HEADER]: '198.51.100.7:46532' };

  it("audits the viewer's address behind the edge, where the source IP is CloudFront's", () => {
    expect(requesterIp(headers, '130.176.0.1', true)).toBe('198.51.100.7');
    expect(requesterIp({}, '130.176.0.1', true)).toBe('130.176.0.1');
  });

  it('ignores the header without the edge, where any caller could send it', () => {
    expect(requesterIp(headers, '203.0.113.9', false)).toBe('203.0.113.9');
  });
});

describe('the HTTP functions behind the edge', () => {
  const event = (headers: Record<string, string>) =>
    ({
      routeKey: 'GET /c/{token}',
      rawPath: '/c/AAAA',
      rawQueryString: '',
      headers,
      pathParameters: { token: 'AAAA' },
      requestContext: { http: { method: 'GET', sourceIp: '130.176.0.1', userAgent: 'ua' }, requestId: 'r' },
    }) as unknown as APIGatewayProxyEventV2;
  const untouchable = (onUse: () => void) =>
    new Proxy(
      {},
      {
        get: (_target, name) => {
          if (name === 'then') return undefined;
          onUse();
          throw new Error(`reached ${String(name)}`);
        },
      },
    );

  it('answer 403 with the crisis lines, reading nothing, to a request without a proof taken; counting why', async () => {
    let used = 0;
    const counted: string[] = [];
    const warnings: unknown[] = [];
    const log = { info: () => {}, warn: (_m: string, f: unknown) => void warnings.push(f), error: () => {} };
    const checkinDeps = {
      metrics: { count: (name: string) => void counted.push(name), flush: () => {} },
      log,
      links: untouchable(() => used++),
      bookings: untouchable(() => used++),
    } as unknown as Parameters<typeof createCheckinHttpHandler>[0];
    const consoleDeps = new Proxy(
      { log },
      {
        get: (target, name) => {
          if (name === 'log') return target.log;
          used++;
          return undefined;
        },
      },
    ) as unknown as Parameters<typeof createConsoleHttpHandler>[0];
    for (const handler of [
      createCheckinHttpHandler(checkinDeps, source([PROOF])),
      createConsoleHttpHandler(consoleDeps, source([PROOF])),
    ]) {
      for (const headers of [{}, { [EDGE_ORIGIN_HEADER]: 'guess' }] as Record<string, string>[]) {
        const response = await handler(event(headers));
        expect(response.statusCode).toBe(403);
        expect(response.body).toContain('988');
      }
    }
    expect(used).toBe(0);
    expect(counted).toEqual([METRIC.edgeProofMissing, METRIC.edgeProofStale]);
    expect(JSON.stringify(warnings)).not.toContain('guess');
  });

  it('pass a request with a proof taken (the current or the previous one) on to the pages', async () => {
    let origin: { ip?: string } | undefined;
    const consoleDeps = new Proxy(
      {},
      {
        get: (_target, name) => {
          if (name === 'then') return undefined;
          throw new Error(`reached the console (${String(name)})`);
        },
      },
    ) as Parameters<typeof createConsoleHttpHandler>[0];
    await expect(
      createConsoleHttpHandler(
        consoleDeps,
        source([PROOF, OLD_PROOF]),
      )(event({ [EDGE_ORIGIN_HEADER]: OLD_PROOF, [EDGE_VIEWER_ADDRESS_HEADER]: '198.51.100.7:1234' })),
    ).rejects.toThrow(/reached the console/);
    const checkinDeps = {
      metrics: { count: () => {}, flush: () => {} },
      log: { info: () => {}, warn: () => {}, error: () => {} },
      signingKey: {
        get: async () => {
          origin = { ip: 'checked' };
          throw new Error('reached the link check');
        },
      },
    } as unknown as Parameters<typeof createCheckinHttpHandler>[0];
    await createCheckinHttpHandler(
      checkinDeps,
      source([PROOF]),
    )(event({ [EDGE_ORIGIN_HEADER]: PROOF })).catch(() => undefined);
    expect(origin).toEqual({ ip: 'checked' });
  });
});
