import { describe, expect, it } from 'vitest';
import { ROUTE_BUDGETS, RouteThrottle, routeKeyOf } from '../../shared/contracts/route-budgets';

describe('route budgets', () => {
  it('names the route a request matches, as the HTTP API routes it', () => {
    expect(routeKeyOf('GET', '/c/abc')).toBe('GET /c/{token}');
    expect(routeKeyOf('POST', '/c/abc')).toBe('POST /c/{token}');
    expect(routeKeyOf('GET', '/i/abc')).toBe('GET /i/{token}');
    expect(routeKeyOf('GET', '/console')).toBe('GET /console');
    expect(routeKeyOf('POST', '/console/alerts/a1/acknowledge')).toBe('POST /console/{proxy+}');
    expect(routeKeyOf('POST', '/i/abc')).toBe('POST /i/{token}');
    expect(routeKeyOf('PUT', '/i/abc')).toBeUndefined();
    expect(routeKeyOf('GET', '/local/outbox')).toBeUndefined();
    expect(routeKeyOf('GET', '/c/a/b')).toBeUndefined();
  });

  it('lets a burst through, then the steady rate, each route on its own bucket', () => {
    const throttle = new RouteThrottle();
    const { burstLimit, rateLimit } = ROUTE_BUDGETS['GET /c/{token}'];
    const allowed = Array.from({ length: burstLimit + 5 }, () => throttle.take('GET /c/{token}', 0));
    expect(allowed.filter(Boolean)).toHaveLength(burstLimit);
    // Another route is untouched by the flood.
    expect(throttle.take('POST /c/{token}', 0)).toBe(true);
    // One second later, the steady rate is available again, and no more.
    const later = Array.from({ length: rateLimit + 3 }, () => throttle.take('GET /c/{token}', 1000));
    expect(later.filter(Boolean)).toHaveLength(rateLimit);
  });
});
