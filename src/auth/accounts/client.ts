// What the core needs to know about the caller of a request, apart from HTTP
// (the edge builds it: src/http/client.ts).

export interface Client {
  /** The platform-reported address (Netlify's context.ip), for rate limits. */
  ip: string;
  /** Where the web pages live: links in e-mails open <appUrl>/confirm and <appUrl>/reset. */
  appUrl: string;
  /** Lets e-mail go out after the response; without it the caller waits for delivery. */
  waitUntil?: (work: Promise<unknown>) => void;
}
