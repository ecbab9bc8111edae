// ES256 against published vectors: the JWS example of RFC 7515 Appendix A.3
// through jose and the signing module, and cases of Wycheproof's
// testvectors_v1/ecdsa_secp256r1_sha256_p1363_test.json (the P1363 form, r||s,
// is the JWS signature form) through WebCrypto, which jose verifies with.
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseSigningKeys } from '../../src/config/signing-keys.ts';
import { importKeySet, publicJwk } from '../../src/signing/keys.ts';

// RFC 7515 Appendix A.3: the key of A.3.1 and the JWS of A.3.1/A.3.2.
const RFC7515_A3_KEY = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
};
const RFC7515_A3_JWS =
  'eyJhbGciOiJFUzI1NiJ9' +
  '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
  '.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q';

/** Wycheproof test cases: [tcId, uncompressed public key, message, r||s, valid]. */
const KEY_1 =
  '042927b10512bae3eddcfe467828128bad2903269919f7086069c8c4df6c732838c7787964eaac00e5921fb1498a60f4606766b3d9685001558d1a974e7341513e';
const N = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';
const WYCHEPROOF: [number, string, string, string, boolean][] = [
  [
    1,
    KEY_1,
    '313233343030',
    '2ba3a8be6b94d5ec80a6d9d1190a436effe50d85a1eee859b8cc6af9bd5c2e184cd60b855d442f5b3c7b11eb6c4e0ae7525fe710fab9aa7c77a67f79e6fadd76',
    true,
  ],
  // r replaced by -r mod n.
  [
    4,
    KEY_1,
    '313233343030',
    'd45c5740946b2a147f59262ee6f5bc90bd01ed280528b62b3aed5fc93f06f739b329f479a2bbd0a5c384ee1493b1f5186a87139cac5df4087c134b49156847db',
    false,
  ],
  [11, KEY_1, '313233343030', '0'.repeat(128), false],
  [13, KEY_1, '313233343030', `${'0'.repeat(64)}${N}`, false],
  [27, KEY_1, '313233343030', `${N}${N}`, false],
  [
    96,
    KEY_1,
    '33323631313938363038',
    '15e76880898316b16204ac920a02d58045f36a229d4aa4f812638c455abe0443e74d357d3fcb5c8c5337bd6aba4178b455ca10e226e13f9638196506a1939123',
    true,
  ],
  [
    115,
    '040ad99500288d466940031d72a9f5445a4d43784640855bf0a69874d2de5fe103c5011e6ef2c42dcd50d5d3d29f99ae6eba2c80c9244f4c5422f0979ff0c3ba5e',
    '313233343030',
    '000000000000000000000000000000004319055358e8617b0c46353d039cdaabffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254e',
    true,
  ],
  [
    120,
    '04a71af64de5126a4a4e02b7922d66ce9415ce88a4c9d25514d91082c8725ac9575d47723c8fbe580bb369fec9c2665d8e30a435b9932645482e7c9f11e872296b',
    '313233343030',
    `${'0'.repeat(63)}5${'0'.repeat(63)}1`,
    true,
  ],
  // The same r and s, not padded to 32 bytes each.
  [
    121,
    '04a71af64de5126a4a4e02b7922d66ce9415ce88a4c9d25514d91082c8725ac9575d47723c8fbe580bb369fec9c2665d8e30a435b9932645482e7c9f11e872296b',
    '313233343030',
    '0501',
    false,
  ],
];

const hex = (text: string) => Buffer.from(text, 'hex');

describe('ES256 against published vectors', () => {
  it('verifies the JWS of RFC 7515 Appendix A.3 with its public key, and not once altered', async () => {
    const { d: _d, ...publicKey } = RFC7515_A3_KEY;
    const key = await importJWK(publicKey, 'ES256');
    const { payload, protectedHeader } = await compactVerify(RFC7515_A3_JWS, key);
    expect(protectedHeader).toEqual({ alg: 'ES256' });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true });
    const altered = RFC7515_A3_JWS.replace('.eyJpc3MiOiJqb2Ui', '.eyJpc3MiOiJqb2Xi');
    await expect(compactVerify(altered, key)).rejects.toThrow();
  });

  it('takes the RFC 7515 A.3 private key as a signing key: its own signatures verify with the published public part', async () => {
    const [configured] = parseSigningKeys(JSON.stringify([{ ...RFC7515_A3_KEY, kid: 'rfc7515-a3' }]));
    const keys = await importKeySet([configured!], undefined);
    expect(keys.jwks).toEqual({ keys: [{ ...publicJwk(configured!), x: RFC7515_A3_KEY.x, y: RFC7515_A3_KEY.y }] });
    if (keys.signer === undefined) throw new Error('expected an ES256 signer');
    const data = new TextEncoder().encode('signing input');
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.signer.key, data);
    const { d: _d, ...publicKey } = RFC7515_A3_KEY;
    const published = (await importJWK(publicKey, 'ES256')) as CryptoKey;
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, published, signature, data)).toBe(true);
  });

  it.each(WYCHEPROOF)('Wycheproof ecdsa_secp256r1_sha256_p1363 case %i', async (_id, point, message, signature, valid) => {
    const key = await crypto.subtle.importKey('raw', hex(point), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const verified = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, hex(signature), hex(message)).catch(() => false);
    expect(verified).toBe(valid);
  });
});
