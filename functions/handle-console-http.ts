import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { awsConsoleDeps, awsOriginProof } from '../shared/adapters/aws/composition';
import { edgeVerdict, NOT_THROUGH_EDGE, type OriginProofSource, requesterIp } from '../shared/contracts/edge';
import { type ConsoleAppDeps, handleConsoleRequest } from '../shared/web/console/console-app';

/**
 * HTTP API target for the staff console, `/console` and below: sign-in
 * through Cognito, the session cookie, CSRF, pages and staff actions.
 */
export function createConsoleHttpHandler(deps: ConsoleAppDeps, edge?: OriginProofSource) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const accepted = await edge?.accepted();
    const verdict = edgeVerdict(event.headers, accepted);
    if (verdict !== 'through') {
      deps.log.warn('request refused: it did not come through the edge', { verdict });
      return { ...NOT_THROUGH_EDGE };
    }
    const body =
      event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    // HTTP API v2 hands cookies over apart from the headers.
    const cookie = event.cookies?.join('; ') ?? event.headers.cookie;
    const response = await handleConsoleRequest(deps, {
      method: event.requestContext.http.method,
      path: event.rawPath,
      query: event.rawQueryString ?? '',
      headers: { ...event.headers, cookie },
      ...(body ? { body } : {}),
      origin: {
        // CloudFront's viewer address only when the proof was checked (never on a request that skipped it).
        ip: requesterIp(event.headers, event.requestContext.http.sourceIp, accepted !== undefined),
        userAgent: event.requestContext.http.userAgent,
        requestId: event.requestContext.requestId,
      },
    });
    return {
      statusCode: response.status,
      headers: response.headers,
      cookies: response.cookies,
      body: response.body,
    };
  };
}

let live: ReturnType<typeof createConsoleHttpHandler> | undefined;

export const handler = (event: APIGatewayProxyEventV2) => {
  live ??= createConsoleHttpHandler(awsConsoleDeps(), awsOriginProof());
  return live(event);
};
