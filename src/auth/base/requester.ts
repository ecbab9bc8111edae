// What the core needs to know about the caller of a request, apart from HTTP
// (the edge builds it: src/http/client.ts).

/** Where a request came from: recorded on sessions and security events. */
export interface Requester {
  /** The platform-reported address (Netlify's context.ip); '' when the platform gave none. */
  ip: string;
  /** The User-Agent header, trimmed to 256 characters; null when absent. */
  userAgent?: string | null | undefined;
}

export interface Client extends Requester {
  /** Where the web pages live: links in e-mails open <appUrl>/confirm and <appUrl>/reset. */
  appUrl: string;
  /** Lets e-mail go out after the response; without it the caller waits for delivery. */
  waitUntil?: (work: Promise<unknown>) => void;
}

/** A call from code (the classic core API, the seed): no address, no agent. */
export const NO_REQUESTER: Requester = { ip: '', userAgent: null };
