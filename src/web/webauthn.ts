// The browser's half of a passkey ceremony: the API's JSON options made into
// what navigator.credentials takes, and its credential made back into the JSON
// the API reads (PublicKeyCredential.toJSON()). The browsers' own helpers do
// both where they exist (parse…OptionsFromJSON, toJSON: Chromium 129, Firefox
// 119, Safari 18.4); the fallback below only converts the few base64url fields
// WebAuthn has, so no library is bundled for it. A browser's refusal leaves as
// an ApiError with status 0, so the forms show it as they show the API's.
import { ApiError } from './api.ts';

type Json = Record<string, unknown>;

/** Whether this browser can use passkeys at all (a secure context with WebAuthn). */
export const passkeysSupported = (): boolean => typeof window.PublicKeyCredential === 'function' && navigator.credentials !== undefined;

/** Whether the browser offers passkeys in the username field's autofill (the conditional UI). */
export async function conditionalUiAvailable(): Promise<boolean> {
  if (!passkeysSupported() || typeof PublicKeyCredential.isConditionalMediationAvailable !== 'function') return false;
  return PublicKeyCredential.isConditionalMediationAvailable().catch(() => false);
}

const bytes = (text: string): ArrayBuffer =>
  Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0)).buffer;
const text = (data: ArrayBuffer): string =>
  btoa(String.fromCharCode(...new Uint8Array(data)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
const withIds = (list: unknown) =>
  (list as { id: string }[] | undefined)?.map((descriptor) => ({ ...descriptor, id: bytes(descriptor.id) }));

function creationOptions(json: Json): PublicKeyCredentialCreationOptions {
  if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function') {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json as unknown as PublicKeyCredentialCreationOptionsJSON);
  }
  const user = json.user as Json;
  return {
    ...json,
    challenge: bytes(json.challenge as string),
    user: { ...user, id: bytes(user.id as string) },
    excludeCredentials: withIds(json.excludeCredentials),
  } as unknown as PublicKeyCredentialCreationOptions;
}

function requestOptions(json: Json): PublicKeyCredentialRequestOptions {
  if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function') {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json as unknown as PublicKeyCredentialRequestOptionsJSON);
  }
  return {
    ...json,
    challenge: bytes(json.challenge as string),
    allowCredentials: withIds(json.allowCredentials),
  } as PublicKeyCredentialRequestOptions;
}

function credentialJson(credential: PublicKeyCredential): Json {
  let json: Json;
  if (typeof credential.toJSON === 'function') json = credential.toJSON() as unknown as Json;
  else {
    const answer = credential.response;
    const response: Json = { clientDataJSON: text(answer.clientDataJSON) };
    if (answer instanceof AuthenticatorAttestationResponse) {
      response.attestationObject = text(answer.attestationObject);
      response.transports = answer.getTransports?.() ?? [];
    } else {
      const assertion = answer as AuthenticatorAssertionResponse;
      response.authenticatorData = text(assertion.authenticatorData);
      response.signature = text(assertion.signature);
      if (assertion.userHandle !== null) response.userHandle = text(assertion.userHandle);
    }
    json = {
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      response,
      authenticatorAttachment: credential.authenticatorAttachment,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  }
  // The API takes an absent field, not null, for what the authenticator did not say.
  if (json.authenticatorAttachment === null) delete json.authenticatorAttachment;
  return json;
}

/** What a person can do about a browser's refusal (DOMException names, WebAuthn Level 3 §5.1.3–4). */
const REFUSALS: Record<string, string> = {
  NotAllowedError: 'No passkey was used: the request was cancelled, timed out or not allowed here. Try again.',
  InvalidStateError: 'This device or password manager already holds a passkey for this account.',
  SecurityError: "This address cannot use passkeys (passkeys need HTTPS, or localhost, and the site's own host name).",
  NotSupportedError: 'This browser or device cannot make the kind of passkey this site asks for.',
};

async function ceremony(run: () => Promise<Credential | null>): Promise<Json> {
  let credential: Credential | null;
  try {
    credential = await run();
  } catch (error) {
    if (!(error instanceof DOMException)) throw error;
    throw new ApiError(0, 'passkey_not_used', REFUSALS[error.name] ?? error.message);
  }
  if (credential === null) throw new ApiError(0, 'passkey_not_used', REFUSALS.NotAllowedError!);
  return credentialJson(credential as PublicKeyCredential);
}

/** navigator.credentials.create() with the API's options: the new passkey's answer, as the API reads it. */
export const createPasskey = (options: Json): Promise<Json> =>
  ceremony(() => navigator.credentials.create({ publicKey: creationOptions(options) }));

/**
 * navigator.credentials.get() with the API's options: the assertion as the API
 * reads it. `conditional`: waits for the person to pick a passkey in the
 * username field's autofill, until `signal` aborts it.
 */
export const getPasskey = (options: Json, conditional?: { signal: AbortSignal }): Promise<Json> =>
  ceremony(() =>
    navigator.credentials.get({
      publicKey: requestOptions(options),
      ...(conditional && { mediation: 'conditional' as CredentialMediationRequirement, signal: conditional.signal }),
    }),
  );
