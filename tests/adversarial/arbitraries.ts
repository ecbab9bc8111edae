// fast-check generators for hostile requests: any method, path parameters,
// query strings, headers, credentials and bodies in every encoding, with
// field values that are sometimes valid (to reach the database) and often not.
import fc from 'fast-check';
import { MALFORMED_IDS } from '../support/content.ts';

/** Known body fields per path; other paths get only random fields. */
const BODY_FIELDS: Record<string, string[]> = {
  '/api/register': ['username', 'email', 'password'],
  '/api/register/resend': ['email'],
  '/api/login': ['username', 'email', 'password'],
  '/api/me': ['password'],
  '/api/me/email': ['email', 'password'],
  '/api/me/profile': ['bio', 'location', 'birthday', 'gender', 'maritalStatus'],
  '/api/me/password': ['currentPassword', 'newPassword'],
  '/api/password/forgot': ['email'],
  '/api/password/reset': ['token', 'password'],
  '/api/posts': ['title', 'body'],
  '/api/posts/:id': ['title', 'body'],
  '/api/posts/:id/comments': ['body'],
  '/users': ['email', 'password'],
  '/sessions': ['email', 'password'],
  '/reset_password': ['email', 'reset_token', 'new_password'],
};

const KNOWN_FIELDS = new Set(Object.values(BODY_FIELDS).flat());

/** What the fuzz can aim at: real rows, so some requests get past validation. */
export interface Targets {
  usernames: string[];
  emails: string[];
  passwords: string[];
  ids: number[];
  secrets: string[];
}

const LONE_SURROGATE = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Any code point, plus what JSON and Postgres handle badly: NUL, lone surrogates, controls. */
const nastyChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: LONE_SURROGATE },
  {
    weight: 1,
    arbitrary: fc.constantFrom('\0', '\u0001', '\u007f', '\u202e', '\ufeff', '\u200b', 'e\u0301', '\r\n', '"', '\\', '%', '&', '='),
  },
);

const nastyString = fc.oneof(
  fc.string({ unit: nastyChar, maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\0',
    'a\0b',
    '\ud800',
    'x\udfffy',
    '😀😀',
    'ÄÖÜß',
    '\u0130stanbul',
    'null',
    'undefined',
    'NaN',
    '-0',
    '1e309',
    "' OR '1'='1' --",
    "'; DROP TABLE users; --",
    '<script>alert(1)</script>',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as literal text
    '${7*7}{{7*7}}',
    '../../etc/passwd',
    '__proto__',
    'constructor',
    'prototype',
    'admin',
    'ROOT',
    '%00',
    '%zz',
    'a'.repeat(255),
  ),
);

/** Strings long enough to cross every length rule and, sometimes, the 64 KiB body limit. */
const hugeString = fc
  .tuple(fc.constantFrom(129, 501, 2_001, 10_001, 40_000, 70_000), fc.constantFrom('a', '€', '😀', ' '))
  .map(([n, unit]) => unit.repeat(n));

const strongPassword = fc.string({ unit: 'grapheme-ascii', minLength: 6, maxLength: 20 }).map((s) => `Zq9!${s}xY`);

// Built once: constructing a string arbitrary costs fast-check milliseconds.
const NAME = fc.stringMatching(/^[a-z][a-z0-9_]{2,14}$/);
const USERNAME = fc.stringMatching(/^[a-z][a-z0-9_]{2,31}$/);
const SECRET = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
const TEXT = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });

