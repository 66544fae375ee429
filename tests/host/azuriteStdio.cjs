// Preloaded into Azurite (node --require). Azurite's SIGTERM/SIGINT handler logs to stdout before its
// servers close and save their databases. When the host that started Azurite was killed with SIGKILL
// (the --data crash case), stdout is a pipe nobody reads any more: the log write fails with EPIPE, the
// unhandled 'error' ends the process, and every write since Azurite's last autosave (5 s interval,
// LokiBlobMetadataStore) is lost. Ignoring write errors on the standard streams lets shutdown save.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
