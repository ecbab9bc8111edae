// The password of an account made by signing in at another provider
// (src/auth/providers), on its own so that what writes it carries no scrypt.

/** Not a hash: no password verifies against it, and without a scrypt (hash.ts's parseHash refuses it). A reset sets a real one. */
export const NO_PASSWORD = '!no-password';