/** Values that satisfy (or nearly satisfy) the rule of a field, from the targets where one exists. */
function plausible(field: string, targets: Targets): fc.Arbitrary<unknown> {
  const pick = <T>(list: T[], fallback: fc.Arbitrary<T>) => (list.length > 0 ? fc.oneof(fc.constantFrom(...list), fallback) : fallback);
  switch (field) {
    case 'username':
      return pick(targets.usernames, NAME);
    case 'email':
      return pick(
        targets.emails,
        NAME.map((n) => `${n}@example.com`),
      );
    case 'password':
    case 'currentPassword':
    case 'newPassword':
    case 'new_password':
      return pick(targets.passwords, fc.oneof(strongPassword, fc.constantFrom('password1234', 'short', 'a'.repeat(129))));
    case 'token':
    case 'reset_token':
      return pick(targets.secrets, SECRET);
    case 'birthday':
      return fc.oneof(
        fc.date({ min: new Date('1890-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
        fc.constantFrom('2000-02-30', '2000-13-01', '1990-1-1', '2012-02-29', '19900101'),
      );
    case 'gender':
      return fc.constantFrom('female', 'male', 'non_binary', 'other', 'prefer_not_to_say', 'FEMALE', '');
    case 'maritalStatus':
      return fc.constantFrom('single', 'married', 'domestic_partnership', 'prefer_not_to_say', 'Single', '');
    default:
      return TEXT;
  }
}

/** A plausible value with one hostile character slipped in: past the type checks, into the rules (and the SQL). */
const tainted = (field: string, targets: Targets): fc.Arbitrary<unknown> =>
  fc
    .tuple(plausible(field, targets), fc.nat(), fc.constantFrom('\0', '\ud800', '\udc00', '\u202e', '\uffff', '\n'))
    .map(([value, at, char]) => {
      if (typeof value !== 'string') return value;
      const i = at % (value.length + 1);
      return `${value.slice(0, i)}${char}${value.slice(i)}`;
    });

/** A field's value: plausible, hostile text, any JSON value or a wrong type. */
const fieldValue = (field: string, targets: Targets): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: plausible(field, targets) },
    { weight: 2, arbitrary: tainted(field, targets) },
    { weight: 3, arbitrary: nastyString },
    { weight: 1, arbitrary: hugeString },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({})) },
  );

const valueTexts = new WeakMap<Targets, Map<string, fc.Arbitrary<string>>>();

/** JSON text for a value, including what JSON.stringify never writes: deep nesting, overlong numbers. Built once per field. */
function valueText(field: string, targets: Targets): fc.Arbitrary<string> {
  let byField = valueTexts.get(targets);
  if (byField === undefined) {
    byField = new Map();
    valueTexts.set(targets, byField);
  }
  // Every name that is no known field shares one generator.
  const key = KNOWN_FIELDS.has(field) ? field : '*';
  let arbitrary = byField.get(key);
  if (arbitrary === undefined) {
    arbitrary = newValueText(key, targets);
    byField.set(key, arbitrary);
  }
  return arbitrary;
}

