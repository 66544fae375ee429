// Which content coding to answer with, from the request's Accept-Encoding (RFC 9110 §12.5.3).
// Pure, so the rules live in one tested place: q-values, `q=0` refusals, `*` for any coding not
// named, and `identity`, which stays acceptable unless it is refused by name or by `*;q=0`.

/** The codings we produce, in the order we prefer them when the client ranks them equally. */
export const CODINGS = ['br', 'gzip'] as const;
export type Coding = (typeof CODINGS)[number];
export type Choice = Coding | 'identity';

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The weight of each coding the header names (lower case; `x-gzip` counts as gzip, RFC 9110
 * §8.4.1.3). An entry whose weight is malformed is dropped, as if it were not there; when a coding
 * is named twice, the first entry counts.
 */
export function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const entry of header.split(',')) {
    const [rawName = '', ...params] = entry.split(';');
    let name = rawName.trim().toLowerCase();
    if (name === '') continue;
    if (name === 'x-gzip') name = 'gzip';
    let q = 1;
    let malformed = false;
    for (const param of params) {
      const [key = '', value = ''] = param.split('=').map((part) => part.trim());
      if (key.toLowerCase() !== 'q') continue;
      if (!QVALUE.test(value)) malformed = true;
      else q = Number(value);
    }
    if (!malformed && !weights.has(name)) weights.set(name, q);
  }
  return weights;
}

/**
 * The coding to send: the acceptable one with the highest weight, ties going to br, then gzip,
 * then identity (a smaller answer for the same preference). No header at all means a client that
 * never asked for a coding (curl without --compressed, most scripts): identity. When the client
 * refuses every coding we can make, identity too: RFC 9110 §12.5.3 allows answering without a
 * coding rather than with 406, and a page is more useful than an error.
 */
export function chooseCoding(header: string | null | undefined): Choice {
  if (header === null || header === undefined) return 'identity';
  const weights = parseAcceptEncoding(header);
  const any = weights.get('*');
  const weight = (coding: Choice): number => {
    const named = weights.get(coding);
    if (named !== undefined) return named;
    if (any !== undefined) return any;
    // Identity needs no mention to be acceptable, but a client that lists codings and leaves it
    // out wants one of them (`gzip;q=0.5` asks for gzip): it ranks below every coding named.
    return coding === 'identity' ? Number.MIN_VALUE : 0;
  };
  let best: Choice = 'identity';
  let bestWeight = 0;
  for (const coding of [...CODINGS, 'identity'] as const) {
    const w = weight(coding);
    if (w > bestWeight) {
      best = coding;
      bestWeight = w;
    }
  }
  return best;
}
