import { scrubSecrets, SECRET_MASK, urlSecrets } from './scrubSecrets';

// Webhook URLs are bearer credentials: Slack, Teams and Discord put the token in the path and
// ntfy-style services use a secret topic as the only path segment. Anything that leaves the
// process (logs, errors, customStatus, reports) shows the URL through this helper.

export const REDACTION_MASK = SECRET_MASK;

/**
 * Keeps what identifies the receiver and masks what may authenticate to it:
 * - scheme, host and port are kept; user info is masked;
 * - the first path segment is kept only when more segments follow (it is then a fixed route
 *   such as `/services` or `/webhookb2`) and everything after it is masked; a lone segment is
 *   masked because it may be the secret itself;
 * - a query string is masked; a fragment is dropped.
 * Anything that does not parse as a URL is masked entirely.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `<invalid URL ${REDACTION_MASK}>`;
  }
  const userInfo = url.username !== '' || url.password !== '' ? `${REDACTION_MASK}@` : '';
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  let path = '/';
  if (segments.length === 1) path = `/${REDACTION_MASK}`;
  else if (segments.length > 1) path = `/${segments[0]}/${REDACTION_MASK}`;
  const query = url.search !== '' ? `?${REDACTION_MASK}` : '';
  return `${url.protocol}//${userInfo}${url.host}${path}${query}`;
}

/**
 * `message` with every secret of the URL `raw` removed (see urlSecrets): the URL itself becomes
 * its redacted form, and each part a receiver may echo (path, path segments, query values, user
 * info, also decoded or as a Basic token) becomes the mask. Library errors and receivers' answers
 * pass through this before they are logged or stored.
 */
export function scrubUrl(message: string, raw: string): string {
  const whole = new Set([raw]);
  try {
    whole.add(new URL(raw).href);
  } catch {
    // An unparsable URL only has its raw spelling.
  }
  const shown = redactUrl(raw);
  return scrubSecrets(message, urlSecrets(raw), (secret) => (whole.has(secret) ? shown : REDACTION_MASK));
}