const newValueText = (field: string, targets: Targets): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: fieldValue(field, targets).map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`) },
    { weight: 1, arbitrary: fc.constantFrom('1e999', '-0', '123456789012345678901234567890', '0.1e-400', '"\\u0000"', '"\\ud800"') },
  );

/** `[name, JSON text]` pairs: the route's fields, random ones, and the same name twice. */
function fieldEntries(path: string, targets: Targets): fc.Arbitrary<[string, string][]> {
  const known = BODY_FIELDS[path] ?? [];
  const anyName = fc.oneof(fc.constantFrom(...known, 'username', 'password', '__proto__', 'constructor', ''), nastyString);
  const entry = (name: string, text: fc.Arbitrary<string>) => text.map((value): [string, string] => [name, value]);
  // Often every field with a plausible value, so that requests get past validation to the database.
  const complete = fc.tuple(
    ...known.map((name) =>
      entry(
        name,
        plausible(name, targets).map((value) => JSON.stringify(value)),
      ),
    ),
  );
  const mixed = fc.subarray(known).chain((names) => fc.tuple(...names.map((name) => entry(name, valueText(name, targets)))));
  const knownEntries = known.length === 0 ? fc.constant([]) : fc.oneof({ weight: 2, arbitrary: complete }, { weight: 1, arbitrary: mixed });
  const extra = fc.array(
    anyName.chain((name) => entry(name, valueText(name, targets))),
    { maxLength: 3 },
  );
  return fc
    .tuple(knownEntries, fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extra }))
    .chain(([base, more]) =>
      fc.shuffledSubarray([...base, ...more], { minLength: base.length + more.length }).chain((entries) =>
        // Duplicated keys: JSON.parse keeps the last, a form keeps both.
        entries.length > 0
          ? fc.oneof(
              { weight: 4, arbitrary: fc.constant(entries) },
              { weight: 1, arbitrary: fc.constantFrom(...entries).map((dup) => [...entries, dup]) },
            )
          : fc.constant(entries),
      ),
    );
}

export type BodySpec =
  | { kind: 'none' }
  | { kind: 'json'; text: string }
  | { kind: 'form'; text: string }
  | { kind: 'multipart'; fields: [string, string][]; file: boolean }
  | { kind: 'bytes'; bytes: Uint8Array };

const formText = (entries: [string, string][]) =>
  entries
    .map(([name, text]) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
      return new URLSearchParams([[name, typeof value === 'string' ? value : text]]).toString();
    })
    .join('&');

function bodySpec(path: string, targets: Targets): fc.Arbitrary<BodySpec> {
  const entries = fieldEntries(path, targets);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 6,
      arbitrary: entries.map((list) => ({
        kind: 'json' as const,
        text: `{${list.map(([name, text]) => `${JSON.stringify(name)}:${text}`).join(',')}}`,
      })),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'json' as const, text: JSON.stringify(value) })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('{', '{"a":', '[1,', '{"a" 1}', "{'a': 1}", '', 'nul', '\ufeff{}', '{"a":1}}')
        .map((text) => ({ kind: 'json' as const, text })),
    },
    { weight: 3, arbitrary: entries.map((list) => ({ kind: 'form' as const, text: formText(list) })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('a=%zz', '%', '=&=&', 'email', 'email=a%00b%40x.y&password=%F0%9F', '&&&')
        .map((text) => ({ kind: 'form' as const, text })),
    },
    { weight: 2, arbitrary: fc.tuple(entries, fc.boolean()).map(([list, file]) => ({ kind: 'multipart' as const, fields: list, file })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=xyz',
  'text/plain',
  'text/html',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=utf-16',
  '*/*',
  ';',
  'application/',
  'garbage',
];

/** Printable Latin-1: anything a real header can carry. */
const headerText = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0xff })
    .filter((c) => c !== 0x7f)
    .map((c) => String.fromCharCode(c)),
  maxLength: 80,
});

export type Credential =
  | { kind: 'none' }
  | { kind: 'valid'; user: number; via: 'bearer' | 'cookie' }
  | { kind: 'tampered'; user: number; at: number; via: 'bearer' | 'cookie' }
  | { kind: 'authorization'; value: string }
  | { kind: 'cookie'; value: string };

const via = fc.constantFrom('bearer' as const, 'cookie' as const);
const credential: fc.Arbitrary<Credential> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('valid' as const), user: fc.nat(), via }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tampered' as const), user: fc.nat(), at: fc.nat(), via }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('authorization' as const),
      value: fc.oneof(
        headerText,
        headerText.map((t) => `Bearer ${t}`),
        fc.constantFrom('Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', 'bearer a.b.c', 'Bearer e30.e30.'),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('cookie' as const),
      value: fc.oneof(
        headerText,
        headerText.map((t) => `session_id=${t}`),
        fc.constantFrom('session_id=', 'session_id=a; session_id=b', '=;;=', 'session_id="x"'),
      ),
    }),
  },
);

/** A path segment for a `:param`: a real value, a well-formed unknown one, or a malformed one. */
function segment(param: string, targets: Targets): fc.Arbitrary<string> {
  const real = param === 'id' ? targets.ids.map(String) : param === 'username' ? targets.usernames : targets.secrets;
  const wellFormed =
    param === 'id' ? fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map(String) : param === 'username' ? USERNAME : SECRET;
  return fc.oneof(
    ...(real.length > 0 ? [fc.constantFrom(...real)] : []),
    wellFormed,
    fc.constantFrom(
      ...MALFORMED_IDS,
      'ADMIN',
      'me',
      'a',
      'x'.repeat(33),
      '%',
      '%zz',
      '%ED%A0%80',
      '%00',
      '..',
      '.',
      '1%2F2',
      '1;2',
      ' 1',
      '%20',
    ),
    nastyString.map(encodeSegment),
  );
}

/** encodeURIComponent, except that a lone surrogate (which it refuses) becomes the bytes a careless client would send. */
const encodeSegment = (text: string) =>
  Array.from(text, (char) => (/^[\ud800-\udfff]$/.test(char) ? '%ED%A0%80' : encodeURIComponent(char))).join('');

const queryString = fc.oneof(
  { weight: 2, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom('page', 'pageSize', 'PAGE', 'page[]', 'q'), nastyString),
          fc.oneof(
            fc.constantFrom('1', '0', '-1', '1.5', '1e3', '100', '101', '999999', '9999999', '01', ''),
            nastyString,
            fc.nat().map(String),
          ),
        ),
        { maxLength: 4 },
      )
      .map((pairs) => `?${new URLSearchParams(pairs).toString()}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('?', '?&&', '?page', '?page=%', '?page=%zz', '?pageSize=%00', '?page=1&page=2', '?=1') },
);

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND'];

