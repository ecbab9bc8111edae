// Records every answer of a deployed function that a test file receives
// through call(), for the OpenAPI contract check at the end of the run
// (tests/support/openapi-contract.ts).
import { randomUUID } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, inject } from 'vitest';
import type { RouteHandler } from '../../src/http/route.ts';
import { callObservers, type ObservedCall } from './call.ts';
import type { RecordedResponse } from './openapi-contract.ts';

const FUNCTIONS = fileURLToPath(new URL('../../netlify/functions/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let deployed: Promise<ReadonlySet<unknown>> | undefined;

/** The functions' handlers, so that the ad-hoc routes some unit tests build are left out. */
function deployedHandlers(): Promise<ReadonlySet<unknown>> {
  deployed ??= readdir(FUNCTIONS).then(async (files) => {
    const modules = await Promise.all(files.filter((file) => file.endsWith('.ts')).map((file) => import(join(FUNCTIONS, file))));
    return new Set(modules.map((module: { default: unknown }) => module.default));
  });
  return deployed;
}

const records: RecordedResponse[] = [];
const pending: Promise<void>[] = [];

callObservers.push((observed: ObservedCall) => {
  const { testPath, currentTestName } = expect.getState();
  pending.push(
    deployedHandlers().then((handlers) => {
      if (!handlers.has(observed.handler)) return;
      records.push({
        test: `${relative(ROOT, testPath ?? '')} > ${currentTestName ?? '(outside a test)'}`,
        method: observed.method,
        route: (observed.handler as RouteHandler).path,
        status: observed.status,
        contentType: observed.headers.get('content-type'),
        text: observed.text,
      });
    }),
  );
});

afterAll(async () => {
  await Promise.all(pending);
  if (records.length === 0) return;
  await writeFile(join(inject('responseLogDir'), `${randomUUID()}.json`), JSON.stringify(records));
});
