import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCheckinHttpHandler } from '../../functions/handle-checkin-http';
import { createConsoleHttpHandler } from '../../functions/handle-console-http';
import {
  cameThroughEdge,
  EDGE_ORIGIN_HEADER,
  EDGE_VIEWER_ADDRESS_HEADER,
  requesterIp,
  viewerIp,
} from '../../shared/contracts/edge';
import { edgeOriginProofFromEnv } from '../../shared/contracts/env';

const PROOF = 'p'.repeat(48);

describe('cameThroughEdge', () => {
  it('takes every request when no edge is configured', () => {
    expect(cameThroughEdge({}, undefined)).toBe(true);
    expect(cameThroughEdge({ [EDGE_ORIGIN_HEADER]: 'anything' }, undefined)).toBe(true);
  });

  it('takes a request only with the exact proof', () => {
    expect(cameThroughEdge({ [EDGE_ORIGIN_HEADER]: PROOF }, PROOF)).toBe(true);
    expect(cameThroughEdge({}, PROOF)).toBe(false);
    expect(cameThroughEdge({ [EDGE_ORIGIN_HEADER]: '' }, PROOF)).toBe(false);
    expect(cameThroughEdge({ [EDGE_ORIGIN_HEADER]: `${PROOF}x` }, PROOF)).toBe(false);
    expect(cameThroughEdge({ [EDGE_ORIGIN_HEADER]: PROOF.slice(1) }, PROOF)).toBe(false);
  });

  it('refuses any other value', () => {
    fc.assert(
      fc.property(fc.string(), (given) => {
        fc.pre(given !== PROOF);
        expect(cameThroughEdge({ [EDGE_ORIGIN_HEADER]: given }, PROOF)).toBe(false);
      }),
    );
  });

  it('reads the proof from the environment, an empty value meaning no edge', () => {
    expect(edgeOriginProofFromEnv({ EDGE_ORIGIN_PROOF: PROOF })).toBe(PROOF);
    expect(edgeOriginProofFromEnv({ EDGE_ORIGIN_PROOF: '' })).toBeUndefined();
    expect(edgeOriginProofFromEnv({})).toBeUndefined();
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
      requestContext: { http: { method: 'GET', sourceIp: '203.0.113.9', userAgent: 'ua' }, requestId: 'r' },
    }) as unknown as APIGatewayProxyEventV2;

  it('answer 403 with the crisis lines, reading nothing, to a request without the proof', async () => {
    let used = 0;
    const touch = () => {
      used++;
      throw new Error('must not be reached');
    };
    const checkinDeps = {
      metrics: { count: touch, flush: () => {} },
      links: { get: touch },
    } as unknown as Parameters<typeof createCheckinHttpHandler>[0];
    const consoleDeps = new Proxy({}, { get: touch }) as Parameters<typeof createConsoleHttpHandler>[0];
    for (const handler of [
      createCheckinHttpHandler(checkinDeps, PROOF),
      createConsoleHttpHandler(consoleDeps, PROOF),
    ]) {
      for (const headers of [{}, { [EDGE_ORIGIN_HEADER]: 'guess' }] as Record<string, string>[]) {
        const response = await handler(event(headers));
        expect(response.statusCode).toBe(403);
        expect(response.body).toContain('988');
      }
    }
    expect(used).toBe(0);
  });

  it('pass a request with the proof on to the pages', async () => {
    let reached = false;
    const consoleDeps = new Proxy(
      {},
      {
        get: () => {
          reached = true;
          throw new Error('reached the console');
        },
      },
    ) as Parameters<typeof createConsoleHttpHandler>[0];
    await expect(
      createConsoleHttpHandler(consoleDeps, PROOF)(event({ [EDGE_ORIGIN_HEADER]: PROOF })),
    ).rejects.toThrow();
    expect(reached).toBe(true);
  });
});
