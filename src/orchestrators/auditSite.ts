import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import {
  AuditRequest,
  ExtractedLinks,
  FetchPageResult,
  type AuditOutput,
  type AuditReportLocation,
} from '../core/auditSchemas';
import { auditFailedOutput, auditOutput, buildAuditReport } from '../core/auditReport';
import type { CheckResult } from '../core/checkSpec';
import { linksToCheckSpecs } from '../core/links';
import { storageRetry } from './retryPolicies';

export const auditReportBlob = (instanceId: string) => `audits/${instanceId}.json`;

/**
 * Function chaining: each step's output is the next step's input.
 * fetchPage -> extractLinks -> checkSites (sub-orchestration) -> build report (core) -> saveReport.
 */
const auditSite: OrchestrationHandler = function* (context: OrchestrationContext) {
  const request = AuditRequest.parse(context.df.getInput());
  const { instanceId } = context.df;

  context.df.setCustomStatus({ step: 'fetchPage' });
  const page = FetchPageResult.parse(yield context.df.callActivity('fetchPage', { url: request.url }));
  if (!page.ok) {
    const failed: AuditOutput = auditFailedOutput(page);
    return failed;
  }

  context.df.setCustomStatus({ step: 'extractLinks' });
  const extracted = ExtractedLinks.parse(
    yield context.df.callActivity('extractLinks', {
      html: page.html,
      pageUrl: page.finalUrl,
      maxLinks: request.maxLinks,
      sameOriginOnly: request.sameOriginOnly,
    }),
  );

  context.df.setCustomStatus({ step: 'checkLinks', links: extracted.links.length });
  const targets = linksToCheckSpecs(extracted.links);
  let results: CheckResult[] = [];
  if (targets.length > 0) {
    const checked = (yield context.df.callSubOrchestrator(
      'checkSites',
      { name: `links of ${page.finalUrl}`, targets, includeResults: true },
      `${instanceId}:links`,
    )) as { results: CheckResult[] };
    results = checked.results;
  }

  context.df.setCustomStatus({ step: 'buildReport' });
  const report = buildAuditReport({
    page: { url: page.url, finalUrl: page.finalUrl, status: page.status, redirects: page.redirects },
    links: extracted.links,
    results,
    truncated: extracted.truncated,
    generatedAt: context.df.currentUtcDateTime.toISOString(),
  });

  context.df.setCustomStatus({ step: 'saveReport' });
  const location = (yield context.df.callActivityWithRetry('saveReport', storageRetry, {
    blob: auditReportBlob(instanceId),
    document: { instanceId, ...report },
  })) as AuditReportLocation;

  context.df.setCustomStatus({ step: 'done' });
  return auditOutput(report, location);
};

df.app.orchestration('auditSite', auditSite);
