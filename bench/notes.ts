// The hand-kept part of BENCHMARKS.md: what each section measures, how, and what it decided. The
// tables are generated from the run; these words are not, so keep them true when the code changes.

const fanOut = `**What runs.** \`checkSites\` on tests/host (the app's real registrations from dist/, every episode
replayed by the real durable-functions SDK, activities at host.json \`maxConcurrentActivityFunctions\`
= 32) against an instant keep-alive target on 127.0.0.1 in its own process, with Azurite for the
reports. Each case is a fresh process: start the host, warm up (1,000 checks and a 200-target
partitioned run), then measure *pairs*: a baseline, then a run. Code: bench/fanOut/.

**Definitions.**
- *wall s*: \`startNew\` to \`Completed\`.
- *baseline s*: the same N checks as direct \`checkUrl\` invocations through the host's invoker, in a
  closed loop at the same concurrency (32), no orchestration.
- *overhead* = wall - baseline: what the orchestration adds (scheduling, replays, history, progress,
  sub-orchestrations, report blobs), per target in µs. *CPU overhead*: the same in this process's
  CPU time. Both are the minimum over the case's pairs (\`pairs\`): load from other processes only ever
  adds time, and the overhead is a small difference of two larger times.
- *orchestrator µs/target*: time spent inside \`checkSites\` invocations (SDK replay plus our generator)
  over every episode of every instance, measured directly. It is the part of the overhead the Node
  worker also pays in Azure; the rest of the host's work stands in for the Durable extension, which
  runs in the Functions host and storage there.
- *episodes*, *events replayed*: per instance, the sum over its episodes of the history length handed
  to the SDK (computed from the committed history by bench/fanOut/replayedEvents.ts and checked
  against the host's own episode count), summed over the run and its partitions.
- *of it GC µs/target*: the part of the orchestrator time spent in garbage-collection pauses that
  fell inside orchestrator invocations (the runtime's \`gc\` performance entries against each
  invocation's interval); *GC s*: all GC pauses during the run. Both from the run with the smallest
  orchestrator time.
- *peak RSS*: the case process's maxrss (host, SDK, activities; Azurite and the target are other processes).
- *flat*: the same code with \`partitionSize\` set beyond any N (one instance). \`partitionSize\` and
  \`progressChunkSize\` are orchestration inputs used only by this benchmark (the starters never set them).
- *by reference*: the production path for a request over PARTITION_SIZE targets: validated as the
  starter does, written once as blob slices of 500, started with a reference; a tree of
  sub-orchestrations (at most FAN_OUT = 20 children per node) whose partitions read their own slices.
  Wall time includes the validation and the slice uploads. At 100,000 there are two runs (one in each
  of two processes) and no baseline (a baseline alone would take minutes here), so its overhead columns are empty.
- *parent history*: the top-level instance's history, events and JSON bytes: what every replay of
  the parent is handed, and what Azure Storage loads for it.
- Goals: total wall-time overhead and orchestrator time at 10,000 targets / at 1,000 <= 12 (issue 8),
  held on the design a request of that size runs: by reference. Since issue 16 the starter sends every
  request over PARTITION_SIZE by reference, and inline partitions are left to audits (at most 1,000
  links), so their 10,000 rows are shown for reference only. A wall-time overhead at or below zero is
  inside the noise and its ratio is not judged. By reference, orchestrator µs per target at 100,000 <=
  1.2x the figure at 1,000, and the parent's history bytes flat in N (at 100,000 / at 10,000 <= 1.1;
  below FAN_OUT x 500 = 10,000 targets the root has fewer children, so its history is smaller still).
  Each of these is a minimum over repeated runs in several fresh processes (\`pairs\`: processes x runs):
  3 x 5 at 1,000, 3 x 3 at 10,000, 2 x 1 at 100,000; the row is the process with the smallest
  orchestrator time, peak RSS the largest of them.
- Since the cost cut ("Cost of a check") checks run 10 to a \`checkUrls\` activity, so a partition of
  500 schedules 50 activities, not 500: histories, episodes and events replayed are several times
  smaller than in the runs that chose PARTITION_SIZE (below), which were one activity per check.

**Reading it.** The flat design's replays grow faster than N (every episode re-reads a history that
grows with N); partitions bound every history by PARTITION_SIZE, so replays, orchestrator time and
overhead grow about linearly. The test host delivers completions that arrive while an episode is
pending in one batch, so a flat run here needs few episodes. The Azure Storage provider pulls
control-queue messages 32 at a time by default (\`controlQueueBatchSize\`, Durable Functions host.json
settings), so a flat run there replays its long history far more often than here, while a partition's
replays stay bounded either way. The wall-time overhead is a few hundred ms on top
of several seconds of checks on a shared 2-core machine: expect about +/-0.3 s between runs; the
orchestrator time and the replay counts are the steady figures.

**What the figures changed.**
- The parent of a partitioned run validated all N targets (zod, URL parsing) in every episode, and its
  episodes grow with the number of partitions: a cost in N^2 / PARTITION_SIZE. It now validates only
  the envelope; each partition validates its own slice (commit "perf(fan-out): ..."; orchestrator time
  at N = 10,000 went from 878 ms to 603 ms in that commit's measurement).
- **PARTITION_SIZE = 500, kept** (decided 2026-11-25 from the tuning runs at N = 10,000, repeated over
  several runs). Orchestrator time per target is about the same from 100 to 1,000 (within the noise,
  roughly 40-60 µs) and doubles at 2,500. Events replayed are lowest up to 500 and grow beyond it (at
  1,000 about a third more, at 2,500 more than twice as many), because a longer history is replayed
  more often; that history is also what Azure Storage loads for every replay. Smaller partitions buy
  nothing here and cost more instances, episodes, part blobs and sub-orchestration messages (at 100:
  101 instances and about 4x the episodes), each a storage transaction in Azure. 500 is the largest
  size that keeps replays at their minimum, and it keeps each history near 1,000 events.
- **PROGRESS_CHUNK_SIZE = 50, kept.** 10, 50 and 250 differ by less than the run-to-run noise in every
  measure, so the chunk is chosen for progress granularity alone: customStatus moves every 50 checks
  inside a partition, 10 steps per 500.
- Peak RSS does not separate the designs reliably on this host: it keeps every history in memory and
  runs the activities in the same process.

- **Targets by reference** (issue 16). The parent of an inline partitioned run carried all N targets:
  in its input (ExecutionStarted, handed back to every replay) and in its sub-orchestration inputs
  (the SDK returns the full action list on every episode), megabytes per parent episode at 100,000.
  Compare *parent history KiB* in the table: an inline partitioned parent at 1,000 holds the targets,
  the by-reference parent holds a reference and at most 20 small children at any N, and its summary is
  computed by \`assembleCheckReport\` from the part blobs, so no latencies travel up the tree either.
- The tuning runs at N = 10,000 (partition sizes 100 to 2,500, chunks 10 and 250) are no longer part of
  the default run, which had to make room for the 100,000-target run inside its time budget:
  \`npm run bench -- --tuning\` adds them (BENCHMARKS.md at commit 1a261f4 has their last table).
  They have not been repeated since checks were batched.
- **Orchestrator µs/target at 100,000 / at 1,000 (issue 16, goal <= 1.2).** Until 2026-11-30 18:40
  the 100,000 case ran once, and two full runs on a quiet machine gave x0.86 and x1.43. The parent is
  not what grows: its history is flat and a node never has more than FAN_OUT children, and per target
  the 100,000 run has no more episodes or replayed events than the 1,000 one. The new GC columns show
  what moved: in one process, tests/host holds every history and result of 221 instances next to the
  orchestrators (peak RSS about 1.1 GiB against 0.3), and with that heap GC takes 8 to 13 s of a 37 to
  62 s run. Pauses that land inside orchestrator invocations are 2 to 4 µs of the 8 to 13 µs per target
  at 100,000, and none at 1,000 (two single runs at 100,000 outside the bench: 11.8 and 13.0
  µs/target with 3.0 and 3.9 of it GC; three at 10,000: 8.3 to 15.6 with 0 to 3.3). On Azure the
  host's state is in storage and the worker's heap holds only the episodes in flight. A larger young
  generation (\`--max-semi-space-size=32\`) cut GC and orchestrator time at 10,000 in one A/B pair
  (13.0 -> 8.7 µs/target), but it would tune the test host's heap, not the app's, so the bench does
  not use it. Nothing in the code grows with N, and the spread is between processes more than between
  runs: at 1,000, four processes of 5 runs each gave 7.1, 13.2, 13.8 and 12.1 µs/target (minimum of
  each), so the whole process is fast or slow. Full runs on 2026-11-30 with the by-reference sizes
  each in one process (5, 3 and 2 runs): x1.11 (18:40) and x1.29 (19:46; total orchestrator time at
  10,000 / at 1,000 x13.58 in that run, over the goal of 12). Since then every size runs in several
  processes (above), and the table's run is the first with it. Cut on the way earlier: every episode of a partition re-validated
  its 500-spec slice with zod; \`readTargetSlice\` now validates it once, as an activity, and the
  partition takes the specs from its history (7.2 and 13.0 µs/target after it, from 24.4 and 31.0,
  a third to a half of the orchestrator time at both sizes).

**This machine.** Two cores, usually shared with other sessions' builds and tests (the table's run
had the machine to itself); the run takes
its turn under \`flock /tmp/sitewatch-heavy.lock\`, but the load average at the start (above) is the
contention it ran under. Wall-time overheads are a small difference of two larger times and can come
out negative under that load; read the orchestrator time, the counts and the history sizes.`;

