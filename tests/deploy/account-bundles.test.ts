// Only the functions that check a new password carry the common-password list
// (~380 KB) in their bundle, as shipped (src/cli/function-bundles.ts); the
// rest of @zxcvbn-ts is in none.
import { basename } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleOptions, functionNames } from '../../src/cli/function-bundles.ts';

const CHECK_PASSWORDS = ['classic-reset-password', 'classic-users', 'me-password', 'password-reset', 'register'];

describe('function bundles', () => {
  it('include the password list exactly where a new password is checked', async () => {
    const { metafile } = await build({ ...bundleOptions(), write: false });
    const withList: string[] = [];
    for (const [file, output] of Object.entries(metafile.outputs)) {
      const inputs = Object.keys(output.inputs);
      if (inputs.some((path) => path.endsWith('language-common/dist/passwords.json.mjs'))) withList.push(basename(file, '.mjs'));
      expect(inputs.filter((path) => /language-common\/dist\/(diceware|adjacencyGraphs|index)/.test(path))).toEqual([]);
    }
    expect(Object.keys(metafile.outputs)).toHaveLength(functionNames().length);
    expect(withList.sort()).toEqual(CHECK_PASSWORDS);
  }, 120_000);
});
