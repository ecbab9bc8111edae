// Cold start per function, measured on what ships beside the esbuild bundle
// this benchmark has always measured, in the same run:
// - shipped: `netlify build --offline`, i.e. the build command and then
//   Netlify's own packager (zip-it-and-ship-it) as netlify.toml configures it.
//   Per zip: its size, its files, the function's own share (the zip without
//   the files Netlify adds to every zip: entry point, bootstrap, telemetry,
//   metadata), and the time to import the module the entry point loads.
// - esbuild: the reference, one esbuild bundle per function (ESM, minified)
//   with pg, ws and the common-password list left out and resolved from
//   node_modules, as the benchmark has bundled it since it first measured
//   cold starts.
// Imports run in fresh Node processes, the two builds of a function taking
// turns so that both see the same load. Each import is timed by the clock and
// by the CPU time the process spent on it; on a loaded machine the clock
// counts the waits for a core too, so the goal's ratio compares CPU times.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { bundleOptions, FUNCTIONS_SOURCE, functionNames, NOT_BUNDLED } from '../../src/cli/function-bundles.ts';
import { readZip } from '../support/zip.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REFERENCE_EXTERNALS = ['pg', 'ws', '@zxcvbn-ts/language-common'];
/** Files zip-it-and-ship-it adds to every zip; the function's own files are the rest. */
const NETLIFY_FILE = /^___netlify-/;

export interface ColdStart {
  name: string;
  /** The path Netlify read from the bundle's `config`, and the one the source declares. */
  route: string | undefined;
  sourcePath: string;
  runtimeVersion: string | undefined;
  zipBytes: number;
  files: number;
  /** Compressed bytes of the function's own files. */
  ownZipBytes: number;
  packaged: ImportTime;
  esbuildBytes: number;
  esbuild: ImportTime;
}

/** Medians over the runs, in ms. */
export interface ImportTime {
  wallMs: number;
  cpuMs: number;
}

interface ManifestFunction {
  name: string;
  path: string;
  runtimeVersion?: string;
  routes?: { pattern: string }[];
}

export async function coldStarts(runs = 9): Promise<{ buildSeconds: number; functions: ColdStart[] }> {
  const work = await mkdtemp(join(tmpdir(), 'cold-start-'));
  try {
    const started = performance.now();
    await run(join(ROOT, 'node_modules/.bin/netlify'), ['build', '--offline'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }).catch(
      (error) => {
        throw new Error(`netlify build --offline failed:\n${error.stdout}\n${error.stderr}`);
      },
    );
    const buildSeconds = (performance.now() - started) / 1000;
    const manifest = JSON.parse(await readFile(join(ROOT, '.netlify/functions/manifest.json'), 'utf8')) as {
      functions: ManifestFunction[];
    };

    const reference = join(work, 'esbuild');
    await mkdir(reference);
    await symlink(join(ROOT, 'node_modules'), join(reference, 'node_modules'));
    const results: ColdStart[] = [];
    for (const name of functionNames()) {
      const shipped = manifest.functions.find((f) => f.name === name);
      if (shipped === undefined) throw new Error(`netlify build shipped no function ${name}`);
      const entries = await readZip(shipped.path);
      const unpacked = join(work, 'packaged', name);
      for (const entry of entries) {
        await mkdir(dirname(join(unpacked, entry.name)), { recursive: true });
        await writeFile(join(unpacked, entry.name), entry.data());
      }
      // The entry point hands the bootstrap the function's module: `getLambdaHandler('./me.mjs')`.
      const entryPoint = entries
        .find((e) => e.name === '___netlify-entry-point.mjs')!
        .data()
        .toString();
      const module = join(unpacked, /getLambdaHandler\('([^']+)'\)/.exec(entryPoint)![1]!);

      const bundle = join(reference, `${name}.mjs`);
      // As shipped, but with the reference's packages left out.
      await build({
        ...bundleOptions(reference),
        entryPoints: [join(FUNCTIONS_SOURCE, `${name}.ts`)],
        external: [...NOT_BUNDLED, ...REFERENCE_EXTERNALS],
      });

      const times: Record<'packaged' | 'esbuild', ImportTime[]> = { packaged: [], esbuild: [] };
      for (let i = 0; i < runs; i++) {
        times.packaged.push(await importTime(module));
        times.esbuild.push(await importTime(bundle));
      }
      const { config } = (await import(join(FUNCTIONS_SOURCE, `${name}.ts`))) as { config: { path: string } };
      results.push({
        name,
        route: shipped.routes?.[0]?.pattern,
        sourcePath: config.path,
        runtimeVersion: shipped.runtimeVersion,
        zipBytes: (await stat(shipped.path)).size,
        files: entries.length,
        ownZipBytes: entries.filter((e) => !NETLIFY_FILE.test(e.name)).reduce((sum, e) => sum + e.compressedBytes, 0),
        packaged: medians(times.packaged),
        esbuildBytes: (await stat(bundle)).size,
        esbuild: medians(times.esbuild),
      });
    }
    return { buildSeconds, functions: results };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function importTime(file: string): Promise<ImportTime> {
  const { stdout } = await run(process.execPath, [
    '--input-type=module',
    '-e',
    `const c = process.cpuUsage(), t = performance.now(); await import(${JSON.stringify(file)});
     const wall = performance.now() - t, cpu = process.cpuUsage(c); console.log(wall, (cpu.user + cpu.system) / 1000);`,
  ]);
  const [wallMs, cpuMs] = stdout.trim().split(' ').map(Number) as [number, number];
  return { wallMs, cpuMs };
}

function medians(times: ImportTime[]): ImportTime {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { wallMs: median(times.map((t) => t.wallMs)), cpuMs: median(times.map((t) => t.cpuMs)) };
}
