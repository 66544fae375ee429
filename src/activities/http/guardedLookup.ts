// The DNS lookup the guarded agents hand to net.connect: it resolves every address of a hostname and
// refuses the connection when any of them is blocked. Because it runs when a socket connects, it
// covers the first request, every redirect hop and DNS rebinding alike. (Node skips `lookup` for
// IP-literal hosts; guardedRequest checks those before connecting.)
import dns from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { checkAddress, type AddressPolicyOptions, type AddressVerdict } from '../../core/networkGuard';
import { BlockedAddressError, InfrastructureError } from './errors';

/** Decides whether one resolved address may be connected to. */
export type AddressPolicy = (address: string) => AddressVerdict;

/** Resolves a hostname to all of its addresses (the system resolver unless a test injects one). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

// A verdict depends only on the address and the options, and a check to an IP-literal host asks for
// one on every request (parsing it each time showed in the check-throughput profile): remembered
// per policy, at most this many, so a flood of distinct addresses cannot grow it without bound.
const MAX_REMEMBERED_VERDICTS = 1024;

export function addressPolicy(options: AddressPolicyOptions): AddressPolicy {
  const verdicts = new Map<string, AddressVerdict>();
  return (address) => {
    let verdict = verdicts.get(address);
    if (verdict === undefined) {
      verdict = checkAddress(address, options);
      if (verdicts.size >= MAX_REMEMBERED_VERDICTS) verdicts.clear();
      verdicts.set(address, verdict);
    }
    return verdict;
  };
}

export const systemResolver: Resolver = (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

export function createGuardedLookup(
  policy: AddressPolicy,
  resolve: Resolver = systemResolver,
): LookupFunction {
  const lookup = (
    hostname: string,
    options: LookupOneOptions | LookupAllOptions,
    callback: LookupCallback,
  ) => {
    resolve(hostname).then(
      (resolved) => {
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const addresses = family === undefined ? resolved : resolved.filter((a) => a.family === family);
        // One refused address refuses the host: a public name that also resolves to a private
        // address is the DNS-rebinding pattern, and connecting to "the other one" would hide it.
        for (const { address } of addresses) {
          const verdict = policy(address);
          if (!verdict.allowed) {
            callback(new BlockedAddressError(hostname, address, verdict.range, verdict.reason), []);
            return;
          }
        }
        if (addresses.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          callback(err, []);
        } else if (options.all) {
          callback(null, addresses);
        } else {
          callback(null, addresses[0].address, addresses[0].family);
        }
      },
      // A DNS answer ("no such name", a resolver timeout) is the target's; anything else is our
      // resolver breaking, which must not pass for a result.
      (err: NodeJS.ErrnoException) =>
        callback(
          typeof err?.code === 'string' && /^(E[A-Z_]+|EAI_[A-Z]+)$/.test(err.code)
            ? err
            : (new InfrastructureError(`DNS resolver failed: ${String(err?.message ?? err)}`, {
                cause: err,
              }) as NodeJS.ErrnoException),
          [],
        ),
    );
  };
  return lookup as LookupFunction;
}
