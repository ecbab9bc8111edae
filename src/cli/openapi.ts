// npm run openapi [-- <file>|-] — write the OpenAPI document for publishing:
// to <file> (relative to where npm was run), to standard output with `-`, or
// by default to dist/openapi.json (git-ignored: the repository's top level
// holds no generated files).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../openapi/document.ts';

const argument = process.argv[2];
const text = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
if (argument === '-') {
  process.stdout.write(text);
} else {
  const file =
    argument === undefined
      ? fileURLToPath(new URL('../../dist/openapi.json', import.meta.url))
      : resolve(process.env.INIT_CWD ?? process.cwd(), argument);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  console.error(`OpenAPI document written to ${file}`);
}
