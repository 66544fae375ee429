import { app } from '@azure/functions';
import { buildOpenApiDocument } from '../openapi/document';
import { settings } from '../settings';
import { methodNotAllowed } from './http/problem';

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
    const document = buildOpenApiDocument({
      maxTargets: settings.maxTargets(),
      maxWaitSeconds: settings.maxWaitSeconds(),
      serverUrl,
    });
    return { status: 200, jsonBody: document, headers: { 'cache-control': 'no-cache' } };
  },
});
