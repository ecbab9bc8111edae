// Request bodies: JSON or form (urlencoded or multipart), at most 64 KiB.
import { MIMEType } from 'node:util';
import { HttpError, validationFailed, type ErrorDetails } from '../common/errors.ts';

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * No body of the service has more than a handful of fields. A wider one is
 * refused before anything costs time per field (an error object per unknown
 * field in validation, a form entry per part in multipart parsing).
 */
export const MAX_BODY_FIELDS = 32;

/** Deeper JSON is refused unparsed: JSON.parse takes milliseconds per ten thousand levels, and no body nests. */
export const MAX_JSON_DEPTH = 8;

const tooManyFields = () => validationFailed({ body: [`must have at most ${MAX_BODY_FIELDS} fields`] }, 'The body has too many fields.');

const tooLarge = () => new HttpError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes.`);

/**
 * The body as a record of fields with no prototype, so a field named
 * `__proto__` or `constructor` is a field like any other (and refused as
 * unknown by closed schemas). A form field sent twice is a 400 (no field takes
 * several values); a file stays a File, which schema validation refuses.
 * An empty body without a content type is an empty record. Every step is
 * linear in the body's size (tests/bench/body-parse.ts measures it).
 */
export async function readBody(req: Request): Promise<unknown> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) throw tooLarge();
  const bytes = await readCapped(req);
  const type = mediaType(req);

  if (type === '' && bytes.length === 0) return Object.create(null) as Record<string, unknown>;
  if (isJsonType(type)) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    checkJsonShape(text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HttpError('invalid_json');
    }
    if (!isRecord(parsed)) return parsed;
    // JSON.parse makes `"__proto__"` an own key; keep it one on a record without a prototype.
    return Object.assign(Object.create(null) as Record<string, unknown>, parsed);
  }
  if (type === 'application/x-www-form-urlencoded') {
    const text = new TextDecoder().decode(bytes);
    if (formFieldCount(text) > MAX_BODY_FIELDS) throw tooManyFields();
    return collect(new URLSearchParams(text));
  }
  if (type === 'multipart/form-data') {
    const boundary = multipartBoundary(req.headers.get('content-type')!);
    if (partCount(bytes, boundary) > MAX_BODY_FIELDS) throw tooManyFields();
    let form: FormData;
    try {
      // The parser is handed the boundary the parts were counted with, in a header it cannot read otherwise.
      const contentType = `multipart/form-data; boundary="${boundary}"`;
      form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': contentType } }).formData();
    } catch {
      throw malformedMultipart();
    }
    return collect(form);
  }
  throw new HttpError('unsupported_media_type');
}

const mediaType = (req: Request) => (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
const isJsonType = (type: string) => type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));

/** Whether the body is JSON, which can carry null (a form cannot). */
export const isJsonBody = (req: Request) => isJsonType(mediaType(req));

async function readCapped(req: Request): Promise<Buffer> {
  if (req.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Refuses JSON nested deeper than MAX_JSON_DEPTH or with more than
 * MAX_BODY_FIELDS members at the top, in one pass over the text before it is
 * parsed. Text that is not JSON passes here and is refused by JSON.parse.
 */
function checkJsonShape(text: string): void {
  let depth = 0;
  let members = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character; a quote ends the string.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw validationFailed({ body: [`must be nested at most ${MAX_JSON_DEPTH} levels deep`] }, 'The body is nested too deeply.');
      }
      if (depth === 1) members = 1;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    } else if (c === 0x2c && depth === 1 && ++members > MAX_BODY_FIELDS) {
      throw tooManyFields();
    }
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Non-empty `&`-separated fields of a urlencoded body, counted up to one past the limit. */
function formFieldCount(text: string): number {
  let count = 0;
  for (let start = 0; start <= text.length && count <= MAX_BODY_FIELDS; ) {
    const end = text.indexOf('&', start);
    const stop = end === -1 ? text.length : end;
    if (stop > start) count++;
    start = stop + 1;
  }
  return count;
}

const malformedMultipart = () =>
  validationFailed({ body: ['must be a well-formed multipart/form-data body'] }, 'The multipart body could not be parsed.');

/** RFC 2046's boundary: 1 to 70 of its characters, no quote or backslash, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/**
 * The boundary parameter as the platform's parser reads a header (WHATWG MIME
 * type parsing, `node:util`'s MIMEType: quoted values, escapes and the first
 * of repeated parameters), refused unless it is a boundary RFC 2046 allows.
 * A regex once read `boundary="x\"b"` or a decoy `x="; boundary=fake"`
 * differently from the parser, and the part count below counted nothing.
 */
function multipartBoundary(contentType: string): string {
  let boundary: string | null;
  try {
    boundary = new MIMEType(contentType).params.get('boundary');
  } catch {
    throw malformedMultipart();
  }
  if (boundary === null || !BOUNDARY.test(boundary)) throw malformedMultipart();
  return boundary;
}

/**
 * Delimiters of `boundary` in the body, counted without parsing the parts
 * (the platform's multipart parser slows down with every repeated name).
 */
function partCount(bytes: Buffer, boundary: string): number {
  const delimiter = Buffer.from(`--${boundary}`);
  let count = -1; // the last delimiter closes the body
  for (let at = bytes.indexOf(delimiter); at !== -1; at = bytes.indexOf(delimiter, at + delimiter.length)) {
    if (++count > MAX_BODY_FIELDS) break;
  }
  return count;
}

/** Form entries as a record; every name sent more than once is reported at once. */
function collect(entries: Iterable<[string, FormDataEntryValue]>): Record<string, unknown> {
  const fields = Object.create(null) as Record<string, unknown>;
  const repeated = new Set<string>();
  let count = 0;
  for (const [name, value] of entries) {
    if (++count > MAX_BODY_FIELDS) throw tooManyFields();
    if (Object.hasOwn(fields, name)) repeated.add(name);
    else fields[name] = value;
  }
  if (repeated.size > 0) {
    const details = Object.create(null) as ErrorDetails;
    for (const name of repeated) details[name] = ['must be sent once'];
    throw validationFailed(details, 'A field was sent more than once.');
  }
  return fields;
}
