// The app's entry point: the worker loads this file (package.json "main"), and every import
// registers its functions with the Functions host.
import { app } from '@azure/functions';

app.setup({ enableHttpStream: false });

// Activities: the I/O.
import './activities/checkUrl';
import './activities/saveReport';
import './activities/assembleCheckReport';

// Orchestrators: deterministic flow.
import './orchestrators/checkSites';

// Starters: HTTP, queue and timer triggers with the durable client.
import './functions/startChecks';
import './functions/checkRequestsQueue';
import './functions/scheduledSweep';