export interface RequestSpec {
  method: string;
  path: string;
  body: BodySpec;
  contentType: string | undefined;
  credential: Credential;
  headers: Record<string, string>;
  ip: string;
}

const defaultType = (body: BodySpec) =>
  ({
    none: undefined,
    json: 'application/json',
    form: 'application/x-www-form-urlencoded',
    multipart: undefined,
    bytes: 'application/json',
  })[body.kind];

/** A request for one route: any of its methods (sometimes another), its path with generated parameters, and all the rest. */
export function requestFor(route: { path: string; methods: string[] }, targets: Targets): fc.Arbitrary<RequestSpec> {
  const params = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  const path = fc
    .tuple(fc.tuple(...params.map((param) => segment(param, targets))), fc.constantFrom('', '', '', '/', '/extra', '//'), queryString)
    .map(([values, suffix, query]) => {
      let index = 0;
      // A leading `//` would read as a host name, not a path.
      return `${route.path.replace(/:\w+/g, () => values[index++]!)}${suffix}`.replace(/^\/+/, '/') + query;
    });
  return fc
    .record({
      method: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...route.methods) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
      path,
      body: bodySpec(route.path, targets),
      contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { freq: 4 }).map((type) => type ?? undefined),
      credential,
      headers: fc.record(
        {
          'x-forwarded-for': fc.oneof(fc.ipV4(), headerText),
          origin: fc.constantFrom('http://localhost:8888', 'https://evil.example', 'null'),
          'sec-fetch-site': fc.constantFrom('same-origin', 'cross-site', 'none'),
          accept: fc.constantFrom('application/json', 'text/html', '*/*'),
        },
        { requiredKeys: [] },
      ),
      ip: fc.oneof(fc.constantFrom('203.0.113.7', '203.0.113.8', '2001:db8::1'), fc.ipV4(), fc.ipV6()),
    })
    .map((spec) => (spec.contentType === undefined ? { ...spec, contentType: defaultType(spec.body) } : spec));
}

/** The body as fetch sends it; GET and HEAD carry none. */
export function encodeBody(spec: RequestSpec): BodyInit | undefined {
  if (spec.method === 'GET' || spec.method === 'HEAD') return undefined;
  const { body } = spec;
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'json':
    case 'form':
      return body.text;
    case 'bytes':
      return new Blob([new Uint8Array(body.bytes)]);
    case 'multipart': {
      const form = new FormData();
      for (const [name, text] of body.fields) form.append(name, text);
      if (body.file) form.append('file', new Blob(['%PDF-1.4 \0\xff'], { type: 'application/pdf' }), 'a.pdf');
      return form;
    }
  }
}

/** Every string the request carries, so a response echoing one is not taken for a leak. */
export function sentStrings(spec: RequestSpec): string[] {
  const strings: string[] = [spec.path, ...decodedPieces(spec.path), ...Object.values(spec.headers)];
  if (spec.body.kind === 'json' || spec.body.kind === 'form') {
    strings.push(spec.body.text);
    strings.push(...[...new URLSearchParams(spec.body.text)].flat());
    try {
      stringsIn(JSON.parse(spec.body.text), strings);
    } catch {
      // Not JSON: the raw text is already listed.
    }
  }
  if (spec.body.kind === 'multipart') for (const [name, text] of spec.body.fields) strings.push(name, text, ...safeJson(text));
  return strings;
}

function decodedPieces(path: string): string[] {
  const [pathname = '', query = ''] = path.split('?');
  const pieces = pathname.split('/').map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  return [...pieces, ...[...new URLSearchParams(query)].flat()];
}

function safeJson(text: string): string[] {
  try {
    return stringsIn(JSON.parse(text));
  } catch {
    return [];
  }
}

/** Every string in a value (keys included), for `responseProblems`' echo allowance. */
export function stringsIn(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      stringsIn(item, into);
    }
  }
  return into;
}
