/**
 * Direct mail in local mode: Lob or PostGrid configured without `baseUrl` is served by its
 * in-process double (lib/local/doubles/mail.ts), which takes the double's test key, so no real
 * secret is needed; a provider with `baseUrl` is called there with the ABM_SECRETS file's secret.
 * The webhook secret is the ABM_SECRETS file's when it has one, else `LOCAL_MAIL_WEBHOOK_SECRET`
 * (what the double signs its tracking webhooks with in the e2e test).
 */
import type { DirectMailSettings } from '../../functions/kernel/direct-mail-providers';
import type { ProviderSecrets } from '../../functions/platform/providers/secrets';
import { startMailDoubles, type MailDoubles } from './doubles/mail';

export const LOCAL_MAIL_WEBHOOK_SECRET = 'whsec_local_abm_mail';

export interface LocalDirectMail {
  /** The configuration local mode runs with (`baseUrl` pointed at the double when it serves it). */
  settings: DirectMailSettings | undefined;
  secrets: ProviderSecrets;
  /** The double serving the provider, when one does. */
  doubles?: MailDoubles;
  /** Whether this module started the double (and so closes it). */
  own: boolean;
}

export async function localDirectMail(
  settings: DirectMailSettings | undefined,
  secrets: ProviderSecrets,
  given?: MailDoubles,
): Promise<LocalDirectMail> {
  if (!settings || settings.provider === 'eventbridge' || settings.baseUrl !== undefined)
    return { settings, secrets, own: false };
  const provider = settings.provider;
  const doubles = given ?? (await startMailDoubles({ providers: [provider] }));
  return {
    settings: { ...settings, baseUrl: doubles.baseUrlFor(provider) },
    doubles,
    own: !given,
    secrets: {
      async get(name) {
        if (name === settings.secretName) return doubles.secrets[provider];
        if (name === settings.webhookSecretName)
          return secrets.get(name).catch(() => ({ secret: LOCAL_MAIL_WEBHOOK_SECRET }));
        return secrets.get(name);
      },
    },
  };
}