const throughput = `**What runs.** One node:http keep-alive server on 127.0.0.1 answering \`200 ok\`, in its own
process: on this 2-core machine the client being measured has a core to itself and the server's work
is not charged to it. The four ways drive it at the same concurrency C = 32, host.json's
\`maxConcurrentActivityFunctions\` (the checks one worker runs at once), each with its own keep-alive
agent:
- *checkUrl*: \`checkUrlActivity({ url })\` as built in dist/ (what ships), the activity's code path: CheckSpec validation, the guarded
  request (guarded agents, the IP-literal network check, one deadline for the whole exchange, redirects
  handled by us, the body streamed and counted but not kept), assertions and the result. Loopback needs
  \`allowPrivateNetworks\`, the only difference from production.
- *axios*: \`axios.get(url)\` on a keep-alive agent (buffers the body, goes through follow-redirects).
- *node:http*: \`http.get\` with a keep-alive agent, body drained.
- *autocannon*: \`node_modules/.bin/autocannon -c 32 -d 2 --json\`, its own process.

The in-process ways take turns in 250 ms windows, 4 per round over 8 rounds in rotating order after a
1 s warm-up each; autocannon runs once per round. A way's rate is its total requests over its total
measured time, so load that comes and goes on the machine hits every way alike. *client CPU
µs/request* is this process's CPU time per request (in-process ways). Code: bench/throughput/.

**What the figures say.** The check path keeps the things that would hold it back out of the hot path,
as the HTTP client was built (src/activities/http): agents are created once per address policy and
reused (no per-call agent or TLS set-up), there is one axios instance configured once, bodies are
streamed and counted rather than buffered, and redirects are followed by us with \`maxRedirects: 0\`,
so axios does not wrap every request in follow-redirects. That is why checkUrl lands close to bare
axios although it does more per request. Per-request cost over a minimal streaming axios call, from
profiles and A/B runs while building this: about 55 µs for the abort signal and deadline timer plus
our headers, 45 µs for the rest of guardedRequest (URL and hop checks, result), 55 µs for validation,
assertions and the result object; axios itself is about a fifth of the client's CPU, which is most of
the gap to raw node:http. Nothing here was worth changing in the HTTP client: the goal is met.

**Round 2 (issue 16, goal 0.95).** CPU profiles (node --cpu-prof, checkUrl and the axios loop 6 s
each at C = 32) named three costs that were not checking: readBody detached its four listeners
from every finished body (events removeListener, the largest single item, about 19 µs a request in
the profile); the bench loaded src/ through tsx, whose keepNames helper ran on every closure a check
creates (about 10 µs); and the IP-literal hop check parsed the same address on every request. Cut:
readBody leaves the listeners on a body that ended (each ignores what comes after settling; a cut-off
body still detaches them), the bench drives dist/, address verdicts are remembered per policy (at most
1,024). Left, being the security behaviour itself: CheckSpec validation (zod, the largest remaining
item), the abort signal and deadline timer, the settings read, our headers. Before/after, one paired
run per line, 24 rounds of rotating 300 ms windows with the axios loop (load average 6 to 7 on
2 cores); before is the old code as the bench ran it (src/ through tsx), after is this code (dist/):
checkUrl / axios 0.78 -> 0.86 (per-round median 0.83 -> 0.94, minimum 0.30 -> 0.37; client CPU
434 -> 401 µs/request, axios 350), then 0.93 -> 0.86 (median 0.88 -> 0.90, minimum 0.25 -> 0.19).
Per-round ratios spread from 0.19 to above 1 at this load, wider than these cuts, so neither run
shows the 0.95 goal met or missed; that needs a quiet machine.

**Round 3 (issue 16).** A new profile (node --cpu-prof, the checkUrl loop alone, 6 s at C = 32, from
dist/) put the largest item inside axios: \`mergeConfig\` was a quarter of the time a request spent
in axios, most of it deep-copying axios's default header tree (common, get, post, ...) into every
request's config, headers that never reach the wire here (DEFAULT_HEADERS sets Accept, Content-Type is
ours or \`false\`). Then zod (about 3.4% of the process's busy CPU, ~25 µs a check) and the
AbortController, its signal and axios's listener on it (~2.5%). Cut: the instance's default headers are
empty; a bare URL target (a string or \`{ url }\` alone, what sweeps mostly hold) is validated by a
plain function with the same rules, and anything else or any rejection still goes through the schema
(tests/core/checkSpec.test.ts holds both to the same answers with fast-check); the deadline ends the
exchange by destroying the request under way through the transport axios is given, so no signal is
created or listened to (tests/activities/checkUrl.httpClient.test.ts: DNS that never answers, a
redirect body that trickles past the deadline, a caller abort). The settings read was 0.6% and stays.
Before/after, one process, the old dist/ and the new side by side with the axios loop, 24 rounds of
rotating 300 ms windows, twice (load average 6.7 to 7.8 on 2 cores): checkUrl / axios 0.83 -> 1.16
(per-round median 0.87 -> 1.20; client CPU 475 -> 357 µs/request, axios 400), then 0.81 -> 1.11
(median 0.80 -> 1.09; CPU 395 -> 289, axios 301). The check now costs less client CPU than the bare
axios loop, which buffers its body and goes through follow-redirects. The bench's own section after
these commits (\`npm run bench -- --only=throughput\`, 8 rounds, load average 1.6 at the start and 5.1
at the end): checkUrl / axios = 0.95 (696 and 732 requests/s; client CPU 731 and 658 µs/request); the
table below is still the last full run's.`;

