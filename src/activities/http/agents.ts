// Keep-alive agents whose every connection goes through the guarded lookup. Created once and reused
// by every check (connection set-up dominates the cost of a check). Each address policy gets its own
// agent pair so a socket opened while private networks were allowed is never reused when they are not.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { AllowedNetwork } from '../../core/networkGuard';
import { addressPolicy, createGuardedLookup, type AddressPolicy, type Resolver } from './guardedLookup';

export interface GuardedAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  /** The same policy the lookup applies; guardedRequest uses it for IP-literal hosts. */
  readonly policy: AddressPolicy;
  /** Closes every pooled socket. */
  destroy(): void;
}

export interface GuardedAgentsOptions {
  /** Default: the network guard with `allowPrivateNetworks` and `allowedNetworks`. */
  policy?: AddressPolicy;
  allowPrivateNetworks?: boolean;
  allowedNetworks?: readonly AllowedNetwork[];
  /** Default: the system resolver (dns.lookup, all addresses). Tests inject one to avoid real DNS. */
  resolve?: Resolver;
  /**
   * Extra CA certificates (PEM) trusted IN ADDITION to Node's root store. This is how tests trust
   * their test CA: NODE_EXTRA_CA_CERTS is read only at process start.
   */
  ca?: string | string[];
}

// Below the common 5 s server keep-alive timeout, so we drop an idle socket before the server does
// instead of racing it. (Agent `timeout` only ever destroys idle sockets.)
const IDLE_SOCKET_TIMEOUT_MS = 4000;

export function createGuardedAgents(options: GuardedAgentsOptions = {}): GuardedAgents {
  const policy =
    options.policy ??
    addressPolicy({
      allowPrivateNetworks: options.allowPrivateNetworks ?? false,
      allowedNetworks: options.allowedNetworks ?? [],
    });
  const lookup = createGuardedLookup(policy, options.resolve);
  const common = { keepAlive: true, scheduling: 'lifo' as const, timeout: IDLE_SOCKET_TIMEOUT_MS, lookup };
  const extraCa = options.ca === undefined ? [] : [options.ca].flat();
  // No TLS session resumption: a resumed session skips certificate verification and exposes no peer
  // certificate, so an expired or replaced certificate would go unnoticed and certDaysLeft would be
  // missing. Keep-alive reuse (not resumption) is what saves the handshakes.
  const tlsOptions = {
    ...common,
    maxCachedSessions: 0,
    ...(extraCa.length > 0 && { ca: [...tls.rootCertificates, ...extraCa] }),
  };
  const httpAgent = new http.Agent(common);
  const httpsAgent = new https.Agent(tlsOptions);
  return {
    http: httpAgent,
    https: httpsAgent,
    policy,
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

const defaults = new Map<string, GuardedAgents>();
const NO_NETWORKS: readonly AllowedNetwork[] = [];

/** The process-wide agents for a policy, created on first use. */
export function defaultAgents(
  allowPrivateNetworks: boolean,
  allowedNetworks: readonly AllowedNetwork[] = NO_NETWORKS,
): GuardedAgents {
  const key =
    allowedNetworks.length === 0
      ? String(allowPrivateNetworks)
      : `${allowPrivateNetworks} ${allowedNetworks.map((n) => n.cidr).join(',')}`;
  let agents = defaults.get(key);
  if (agents === undefined) {
    agents = createGuardedAgents({ allowPrivateNetworks, allowedNetworks });
    defaults.set(key, agents);
  }
  return agents;
}

/** Closes the default agents' sockets (tests, shutdown). They are recreated on next use. */
export function destroyDefaultAgents(): void {
  for (const agents of defaults.values()) agents.destroy();
  defaults.clear();
}
