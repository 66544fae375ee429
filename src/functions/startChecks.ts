import { checkRequestSchema } from '../core/checkSpec';
import { settings } from '../settings';
import { checkRequestBodyLimit, parseJsonBody } from './http/body';
import { durableRoute } from './http/route';
import { startCheckRun } from './startCheckRun';
import { parseWait, startedResponse } from './http/started';

// POST /api/checks: validate everything first, so a request never starts a half-valid job.
durableRoute('startChecks', 'checks', {
  POST: async (request, client) => {
    const wait = parseWait(request);
    if (!wait.ok) return wait.response;
    const maxTargets = settings.maxTargets();
    const body = await parseJsonBody(request, checkRequestSchema({ maxTargets }), {
      maxBytes: checkRequestBodyLimit(maxTargets),
    });
    if (!body.ok) return body.response;
    const instanceId = await startCheckRun(client, body.value);
    return startedResponse(client, request, instanceId, wait.value);
  },
});
