// Netlify runs the functions on Node 22, so development and tests run on the
// same major: imported first by every npm script that runs project code. The
// npm scripts get it from the `node-<platform>` optional dependency, which
// npm puts first on their PATH whatever the machine's own Node is; only a
// script started outside npm (`npx tsx …` on an older Node) reaches this.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `Node 22 or newer is required (this is ${process.version}): run it as an npm script (npm run …, npm test), ` +
      'which uses the Node that npm install put in node_modules/.bin.',
  );
  process.exit(1);
}
export {};
