/**
 * HTTP edge of POST /events: parses the body, maps errors to the API's error shape (DESIGN 2.6):
 * 400 with field details for a client's mistake, 202 with the ingestion result otherwise.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BadRequestError } from './ingest';

export async function respond(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
  ingest: (body: unknown) => Promise<unknown>,
): Promise<APIGatewayProxyStructuredResultV2> {
  let body: unknown;
  try {
    const text = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : (event.body ?? '');
    body = JSON.parse(text);
  } catch {
    return json(400, { error: { code: 'BAD_REQUEST', message: 'body is not JSON', details: [] } });
  }
  try {
    return json(202, await ingest(body));
  } catch (err) {
    if (err instanceof BadRequestError) {
      return json(400, { error: { code: 'BAD_REQUEST', message: err.message, details: err.details } });
    }
    throw err;
  }
}

const json = (statusCode: number, value: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});
