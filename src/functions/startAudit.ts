import { AuditRequest } from '../core/auditSchemas';
import { parseJsonBody } from './http/body';
import { durableRoute } from './http/route';
import { parseWait, startedResponse } from './http/started';

// POST /api/audits: a broken-link and redirect audit of one page.
durableRoute('startAudit', 'audits', {
  POST: async (request, client) => {
    const wait = parseWait(request);
    if (!wait.ok) return wait.response;
    const body = await parseJsonBody(request, AuditRequest);
    if (!body.ok) return body.response;
    const instanceId = await client.startNew('auditSite', { input: body.value });
    return startedResponse(client, request, instanceId, wait.value);
  },
});
