// The three in-process ways of driving the target: the app's checkUrl activity code path, a bare
// axios GET, and raw node:http. Each gets its own keep-alive agent so none reuses another's sockets.
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import axios from 'axios';
import { REPO_ROOT } from '../paths';

// The activity as it ships: tsc's output in dist/ (`npm run bench` builds first), not src/ through
// the bench's TypeScript loader, which wraps every named closure in a helper (esbuild keepNames)
// and so charged checkUrl for work production never does.
const requireDist = createRequire(path.join(REPO_ROOT, 'dist', 'src', 'index.js'));
const { checkUrlActivity } = requireDist(
  './activities/checkUrl.js',
) as typeof import('../../src/activities/checkUrl');
const { createGuardedAgents } = requireDist(
  './activities/http/agents.js',
) as typeof import('../../src/activities/http/agents');

export interface Driver {
  name: string;
  /** One request; true when it got the expected 200. */
  once(): Promise<boolean>;
  close(): void;
}

const TIMEOUT_MS = 10_000;

/** What the activity does for `{ url }`: parse the spec, guarded request, assertions, result. */
export function checkUrlDriver(url: string): Driver {
  // Loopback targets need private networks allowed; everything else is the production path.
  const agents = createGuardedAgents({ allowPrivateNetworks: true });
  return {
    name: 'checkUrl',
    once: async () => {
      const result = await checkUrlActivity({ url }, { agents });
      return result.ok && result.status === 200;
    },
    close: () => agents.destroy(),
  };
}

export function axiosDriver(url: string): Driver {
  const agent = new http.Agent({ keepAlive: true });
  const client = axios.create({ httpAgent: agent, timeout: TIMEOUT_MS, proxy: false });
  return {
    name: 'axios',
    once: async () => (await client.get(url)).status === 200,
    close: () => agent.destroy(),
  };
}

export function nodeHttpDriver(url: string): Driver {
  const agent = new http.Agent({ keepAlive: true });
  const once = () =>
    new Promise<boolean>((resolve, reject) => {
      const req = http.get(url, { agent, timeout: TIMEOUT_MS }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  return { name: 'node:http', once, close: () => agent.destroy() };
}
