import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { awsCheckinDeps } from '../shared/adapters/aws/composition';
import { type CheckinDeps, handleLinkRequest } from '../shared/domain/checkin';

/**
 * HTTP API target for patient links: `GET|POST /c/{token}` (check-in form and
 * replies) and `GET /i/{token}` (preparation instructions).
 */
export function createCheckinHttpHandler(deps: CheckinDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const page = event.rawPath.startsWith('/i/') ? 'i' : 'c';
    const body =
      event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const contentType = event.headers['content-type'] ?? event.headers['Content-Type'];
    try {
      const response = await handleLinkRequest(deps, {
        method: event.requestContext.http.method,
        page,
        token: event.pathParameters?.token ?? '',
        ...(contentType ? { contentType } : {}),
        ...(body ? { body } : {}),
      });
      return { statusCode: response.status, headers: response.headers, body: response.body };
    } finally {
      deps.metrics.flush();
    }
  };
}

let live: ReturnType<typeof createCheckinHttpHandler> | undefined;

export const handler = (event: APIGatewayProxyEventV2) => {
  live ??= createCheckinHttpHandler(awsCheckinDeps());
  return live(event);
};
