// Request bodies of the largest accepted size (64 KiB) in the shapes that make
// parsers slow: deep, wide, repeated names, escapes, many parts. Shared by the
// body-parse benchmark (tests/bench/body-parse.ts) and the adversarial suite.
import { loginSchema } from '../../src/auth/login/bodies.ts';
import { MAX_BODY_BYTES, readBody } from '../../src/http/body.ts';
import { HttpError } from '../../src/common/errors.ts';
import { parse } from '../../src/common/validate.ts';

export interface HostileBody {
  name: string;
  contentType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

const encoder = new TextEncoder();

/** `unit` repeated to fill the limit (less `reserve` bytes), between `head` and `tail`. */
function fill(head: string, unit: (i: number) => string, tail = '', reserve = 0): string {
  const budget = MAX_BODY_BYTES - reserve - encoder.encode(head + tail).length;
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; ; i++) {
    const next = unit(i);
    const length = encoder.encode(next).length;
    if (size + length > budget) break;
    parts.push(next);
    size += length;
  }
  return head + parts.join('') + tail;
}

const BOUNDARY = 'x-boundary-7f3a';

function multipart(part: (i: number) => string, boundary = BOUNDARY): string {
  const tail = `--${boundary}--\r\n`;
  return fill('', part, tail);
}

const field = (name: string, value: string, boundary = BOUNDARY) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

/**
 * Content types whose boundary a naive reading of the header gets wrong, with
 * the boundary the platform's multipart parser reads in each: an escaped quote
 * inside a quoted boundary, and a decoy `boundary=` inside another parameter's
 * quoted value. Each once let a body of many parts past the part count.
 */
export const trickyBoundaries = [
  { shape: 'escaped quote in the boundary', contentType: 'multipart/form-data; boundary="x\\"b"', boundary: 'x"b' },
  {
    shape: 'decoy boundary in another parameter',
    contentType: `multipart/form-data; x="; boundary=fake"; boundary=${BOUNDARY}`,
    boundary: BOUNDARY,
  },
] as const;

/** `open` nested as deep as fits in `room` bytes, around `inner`. */
const deep = (open: string, close: string, inner = '', room = MAX_BODY_BYTES - 32) => {
  const depth = Math.floor((room - inner.length) / (open.length + close.length));
  return open.repeat(depth) + inner + close.repeat(depth);
};

export function hostileBodies(): HostileBody[] {
  const json = (name: string, text: string) => ({ name: `json: ${name}`, contentType: 'application/json', text });
  const form = (name: string, text: string) => ({ name: `urlencoded: ${name}`, contentType: 'application/x-www-form-urlencoded', text });
  const parts = (name: string, text: string, contentType = `multipart/form-data; boundary=${BOUNDARY}`) => ({
    name: `multipart: ${name}`,
    contentType,
    text,
  });
  const all = [
    form(
      'one name repeated (a&a&a…)',
      fill('', (i) => (i === 0 ? 'a' : '&a')),
    ),
    form(
      'password repeated with values',
      fill('', (i) => `${i === 0 ? '' : '&'}password=Guess-${i}`),
    ),
    form(
      'distinct names (wide)',
      fill('', (i) => `${i === 0 ? '' : '&'}k${i}=`),
    ),
    form(
      '__proto__ repeated',
      fill('', (i) => `${i === 0 ? '' : '&'}__proto__=x`),
    ),
    form(
      'percent escapes',
      fill('username=', () => '%41'),
    ),
    form(
      'separators only',
      fill('', () => '&'),
    ),
    json('nested arrays', deep('[', ']')),
    json('nested objects', `{"username":${deep('{"a":', '}', '0')}}`),
    json(
      'distinct keys (wide)',
      fill('{', (i) => `${i === 0 ? '' : ','}"k${i}":0`, '}'),
    ),
    json(
      'one key repeated',
      fill('{', (i) => `${i === 0 ? '' : ','}"a":0`, '}'),
    ),
    json(
      '__proto__ repeated',
      fill('{', (i) => `${i === 0 ? '' : ','}"__proto__":{}`, '}'),
    ),
    json(
      'unicode escapes in a field',
      fill('{"username":"', () => '\\u00e9', '","password":"x"}'),
    ),
    json(
      'long array in a field',
      fill('{"password":[', (i) => `${i === 0 ? '' : ','}0`, ']}'),
    ),
    parts(
      'one name repeated',
      multipart(() => field('a', '')),
    ),
    parts(
      'distinct names',
      multipart((i) => field(`k${i}`, '')),
    ),
    parts('one large field', `${field('username', 'a'.repeat(MAX_BODY_BYTES - 200))}--${BOUNDARY}--\r\n`),
    parts(
      'near-boundaries in a value',
      `${field(
        'username',
        fill('', () => `\r\n--${BOUNDARY.slice(0, -1)}`, '', 200),
      )}--${BOUNDARY}--\r\n`,
    ),
    ...trickyBoundaries.map(({ shape, contentType, boundary }) =>
      parts(
        `one name repeated, ${shape}`,
        multipart(() => field('a', '', boundary), boundary),
        contentType,
      ),
    ),
  ];
  return all.map(({ name, contentType, text }) => {
    const bytes = encoder.encode(text);
    if (bytes.length > MAX_BODY_BYTES) throw new Error(`${name}: ${bytes.length} bytes, over the limit`);
    return { name, contentType, bytes };
  });
}

/** A POST of this body, as a function receives it. */
export const hostileRequest = (body: HostileBody, url = 'http://localhost:8888/api/login') =>
  new Request(url, { method: 'POST', headers: { 'content-type': body.contentType }, body: body.bytes });

/** Read and validate `body` as POST /api/login does: its milliseconds and the status it ends in (200: accepted). */
export async function parseOnce(body: HostileBody): Promise<{ ms: number; status: number }> {
  const req = hostileRequest(body);
  const t0 = performance.now();
  let status = 200;
  try {
    parse(loginSchema, await readBody(req));
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    status = error.status;
  }
  return { ms: performance.now() - t0, status };
}
