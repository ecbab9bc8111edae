// Sends one message through the configured HTTP provider:
// POST <MAIL_API_URL> {from, to, subject, text}, `Authorization: Bearer <MAIL_API_KEY>`.
import type { MailSettings } from '../config/settings.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export class MailDeliveryError extends Error {
  override name = 'MailDeliveryError';
}

const TIMEOUT_MS = 10_000;

export async function sendMail(settings: MailSettings, message: MailMessage): Promise<void> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (settings.apiKey !== undefined) headers.Authorization = `Bearer ${settings.apiKey}`;
  let response: Response;
  try {
    response = await fetch(settings.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ from: settings.from, ...message }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new MailDeliveryError(`mail provider unreachable: ${(error as Error).name}`);
  }
  // Drain the body so the connection can be reused; its content is the provider's business.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new MailDeliveryError(`mail provider answered ${response.status}`);
}
