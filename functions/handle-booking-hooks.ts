import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { awsBookingHookDeps, awsOriginProof } from '../shared/adapters/aws/composition';
import { edgeVerdict, NOT_THROUGH_EDGE, type OriginProofSource } from '../shared/contracts/edge';
import { METRIC } from '../shared/contracts/metrics';
import {
  type BookingHookDeps,
  HOOK_PROVIDERS,
  receiveBookingHook,
} from '../shared/domain/hooks/booking-hooks';

const JSON_TYPE = { 'Content-Type': 'application/json' };

/**
 * HTTP API target of `POST /hooks/{provider}` (DESIGN section 12): booking systems' webhooks, each delivery
 * turned into booking events on the bus. A failure (the bus or the table) answers 503 so the provider retries;
 * the retry re-puts the same event with the same version.
 */
export function createBookingHooksHandler(deps: BookingHookDeps, edge?: OriginProofSource) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      const verdict = edgeVerdict(event.headers, await edge?.accepted());
      if (verdict !== 'through') {
        deps.metrics.count(verdict === 'stale' ? METRIC.edgeProofStale : METRIC.edgeProofMissing);
        deps.log.warn('request refused: it did not come through the edge', {
          verdict,
          route: event.routeKey,
        });
        return { ...NOT_THROUGH_EDGE };
      }
      if (event.routeKey !== 'POST /hooks/{provider}') {
        return { statusCode: 404, headers: JSON_TYPE, body: JSON.stringify({ error: 'not found' }) };
      }
      const rawBody =
        event.body && event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : (event.body ?? '');
      const provider = event.pathParameters?.provider ?? '';
      try {
        const answer = await receiveBookingHook(deps, { provider, rawBody, headers: event.headers });
        return { statusCode: answer.status, headers: JSON_TYPE, body: JSON.stringify(answer.body) };
      } catch (error) {
        deps.metrics.count(METRIC.hookFailed);
        deps.log.error('booking webhook failed; the provider will retry', {
          provider: (HOOK_PROVIDERS as readonly string[]).includes(provider) ? provider : 'other',
          error: error instanceof Error ? error.name : 'unknown',
        });
        return { statusCode: 503, headers: JSON_TYPE, body: JSON.stringify({ error: 'try again later' }) };
      }
    } finally {
      deps.metrics.flush();
    }
  };
}

let live: ReturnType<typeof createBookingHooksHandler> | undefined;

export const handler = (event: APIGatewayProxyEventV2) => {
  live ??= createBookingHooksHandler(awsBookingHookDeps(), awsOriginProof());
  return live(event);
};
