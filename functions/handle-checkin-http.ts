import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { awsCheckinDeps, awsOriginProof } from '../shared/adapters/aws/composition';
import { edgeVerdict, NOT_THROUGH_EDGE, type OriginProofSource } from '../shared/contracts/edge';
import { METRIC } from '../shared/contracts/metrics';
import type { StaffLinkDeps } from '../shared/domain/alerts/staff-links';
import type { CheckinDeps } from '../shared/domain/checkins/checkin';
import { handleLinkRequest } from '../shared/web/patient/patient-link';
import { handleStaffLinkRequest } from '../shared/web/staff/staff-link';

/**
 * HTTP API target for signed links: patients' `GET|POST /c/{token}` (check-in
 * form and replies) and `GET|POST /i/{token}` (preparation instructions, the readiness form), and
 * the older staff links `GET|POST /a/{token}` and `GET /r/{token}`, which
 * redirect to the console.
 */
export function createCheckinHttpHandler(deps: CheckinDeps & StaffLinkDeps, edge?: OriginProofSource) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const verdict = edgeVerdict(event.headers, await edge?.accepted());
    if (verdict !== 'through') {
      // A stale proof means CloudFront and the functions disagree (alarmed); a missing one, a direct caller.
      deps.metrics.count(verdict === 'stale' ? METRIC.edgeProofStale : METRIC.edgeProofMissing);
      deps.log.warn('request refused: it did not come through the edge', { verdict, route: event.routeKey });
      deps.metrics.flush();
      return { ...NOT_THROUGH_EDGE };
    }
    // Routed on the API's route key, never guessed from the path: anything else is not ours to answer.
    const page = /^(?:GET|POST) \/(c|i|a|r)\/\{token\}$/.exec(event.routeKey ?? '')?.[1] as
      | 'c'
      | 'i'
      | 'a'
      | 'r'
      | undefined;
    if (page === undefined) {
      deps.metrics.flush();
      return { statusCode: 404, headers: { 'Content-Type': 'text/plain' }, body: 'Not found' };
    }
    const body =
      event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const contentType = event.headers['content-type'] ?? event.headers['Content-Type'];
    try {
      const request = {
        method: event.requestContext.http.method,
        token: event.pathParameters?.token ?? '',
        ...(contentType ? { contentType } : {}),
        ...(body ? { body } : {}),
      };
      const response =
        page === 'a' || page === 'r'
          ? await handleStaffLinkRequest(deps, { method: request.method, token: request.token, page })
          : await handleLinkRequest(deps, { ...request, page });
      return { statusCode: response.status, headers: response.headers, body: response.body };
    } finally {
      deps.metrics.flush();
    }
  };
}

let live: ReturnType<typeof createCheckinHttpHandler> | undefined;

export const handler = (event: APIGatewayProxyEventV2) => {
  live ??= createCheckinHttpHandler(awsCheckinDeps(), awsOriginProof());
  return live(event);
};
