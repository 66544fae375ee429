// Webhook URLs are bearer credentials: Slack, Teams and Discord put the token in the path and
// ntfy-style services use a secret topic as the only path segment. Anything that leaves the
// process (logs, errors, customStatus, reports) shows the URL through this helper.

export const REDACTION_MASK = '***';

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
 * Replaces every spelling of `raw` that may appear inside a message (the input, the parsed
 * href, the path and query) so library error texts can be passed on safely. Whole URLs become
 * their redacted form; a bare path or query becomes the mask.
 */
export function scrubUrl(message: string, raw: string): string {
  const replacements = new Map<string, string>([[raw, redactUrl(raw)]]);
  try {
    const url = new URL(raw);
    replacements.set(url.href, redactUrl(raw));
    // Very short paths carry no secret, and masking them would garble unrelated text.
    for (const part of [url.pathname + url.search, url.pathname, url.search]) {
      if (part.length >= MIN_SCRUBBED_LENGTH && !replacements.has(part))
        replacements.set(part, REDACTION_MASK);
    }
  } catch {
    // An unparsable URL only has its raw spelling to replace.
  }
  // Longest first, so a path inside an already replaced href is not visited twice.
  const needles = [...replacements.keys()].filter((n) => n !== '').sort((a, b) => b.length - a.length);
  let out = message;
  for (const needle of needles) out = out.split(needle).join(replacements.get(needle));
  return out;
}

const MIN_SCRUBBED_LENGTH = 4;
