// Only the functions that check a new password carry the common-password list
// (~380 KB) in their bundle; the rest of @zxcvbn-ts is in none.
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const FUNCTIONS = fileURLToPath(new URL('../../netlify/functions/', import.meta.url));
const CHECK_PASSWORDS = ['classic-reset-password', 'classic-users', 'me-password', 'password-reset', 'register'];

async function bundledInputs(file: string): Promise<string[]> {
  const result = await build({
    entryPoints: [`${FUNCTIONS}${file}`],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['pg-native', 'bufferutil', 'utf-8-validate'],
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('function bundles', () => {
  it('include the password list exactly where a new password is checked', async () => {
    const files = (await readdir(FUNCTIONS)).filter((f) => f.endsWith('.ts')).sort();
    const withList: string[] = [];
    for (const file of files) {
      const inputs = await bundledInputs(file);
      if (inputs.some((path) => path.endsWith('language-common/dist/passwords.json.mjs'))) withList.push(file.replace(/\.ts$/, ''));
      expect(inputs.filter((path) => /language-common\/dist\/(diceware|adjacencyGraphs|index)/.test(path))).toEqual([]);
    }
    expect(withList).toEqual(CHECK_PASSWORDS);
  }, 120_000);
});
