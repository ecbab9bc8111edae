// What a deploy ships, checked offline: the functions built as `npm run build`
// builds them, then packaged by Netlify's own packager (zip-it-and-ship-it)
// with netlify.toml's settings as Netlify reads them, as `netlify build` does.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@netlify/config';
import { zipFunctions } from '@netlify/zip-it-and-ship-it';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunctions, FUNCTIONS_OUT, FUNCTIONS_SOURCE, functionNames } from '../../src/cli/function-bundles.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

interface ManifestFunction {
  name: string;
  path: string;
  bundler: string;
  runtimeVersion: string;
  buildData: { runtimeAPIVersion: number };
  routes?: { pattern: string; methods: string[] }[];
  excludedRoutes?: { pattern: string }[];
  schedule?: string;
}

let work: string;
let netlify: Awaited<ReturnType<typeof resolveConfig>>['config'];
let manifest: ManifestFunction[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'packaging-'));
  ({ config: netlify } = await resolveConfig({ cwd: ROOT, offline: true }));
  const built = join(work, 'functions');
  await bundleFunctions(built);
  // @netlify/build's translation of [functions] for the packager, with the
  // Node version of the build (here, this process's) as the runtime.
  const settings = netlify.functions?.['*'] ?? {};
  // Unzipped (the same files, in a folder per function), which saves deflating 25 zips.
  await zipFunctions(built, join(work, 'packaged'), {
    archiveFormat: 'none',
    basePath: work,
    config: {
      '*': {
        nodeBundler: settings.node_bundler,
        externalNodeModules: settings.external_node_modules,
        includedFiles: settings.included_files,
        nodeVersion: process.version,
      },
    },
    manifest: join(work, 'manifest.json'),
  });
  manifest = JSON.parse(await readFile(join(work, 'manifest.json'), 'utf8')).functions;
}, 120_000);
afterAll(() => rm(work, { recursive: true, force: true }));

describe('function packaging', () => {
  it('ships the built bundles as they are: the build command, its folder, no bundler of Netlify', async () => {
    // Migrations first (netlify/README.md): a failing one stops the deploy before anything ships.
    expect(netlify.build.command).toBe('npm run db:migrate && npm run build');
    const scripts = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts.build).toBe('tsx src/cli/build.ts');
    expect(`${netlify.functionsDirectory}/`).toBe(FUNCTIONS_OUT);
    expect(netlify.functions?.['*']).toEqual({ node_bundler: 'none' });
  });

  it('has one bundle per function of netlify/functions and nothing else', async () => {
    const sources = (await readdir(FUNCTIONS_SOURCE)).filter((file) => file.endsWith('.ts')).map((file) => file.replace(/\.ts$/, ''));
    expect(functionNames()).toEqual(sources.sort());
    expect(manifest.map((f) => f.name).sort()).toEqual(functionNames());
  });

  it('lets Netlify read each route from the bundle: the path of the source config, its exclusions, or its schedule', async () => {
    for (const name of functionNames()) {
      const { config } = (await import(`${FUNCTIONS_SOURCE}${name}.ts`)) as {
        config: { path?: string; excludedPath?: string[]; schedule?: string };
      };
      const shipped = manifest.find((f) => f.name === name)!;
      expect({
        name,
        routes: shipped.routes?.map((r) => r.pattern),
        excluded: shipped.excludedRoutes?.map((r) => r.pattern),
        schedule: shipped.schedule,
        api: shipped.buildData.runtimeAPIVersion,
      }).toEqual({
        name,
        routes: config.path === undefined ? undefined : [config.path],
        excluded: config.excludedPath,
        schedule: config.schedule,
        api: 2,
      });
    }
  });

  it("runs every function on Node 22, with the bundle alone beside Netlify's own files", async () => {
    for (const shipped of manifest) {
      expect([shipped.name, shipped.bundler, shipped.runtimeVersion]).toEqual([shipped.name, 'none', 'nodejs22.x']);
      const own = (await readdir(shipped.path)).filter((name) => !name.startsWith('___netlify-'));
      expect(own).toEqual([`${shipped.name}.mjs`]);
    }
  });
});
