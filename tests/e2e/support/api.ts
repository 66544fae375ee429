// An API client the way a user's program would write one: axios, no status throws, the function
// key as a header, and polling that follows Location while honouring Retry-After. Every answer
// from /api is checked against the OpenAPI document the app serves; a mismatch fails the request.
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { ApiContract } from './contract';
import type { Deployment } from './deployment';

export class ContractViolation extends Error {
  constructor(method: string, url: string, status: number, errors: string[]) {
    super(`${method} ${url} -> ${status} does not match the OpenAPI document:\n  ${errors.join('\n  ')}`);
    this.name = 'ContractViolation';
  }
}

export interface Api {
  http: AxiosInstance;
  contract: ApiContract;
  /** `operationId status` of every checked answer, e.g. `startChecks 202`. */
  seen: Set<string>;
  /** Waits Retry-After seconds, follows Location, and repeats while the answer is 202. */
  followUntilDone(response: AxiosResponse, options?: WaitOptions): Promise<AxiosResponse>;
  /** Polls `url` (after `intervalSeconds`) until `done(body)` holds; returns that body. */
  pollUntil<T>(url: string, done: (body: T) => boolean, options?: PollOptions): Promise<T>;
}

export interface WaitOptions {
  timeoutMs?: number;
}

export interface PollOptions extends WaitOptions {
  intervalSeconds?: number;
  /** Wait one interval before the first request (following a 202's Location after its Retry-After). */
  delayFirst?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After as seconds (the API always sends delta-seconds). */
export function retryAfterSeconds(response: AxiosResponse): number | undefined {
  const value = response.headers['retry-after'] as string | undefined;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

export async function createApi(deployment: Deployment): Promise<Api> {
  const http = axios.create({
    baseURL: deployment.origin,
    validateStatus: () => true,
    headers: deployment.key ? { 'x-functions-key': deployment.key } : {},
  });
  const docResponse = await http.get('/api/openapi.json');
  if (docResponse.status !== 200) throw new Error(`GET /api/openapi.json answered ${docResponse.status}`);
  const contract = new ApiContract(docResponse.data);
  const seen = new Set<string>();

  http.interceptors.response.use((response) => {
    const method = (response.config.method ?? 'get').toUpperCase();
    const url = new URL(response.config.url ?? '', response.config.baseURL ?? deployment.origin).href;
    const verdict = contract.check({
      method,
      url,
      status: response.status,
      headers: response.headers as Record<string, string | undefined>,
      body: response.data,
    });
    if (verdict && verdict.errors.length > 0) {
      throw new ContractViolation(method, url, response.status, verdict.errors);
    }
    if (verdict?.operationId) seen.add(`${verdict.operationId} ${response.status}`);
    return response;
  });

  return {
    http,
    contract,
    seen,
    async followUntilDone(response, options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 90_000);
      let current = response;
      while (current.status === 202) {
        const location = current.headers.location as string | undefined;
        const delay = retryAfterSeconds(current);
        if (!location || delay === undefined) {
          throw new Error(`A 202 from ${current.config.url} lacks Location or Retry-After`);
        }
        if (Date.now() + delay * 1000 > deadline)
          throw new Error(`Still 202 at ${location} when time ran out`);
        await sleep(delay * 1000);
        current = await http.get(location);
      }
      return current;
    },
    async pollUntil<T>(url: string, done: (body: T) => boolean, options: PollOptions = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 90_000);
      const interval = (options.intervalSeconds ?? 1) * 1000;
      if (options.delayFirst) await sleep(interval);
      for (;;) {
        const response = await http.get<T>(url);
        if (response.status === 200 && done(response.data)) return response.data;
        if (Date.now() > deadline) {
          throw new Error(
            `${url} never got there; last answer ${response.status} ${JSON.stringify(response.data)}`,
          );
        }
        await sleep(interval);
      }
    },
  };
}
