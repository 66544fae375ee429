// Removes secrets from text that came back from somewhere else: an error a receiver echoed, a
// library message, a response body we quote. A webhook's secrets are its URL's user info, its
// path segments and query values, and whatever authenticates in its headers; receivers echo them
// back in any of these spellings ("unknown token T0/B0/s3cr3t", "invalid sig=abc", "user admin
// is not allowed"), so each secret is searched for as is, percent-encoded and JSON-escaped.
//
//   const secrets = [...urlSecrets(webhook), ...headerSecrets(headers)];
//   const safe = scrubSecrets(receiverError, secrets);

export const SECRET_MASK = '***';

/**
 * Parts shorter than this are not searched for: they carry no secret worth the name ("/a",
 * "id=1"), and masking them would garble unrelated words of the message.
 */
export const MIN_SECRET_LENGTH = 4;

// Header values that identify a request's format, never its sender.
const NOT_SECRET_HEADERS = new Set(['content-type', 'accept', 'user-agent', 'content-length']);

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}

/** The user name, password, "user:password" and its Basic token (what axios would send). */
function basicCredentialSecrets(user: string, password: string): string[] {
  const pair = `${user}:${password}`;
  return [user, password, pair, Buffer.from(pair, 'utf8').toString('base64')];
}

/**
 * Everything in a URL that may authenticate to its host: the whole URL and its path and query
 * spellings, user info (also as a Basic token), every path segment except a leading fixed route
 * when more follow (`/services/T0/B0/XYZ` keeps "services"), and every query value.
 */
export function urlSecrets(raw: string): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [raw];
  }
  const secrets = [raw, url.href, url.pathname + url.search, url.search, url.search.slice(1)];
  if (url.pathname !== '/') secrets.push(url.pathname);
  if (url.username !== '' || url.password !== '') {
    secrets.push(...basicCredentialSecrets(safeDecode(url.username), safeDecode(url.password)));
    secrets.push(url.username, url.password);
  }
  const segments = url.pathname.split('/').filter((s) => s !== '');
  for (const segment of segments.length > 1 ? segments.slice(1) : segments) {
    secrets.push(segment, safeDecode(segment));
  }
  // Also a run of segments ("T0/B0/XYZ"): receivers often echo the token as one string.
  if (segments.length > 2) secrets.push(segments.slice(1).join('/'));
  for (const pair of url.search.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const value = pair.slice(eq + 1);
    secrets.push(pair, value, safeDecode(value));
  }
  return secrets;
}

/**
 * The secrets in request headers: every value except format headers, and for an Authorization
 * (or Proxy-Authorization) value its credentials without the scheme, a Basic token decoded into
 * user name and password.
 */
export function headerSecrets(headers: Record<string, string> | undefined): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (NOT_SECRET_HEADERS.has(lower)) continue;
    secrets.push(value);
    if (lower !== 'authorization' && lower !== 'proxy-authorization') continue;
    const [scheme = '', credentials = ''] = value.trim().split(/\s+/, 2);
    secrets.push(credentials);
    if (scheme.toLowerCase() === 'basic' && credentials !== '') {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      secrets.push(
        ...(colon === -1
          ? [decoded]
          : basicCredentialSecrets(decoded.slice(0, colon), decoded.slice(colon + 1))),
      );
    }
  }
  return secrets;
}

/** A secret as a receiver may echo it: verbatim, percent-encoded, percent-decoded, JSON-escaped. */
function spellings(secret: string): string[] {
  const out = [secret, safeDecode(secret), JSON.stringify(secret).slice(1, -1)];
  try {
    out.push(encodeURIComponent(secret));
  } catch {
    // A lone surrogate cannot be encoded; it cannot be echoed that way either.
  }
  return out;
}

/**
 * `text` with every spelling of every secret (of at least MIN_SECRET_LENGTH characters) replaced
 * by `replacement(secret)` (default the mask). Longest first, so a secret inside a longer one is
 * not left half-masked.
 */
export function scrubSecrets(
  text: string,
  secrets: Iterable<string>,
  replacement: (secret: string) => string = () => SECRET_MASK,
): string {
  const needles = new Map<string, string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const spelling of spellings(secret)) {
      if (spelling.length >= MIN_SECRET_LENGTH && !needles.has(spelling)) {
        needles.set(spelling, replacement(secret));
      }
    }
  }
  let out = text;
  for (const needle of [...needles.keys()].sort((a, b) => b.length - a.length)) {
    if (out.includes(needle)) out = out.split(needle).join(needles.get(needle));
  }
  return out;
}
