import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { awsConsoleDeps } from '../shared/adapters/aws/composition';
import { cameThroughEdge, NOT_THROUGH_EDGE, requesterIp } from '../shared/contracts/edge';
import { edgeOriginProofFromEnv } from '../shared/contracts/env';
import { type ConsoleAppDeps, handleConsoleRequest } from '../shared/web/console/console-app';

/**
 * HTTP API target for the staff console, `/console` and below: sign-in
 * through Cognito, the session cookie, CSRF, pages and staff actions.
 */
export function createConsoleHttpHandler(deps: ConsoleAppDeps, edgeOriginProof?: string) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    if (!cameThroughEdge(event.headers, edgeOriginProof)) return { ...NOT_THROUGH_EDGE };
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
        ip: requesterIp(event.headers, event.requestContext.http.sourceIp, edgeOriginProof !== undefined),
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
  live ??= createConsoleHttpHandler(awsConsoleDeps(), edgeOriginProofFromEnv());
  return live(event);
};
