// The app's entry point: the worker loads this file (package.json "main"), and every import
// registers its functions with the Functions host.

// Activities: the I/O.
import './activities/checkUrl';
import './activities/checkUrls';
import './activities/saveReport';
import './activities/assembleCheckReport';
import './activities/readTargetSlice';
import './activities/deleteRunBlobs';
import './activities/fetchPage';
import './activities/extractLinks';
import './activities/queueAlerts';
import './activities/checkMonitor';
import './activities/recordCheck';

// Orchestrators: deterministic flow.
import './orchestrators/checkSites';
import './orchestrators/auditSite';
import './orchestrators/watchSite';

// Starters: HTTP, queue and timer triggers with the durable client.
import './functions/startChecks';
import './functions/checkRequestsQueue';
import './functions/scheduledSweep';
import './functions/startAudit';
import './functions/monitorsApi';
import './functions/keepMonitors';
import './functions/deliverAlert';
import './functions/getRun';
import './functions/purgeHistory';
import './functions/purgeRuns';
import './functions/openapi';
import './functions/statusPage';
import './functions/notFound';
