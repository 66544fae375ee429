// URLs that Sitewatch records or shows (final URLs, redirect hops and Locations, report entries,
// run views, status pages, logs) never carry user info: a target can put `http://admin:secret@host/`
// in a Location, and a password that reached a report has leaked.

/**
 * `raw` without user info. A URL is re-serialised without it; text that does not parse as a URL
 * (a broken Location, a message) has every `scheme://user:pass@` spelling cut to `scheme://`.
 */
export function withoutCredentials(raw: string): string {
  // The common case (no "@" at all) costs one scan.
  if (!raw.includes('@')) return raw;
  try {
    const url = new URL(raw);
    if (url.username === '' && url.password === '') return raw;
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return scrubCredentials(raw);
  }
}

// "//" (or backslashes, the same to the parser) then user info up to the last "@" before the host
// ends ("/", "\", "?", "#", whitespace): the WHATWG parser also takes the last "@" as the
// separator, so "a@b@host" hides "a@b".
const USERINFO = /[/\\]{2}[^\s/\\?#]*@/g;
// The parser also reads special schemes without their slashes ("http:user:pw@host").
const SLASHLESS_USERINFO = /\b(https?|wss?|ftp):(?![/\\])[^\s/\\?#]*@/gi;

/** Free text with the user info of every URL in it removed. */
export function scrubCredentials(text: string): string {
  return text.includes('@')
    ? text.replace(USERINFO, '//').replace(SLASHLESS_USERINFO, (_m, scheme: string) => `${scheme}://`)
    : text;
}