const coldStart = `**What runs.** A fresh \`node\` process per measurement loads files the way the Functions worker
does: package.json \`main\` (\`dist/src/{index.js,functions/*.js}\`), in order, with \`@azure/functions-core\`
served by tests/host's stand-in, installed before the clock starts, so every function registers (the
*functions* column counts them). The loader child is pre-bundled JS, so no TypeScript loader is on the
clock. *load ms* is first require to last registration; *process ms* is spawn to exit as the parent
saw it (Node's own start-up included). The baseline loads only \`@azure/functions\` and
\`durable-functions\`. Variants alternate in rotating order, 15 rounds; the ratio is the median of the
per-round ratios to the baseline. Code: bench/coldStart/.

**What the figures changed.**
- The storage and identity SDKs (about 600 modules) loaded with the app although no starter uses them.
  They now load on first use (src/activities/storage/blobs.ts): the unbundled ratio went from 3.2 to
  1.6 in that commit's measurement.
- The rest of the unbundled gap is mostly module loading itself (about 200 more modules: zod, which
  the schemas build at load, htmlparser2, cron-parser, our own files). One esbuild bundle
  (scripts/bundleApp.ts) loads about as fast as the SDKs alone: one file to resolve, read and compile
  instead of hundreds. \`@azure/functions-core\` (provided by the worker) and the lazily loaded storage
  SDKs stay outside it.
- **The deployment package should ship the bundle**: after staging, run
  \`npx tsx scripts/bundleApp.ts --package dist/azure-package\` (the azure.yaml \`prepackage\` hook). It
  replaces the staged dist/src with the bundle (dist/src/sitewatch.js since round 2) and
  dist/src/index.js, which the unchanged \`main\` glob still matches and which loads the bundle, so the
  worker finds every registration. \`npm start\` (\`func start\`), tests/host and the tests keep
  the unbundled tsc build. tests/bench/bundleApp.test.ts loads the bundle in tests/host: the same
  functions register, and a checkSites run completes and saves its report through the SDK loaded from
  outside the bundle. \`func start\` itself cannot run here; bundling with \`@azure/functions-core\`
  external is reported to work on Azure (Azure/azure-functions-nodejs-library#201, #260).
- **Round 2 (issue 16, goal <= 1.0).** A start-up profile of the bundle (node --cpu-prof on the
  loader child) showed reading the 4.2 MiB file as the largest single item, then modules the app
  evaluates at load but uses later or never: htmlparser2 with its DOM builder, serializer and entity
  tables (about 5% of the load; only extractLinks uses its Parser), cron-parser with luxon (only the
  sweep timer uses it), and the bundle carried code that never runs at start: the Table SDK with the
  core-* packages under it (loaded on first use like the blob SDK, but bundled: a sixth of the file)
  and every zod locale (a fifth; the app only uses English, which zod sets itself). Cut:
  htmlparser2 and cron-parser load on first use (a synchronous require where they are used, so the
  unbundled app gains too); \`@azure/data-tables\` stays outside the bundle with the other storage
  SDKs; the bundle's zod locale index holds English only (an esbuild plugin in scripts/bundleApp.ts;
  tests/bench/bundleApp.test.ts checks the German texts are gone and the English ones there);
  whitespace is minified (renaming identifiers too made the load slower here: 1.70x against 1.50x
  unminified in one paired run). Node 22.1+ has \`module.enableCompileCache()\`: the package's entry
  (dist/src/index.js) now calls it, guarded, before it requires the bundle (dist/src/sitewatch.js), so
  V8's compiled code for the bundle and the SDKs it loads later is kept under os.tmpdir() and a later
  start of the same instance skips most compiling. Node 20 has no such function (the call is skipped)
  and there is no Node 22 on this machine, so what it adds on Azure is not measured here.
  Before/after in one paired run (15 rounds, rotating order, each a fresh process; load average 2.5 to
  3.5): the old code bundled as before 1.30x the SDKs alone (load; 1.22x process), this code bundled as
  now 0.95x (0.99x process); the bundle went from 4,176 to 1,972 KiB. The bench's own section after
  these commits (\`npm run bench -- --only=coldstart\`, 15 rounds, load average 2.1): bundled 0.98x
  (process 0.97x), unbundled 1.71x (process 1.58x). On a quiet machine (load average 0.2, nothing
  else running) that code missed the goal: 1.13x in a full run, 1.08x and 1.11x in two
  \`--only=coldstart\` runs right after, since the SDKs' own files load fastest there.

  Round 3 (quiet machine, \`--only=coldstart\`, 15 rounds each, 1.5 to 1.9 load average):
  - htmlparser2 and cron-parser (with the DOM, entity and date libraries under them) stay outside the
    bundle like the storage SDKs: they load on first use, but bundled code is still read and
    pre-parsed at every start. Bundled 1.08x, 1.03x, 0.88x, 1.03x, 1.09x, 1.05x in six runs.
  - durable-functions requires all of \`validator\` for \`isURL\` alone; an esbuild plugin makes
    \`validator\` in the bundle that one function (tests/bench/bundleApp.test.ts runs the durable
    client's URL handling through it). Bundled 0.96x, 0.96x and 0.97x in three runs; the bundle went
    from 1,972 to 1,441 KiB.
  - Later the same day the response compression and the run retention added 16 KiB (1,457 KiB): full
    runs since gave 0.74x (before them), 1.01x and 0.98x (the table's run). The goal is met by a few
    percent, within what one run moves.`;

