/**
 * Sending one email through SES v2 behind a small port, and the HMAC key for unsubscribe tokens
 * behind another (`SecretSource`): Lambda reads it from Secrets Manager once per cold start, local
 * mode and tests pass a key.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { lazyClient, sesSdk } from './aws-sdk';
import { port } from './compose';

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers: { name: string; value: string }[];
  /** Tags for SES event publishing (values limited to [A-Za-z0-9_-]). */
  tags: Record<string, string>;
}

export interface EmailSender {
  /** Returns the provider's message id. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

const TAG_VALUE = /[^A-Za-z0-9_-]/g;

export class SesEmailSender implements EmailSender {
  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSetName?: string,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const { SendEmailCommand } = sesSdk();
    const out = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: [email.to] },
        ConfigurationSetName: this.configurationSetName || undefined,
        EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({
          Name,
          Value: Value.replace(TAG_VALUE, '_').slice(0, 256) || '_',
        })),
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Html: { Data: email.html, Charset: 'UTF-8' },
              Text: { Data: email.text, Charset: 'UTF-8' },
            },
            Headers: email.headers.map((h) => ({ Name: h.name, Value: h.value })),
          },
        },
      }),
    );
    if (!out.MessageId) throw new Error('SES SendEmail returned no MessageId');
    return { messageId: out.MessageId };
  }
}

/**
 * What a failed SendEmail tells about the mail:
 * - `throttled`: SES refused it for rate or quota (HTTP 429, TooManyRequests, Throttling,
 *   LimitExceeded): certainly not accepted, and worth retrying later;
 * - `rejected`: any other answer in the 4xx range (MessageRejected, SendingPaused, AccountSuspended,
 *   MailFromDomainNotVerified, BadRequest, NotFound...): certainly not accepted, not worth retrying;
 * - `unknown`: no answer (timeout, connection reset, an error before or after the request) or a 5xx:
 *   SES may have accepted the mail, so sending it again could send it twice.
 */
export type SesFailure = 'throttled' | 'rejected' | 'unknown';

const THROTTLING_ERRORS = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
]);

const REJECTION_ERRORS = new Set([
  'MessageRejected',
  'SendingPausedException',
  'AccountSuspendedException',
  'MailFromDomainNotVerifiedException',
  'BadRequestException',
  'NotFoundException',
]);

export function classifySesError(err: unknown): SesFailure {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = e?.name ?? '';
  const status = e?.$metadata?.httpStatusCode;
  if (status === 429 || THROTTLING_ERRORS.has(name)) return 'throttled';
  if (REJECTION_ERRORS.has(name)) return 'rejected';
  // 408 is a timeout on the way: no answer from SES itself.
  if (status !== undefined && status >= 400 && status < 500 && status !== 408) return 'rejected';
  return 'unknown';
}

/** The email port: SES v2, with the configuration set that publishes its events (`config.sesConfigurationSet`). */
export const EMAIL = /* @__PURE__ */ port(
  'email',
  (config) =>
    new SesEmailSender(
      lazyClient(() => new (sesSdk().SESv2Client)({})),
      config.sesConfigurationSet,
    ),
);
