/**
 * The direct-mail provider in the stack (`config.providers.directMail`, README "Connect direct
 * mail"): every function that orders or cancels pieces gets the configuration as JSON
 * (`ABM_DIRECT_MAIL_PROVIDER`) and may read the provider's API-key secret by its name, and nothing
 * else: ExecuteStep (orders, and cancels on an exit), the scorer (exit stages) and the API router
 * (an operator's stop) cancel a stopped or exited enrollment's pieces. The webhook function gets the
 * configuration and the webhook secret through the API construct's `webhooks` prop.
 * No queue of its own: the engine's touch ledger and Step Functions' retries carry each order
 * (functions/engine/channels/direct-mail.ts, docs/providers.md "Direct mail: once and only once").
 */
import { Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { DirectMailSettings } from '../../../functions/kernel/direct-mail-providers';
import { ENV } from '../../../functions/platform/env';
import { grantSecretsByName } from './secret-grants';

export function connectDirectMail(functions: readonly IFunction[], settings: DirectMailSettings): void {
  for (const fn of functions) {
    if (!(fn instanceof LambdaFunction)) throw new Error('connectDirectMail needs Lambda functions');
    fn.addEnvironment(ENV.directMailProvider, JSON.stringify(settings));
    if (settings.provider !== 'eventbridge') grantSecretsByName(fn, [settings.secretName]);
  }
}

/** What the webhook function needs: the configuration and the webhook secret's name. */
export function directMailWebhooks(settings: DirectMailSettings): {
  directMailProvider: DirectMailSettings;
  secretNames: string[];
} {
  return {
    directMailProvider: settings,
    secretNames: settings.provider === 'eventbridge' ? [] : [settings.webhookSecretName],
  };
}
