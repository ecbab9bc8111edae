// npm run keys — prints a new ES256 signing key, a private JWK with its kid,
// to add to JWT_SIGNING_KEYS (how to rotate: src/signing/README.md).
import './require-node.ts';
import { newSigningKey } from '../signing/keys.ts';

console.log(JSON.stringify(await newSigningKey()));
console.error(
  'Keep it secret. JWT_SIGNING_KEYS is a JSON array of these: the first signs, the others still verify. ' +
    'To rotate, add it last, deploy, wait for caches of /.well-known/jwks.json (5 minutes), then move it first.',
);
