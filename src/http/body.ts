// Request bodies: JSON or form (urlencoded or multipart), at most 64 KiB.
import { HttpError, validationFailed } from '../common/errors.ts';

export const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = () => new HttpError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes.`);

/**
 * The body as a plain record of fields. A form field sent twice becomes an
 * array and a file stays a File, so schema validation refuses both.
 * An empty body without a content type is an empty record.
 */
export async function readBody(req: Request): Promise<unknown> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) throw tooLarge();
  const bytes = await readCapped(req);
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

  if (type === '' && bytes.length === 0) return {};
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpError('invalid_json');
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    return collect(new URLSearchParams(new TextDecoder().decode(bytes)));
  }
  if (type === 'multipart/form-data') {
    try {
      const form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': req.headers.get('content-type')! } }).formData();
      return collect(form);
    } catch {
      throw validationFailed({ body: ['must be a well-formed multipart/form-data body'] }, 'The multipart body could not be parsed.');
    }
  }
  throw new HttpError('unsupported_media_type');
}

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

function collect(entries: Iterable<[string, FormDataEntryValue]>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of entries) {
    const previous = fields[name];
    if (previous === undefined) fields[name] = value;
    else fields[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return fields;
}
