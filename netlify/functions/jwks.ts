// GET /.well-known/jwks.json — no database. The public half of each
// configured key, serialized once per key set.
import { jwks } from '../../src/endpoints/jwks.ts';
import { cacheableJson } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { currentKeys } from '../../src/signing/current.ts';
import { JWKS_MAX_AGE_SECONDS } from '../../src/signing/keys.ts';

export const config = { path: '/.well-known/jwks.json' };

export default route(config, jwks, {
  GET: async (req) => cacheableJson(req, (await currentKeys()).jwks, JWKS_MAX_AGE_SECONDS),
});
