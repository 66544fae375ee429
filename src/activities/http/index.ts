// The guarded HTTP client shared by checkUrl, fetchPage and sendAlert.
export { createGuardedAgents, defaultAgents, destroyDefaultAgents } from './agents';
export type { GuardedAgents, GuardedAgentsOptions } from './agents';
export {
  BlockedAddressError,
  BodyTooLargeError,
  classifyError,
  InfrastructureError,
  TruncatedBodyError,
} from './errors';
export { ContentDecodingError } from './decodeBody';
export { addressPolicy, systemResolver } from './guardedLookup';
export type { AddressPolicy, Resolver } from './guardedLookup';
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  guardedRequest,
} from './guardedRequest';
export type { GuardedRequestOptions, HttpFailure, HttpOutcome, HttpSuccess } from './guardedRequest';
