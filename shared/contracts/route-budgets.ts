/*
 * Per-route request budgets of the HTTP API (DESIGN section 8): each route
 * has its own token bucket, so a flood on one (GETs with garbage tokens)
 * cannot starve another (a patient's reply POST, the staff console). The
 * CDK stage sets them as route settings; the local runtime applies the same
 * numbers unless `LOCAL_THROTTLE=0`.
 */

export interface RouteBudget {
  /** Steady requests per second. */
  rateLimit: number;
  /** Requests allowed at once above the steady rate. */
  burstLimit: number;
}

/** Route key (as API Gateway writes it) to its budget. */
export const ROUTE_BUDGETS = {
  'GET /c/{token}': { rateLimit: 10, burstLimit: 20 },
  'POST /c/{token}': { rateLimit: 10, burstLimit: 20 },
  'GET /i/{token}': { rateLimit: 10, burstLimit: 20 },
  'POST /i/{token}': { rateLimit: 10, burstLimit: 20 },
  'GET /a/{token}': { rateLimit: 5, burstLimit: 10 },
  'POST /a/{token}': { rateLimit: 5, burstLimit: 10 },
  'GET /r/{token}': { rateLimit: 5, burstLimit: 10 },
  'GET /console': { rateLimit: 10, burstLimit: 20 },
  'GET /console/{proxy+}': { rateLimit: 10, burstLimit: 20 },
  'POST /console/{proxy+}': { rateLimit: 5, burstLimit: 10 },
  // Booking systems post a delivery per change, and retry bursts after an outage of theirs.
  'POST /hooks/{provider}': { rateLimit: 10, burstLimit: 50 },
} as const satisfies Record<string, RouteBudget>;

export type RouteKey = keyof typeof ROUTE_BUDGETS;

/** The route key a request matches, as the HTTP API routes it; undefined when no budgeted route does. */
export function routeKeyOf(method: string, path: string): RouteKey | undefined {
  const link = /^\/(c|i|a|r)\/[^/]+$/.exec(path);
  const key = link
    ? `${method} /${link[1]}/{token}`
    : path === '/console'
      ? `${method} /console`
      : path.startsWith('/console/')
        ? `${method} /console/{proxy+}`
        : /^\/hooks\/[^/]+$/.test(path)
          ? `${method} /hooks/{provider}`
          : undefined;
  return key !== undefined && key in ROUTE_BUDGETS ? (key as RouteKey) : undefined;
}

/**
 * Token buckets per route, refilled by elapsed time: `take` answers whether a
 * request may go ahead now. `now` is in milliseconds.
 */
export class RouteThrottle {
  private readonly buckets = new Map<RouteKey, { tokens: number; at: number }>();

  constructor(private readonly budgets: Readonly<Record<RouteKey, RouteBudget>> = ROUTE_BUDGETS) {}

  take(route: RouteKey, now: number): boolean {
    const budget = this.budgets[route];
    const bucket = this.buckets.get(route) ?? { tokens: budget.burstLimit, at: now };
    const refilled = Math.min(
      budget.burstLimit,
      bucket.tokens + ((now - bucket.at) / 1000) * budget.rateLimit,
    );
    const allowed = refilled >= 1;
    this.buckets.set(route, { tokens: allowed ? refilled - 1 : refilled, at: now });
    return allowed;
  }
}
