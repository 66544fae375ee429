import { app } from '@azure/functions';
import { notFoundRoute } from '../openapi/apiRoutes';
import { problem } from './http/problem';

// Unknown paths under /api get the API's problem document instead of the host's empty 404. The
// route refuses every known path (see apiRoutes.ts), so it never competes with the real routes.
// Anonymous: it reveals nothing, and an unknown path should not answer 401.
app.http('notFound', {
  route: notFoundRoute(),
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: async (request) => {
    const { pathname } = new URL(request.url);
    return problem(404, { detail: `Nothing is served at ${request.method} ${pathname}.` });
  },
});
