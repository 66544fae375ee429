// Child process: an instant keep-alive HTTP target on 127.0.0.1. It runs in its own process so the
// client being measured has its core to itself (2 cores: one serves, one drives). Prints
// `{"port": n}` when listening; exits on SIGTERM or when its parent goes away.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.from('ok\n');

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
});
// Longer than any client's idle timeout, so the server never closes a pooled socket mid-run.
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
// A parent that died without signalling leaves stdin closed: never outlive it by more than this.
setTimeout(stop, 15 * 60_000).unref();
