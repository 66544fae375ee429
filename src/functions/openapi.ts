import { app } from '@azure/functions';
import { buildOpenApiDocument } from '../openapi/document';
import { settings } from '../settings';
import { CompressibleBody, compressedResponse } from './http/compressedResponse';
import { methodNotAllowed } from './http/problem';

// The document of the last base URL and limits, with its ETag and compressed forms: it is the same
// for every request to one deployment.
let last: { key: string; body: CompressibleBody } | undefined;

// GET /api/openapi.json: the API description, generated from the schemas the handlers use, with the
// limits this deployment runs with. Anonymous so tools can load it; it holds no data.
app.http('openapi', {
  route: 'openapi.json',
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  authLevel: 'anonymous',
  handler: async (request) => {
    if (request.method !== 'GET') return methodNotAllowed(['GET']);
    // The API base is the folder this document is served from (…/api/openapi.json -> …/api).
    const serverUrl = new URL('.', request.url).href.replace(/\/$/, '');
    const limits = {
      maxTargets: settings.maxTargets(),
      maxWaitSeconds: settings.maxWaitSeconds(),
      serverUrl,
    };
    const key = JSON.stringify(limits);
    if (last?.key !== key)
      last = {
        key,
        body: new CompressibleBody(JSON.stringify(buildOpenApiDocument(limits)), { etag: true }),
      };
    // no-cache: clients revalidate every time, and the ETag turns that into a 304 without a body.
    return compressedResponse(request, last.body, {
      'content-type': 'application/json',
      'cache-control': 'no-cache',
    });
  },
});
