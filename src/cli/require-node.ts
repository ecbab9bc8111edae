// Netlify runs the functions on Node 22, so development and tests run on the
// same major: imported first by every npm script that runs project code.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`Node 22 or newer is required (this is ${process.version}); see the README, "Requirements".`);
  process.exit(1);
}
export {};