const cost = `**What runs.** One process (bench/cost/costChild.ts) runs on tests/host, with Azurite for the
blobs: a sweep of 1,000 targets as the starters start it (by reference: two slices, two partitions),
a sweep of 100 targets (inline, one instance), a 60-second monitor for 48 rounds of virtual time, and
an audit of a page with 100 links. It counts, from every execution's committed history
(bench/cost/counts.ts, tests/bench/costCounts.test.ts): events and their JSON bytes, episodes, the
messages the backend delivered (execution starts, activity work items and results, sub-orchestration
results, timers, events) and payloads over 45 KiB; and the app's blob requests on the wire (Node's
\`http.client.request.start\` diagnostics channel, filtered to Azurite's blob port). Counts are divided by
the unit: a check, a monitor round, an audit link.

**The formula** (bench/cost/model.ts). Azure Storage backend, per unit: queue operations = 3 x messages
(put, get, delete; an upper bound, since control-queue gets take up to 32 messages); table transactions
= history events (one History row each; entity-group batches are billed per entity) + 2 x episodes (the
history query and the Instances row) + one query per 1,000 events loaded; blob operations = the app's
requests + a write and a read per payload over 45 KiB. Money = (queue ops x P_queue + table
transactions x P_table + blob writes x P_write + blob reads x P_read) / 10,000, the prices being per
10,000. Durable Task Scheduler: actions = messages (an orchestration start, an activity's start and its
result, a sub-orchestration's result, a timer, an event: the DTS billing page's definition), plus the
same blob operations, which stay in the app's storage account: money = actions x P_million_actions /
1,000,000 + the blobs' money. Per monitor-month = per round x 43,200 (30 days at one round a minute).
Left out: idle queue polling and the Functions compute itself (per app, not per check).

**Prices** (bench/cost/model.ts, each with its meter, region, source and date under the table). The
published pages (azure.microsoft.com/pricing/details/storage/queues/, /tables/, /blobs/ and
/durable-task-scheduler/) fill their figures in client-side: no stored copy of them holds a number, and
no committed Retail Prices API response for these meters turned up. The storage figures are therefore
Infracost's golden test outputs, which its pricing API (a mirror of the Azure Retail Prices API) wrote
when the files were last regenerated: a secondary source, dated by that commit, for West US (queue,
blobs) and West Europe (table), Standard GPv2 LRS, pay-as-you-go. They are the long-standing list
figures except the hot blob operations, which are 10% above the $0.05 and $0.004 the model assumed
before (East US figures seen only in undated third-party code). Durable Task Scheduler: the billing
article (MicrosoftDocs/azure-docs, durable-task-scheduler-billing.md, ms.date 2026-05-01) defines the
action and the capacity unit and sends the prices to the pricing page; the only figure in the docs'
history, the Consumption preview's worked examples at $0.003 per action
(durable-task-scheduler-dedicated-sku.md at 35761126, ms.date 2025-11-05; earlier versions said "$0.03
per action dispatched" beside the same examples), is gone from later versions. A third-party note
quotes the Retail Prices API (West US 3, "Consumption Action") at the same $0.003 per action; that
would make a check about 2,000 times what it costs on the Azure Storage backend, and it is unconfirmed,
so it is shown under the table as what it would mean, not used. So the DTS column gives the actions,
and the last column the price per million actions below which DTS would be the cheaper backend:
(storage money - blob money) / actions, about $1.25 for every workload here, since queue operations
dominate on both sides. The Dedicated SKU's price per capacity unit was not found either; the model
could not use it per check anyway (its cost per check is its monthly price over the checks it carries,
up to 2,000 actions a second).

**The cut.** Queue operations were 94% (95% at the prices assumed before) of what a check in a sweep
cost on the Azure Storage backend (the row "one activity per check (before)": two messages per check,
the activity's work item and its result, three operations each), and the same two messages are two
Durable Task Scheduler actions. Checks now run 10 to a \`checkUrls\` activity (CHECK_BATCH_SIZE,
src/core/checkRun.ts): the before and after rows are the same sweep in the same run, with
\`checkBatchSize\` 1 and the default. The other candidates were smaller: progress chunks add no
messages (a chunk is a Task.all of activities that exist anyway), history payload sizes cost table
storage and bytes but not transactions until a payload passes 45 KiB (the partition's saveReport input
does: the large payloads column), and a larger partition saves only episodes and sub-orchestration
messages, a few per 500 checks. A monitor round is one check, a timer and two episodes: batching cannot
help it, and its cost is in table transactions per episode.`;

export const notes = { fanOut, throughput, coldStart, cost };
