// The password list of @zxcvbn-ts/language-common, imported on its own (not
// through the package index) so that bundles skip its other dictionaries.
declare module '@zxcvbn-ts/language-common/dist/passwords.json.mjs' {
  const passwords: string[];
  export default passwords;
}
