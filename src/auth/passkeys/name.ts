// How long a passkey's name may be, apart from its rule (bodies.ts) so that
// the web pages cap the field without bundling valibot: a name refused after
// the ceremony would leave a passkey on the device that the account lacks.
export const PASSKEY_NAME_MAX = 64;
