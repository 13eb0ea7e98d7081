import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createCheckinHttpHandler } from '../../functions/handle-checkin-http';

describe('handle-checkin-http routing', () => {
  it('answers 404 for a route key it does not serve, without touching its dependencies', async () => {
    let flushed = 0;
    const deps = { metrics: { count: () => {}, flush: () => void flushed++ } } as unknown as Parameters<
      typeof createCheckinHttpHandler
    >[0];
    const handler = createCheckinHttpHandler(deps);
    for (const routeKey of ['$default', 'PUT /c/{token}', 'GET /x/{token}', undefined]) {
      const response = await handler({
        routeKey,
        rawPath: '/c/AAAA',
        headers: {},
        pathParameters: { token: 'AAAA' },
        requestContext: { http: { method: 'GET' } },
      } as unknown as APIGatewayProxyEventV2);
      expect(response.statusCode, String(routeKey)).toBe(404);
    }
    expect(flushed).toBe(4);
  });
});
