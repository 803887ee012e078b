/**
 * Email through SES v2: rendered from its template (by role, by account), with a signed one-click
 * unsubscribe link (RFC 8058 headers) and message tags that let SES engagement find its way back.
 * The sender reputation breaker: while the sending domain is paused (functions/ingest/reputation.ts)
 * each touch is deferred and checked again later; each email SES accepts is counted for the domain.
 * Pacing (docs/architecture.md "Email pacing"): with `maxSendRate` configured, each email reserves
 * a slot of the rate right before its hand-over, and one whose slot has not come is deferred to
 * it; a send SES throttles anyway (certainly not accepted) is deferred too, never
 * failed, so a launch that wakes every contact at one window opening loses and skips nothing.
 */
import type { EmailStep, Touch } from '../../kernel/model';
import { PAUSED_DOMAIN_RECHECK_MS, sendingDomainOf } from '../../kernel/reputation';
import { reservedSlot, slotMillis, slotReason, throttledRetryAt } from '../../kernel/send-rate';
import { decodeCompiled } from '../../kernel/template-compiled';
import { EmailTemplate, emailContext } from '../../kernel/templates';
import { signUnsubscribeToken } from '../../kernel/unsubscribe-token';
import { classifySesError } from '../../platform/ses';
import type { Run } from '../context';
import { emailEligibility } from '../domain/audience';
import type { ChannelFactory, Later } from './types';
import { WINDOWED } from '../domain/touch-timing';

export const email: ChannelFactory<EmailStep> = (deps) => {
  const { config, ledger } = deps;
  const domain = sendingDomainOf(config.senderEmail);
  /** The sending domain's breaker, read once per invocation. */
  const breakers = new WeakMap<Run, ReturnType<typeof deps.reputation.state>>();

  /** The template as stored, if it is valid, with its compiled form when that was made from it. */
  async function stored(templateId: string) {
    const read = await deps.catalog.getTemplateToRender(templateId);
    const parsed = read ? EmailTemplate.safeParse({ version: 1, ...read.template }) : undefined;
    if (!read || !parsed?.success) return undefined;
    return { template: parsed.data, compiled: decodeCompiled(read.compiled, parsed.data) };
  }

  /**
   * The template with its compiled form (docs/architecture.md "Templates"). One stored without it
   * (saved before compiled forms existed) is compiled by the template compiler, which stores it
   * too; one saved again meanwhile is read again (a save stores its own compiled form).
   */
  async function template(run: Run, templateId: string) {
    if (!run.templates.has(templateId)) {
      let found = await stored(templateId);
      if (found && !found.compiled) {
        const bytes = await deps.templateCompiler.compile(templateId);
        const compiled = decodeCompiled(bytes, found.template);
        found = compiled ? { ...found, compiled } : await stored(templateId);
      }
      run.templates.set(
        templateId,
        found?.compiled ? { template: found.template, compiled: found.compiled } : null,
      );
    }
    return run.templates.get(templateId) ?? undefined;
  }

  async function unsubscribeUrl(run: Run, contactId: string): Promise<string> {
    const key = await deps.unsubscribeKey.getSecret();
    const ttlDays = config.unsubscribeTokenTtlDays ?? 365;
    const token = signUnsubscribeToken(
      {
        a: run.account.accountId,
        c: contactId,
        k: run.input.campaignId,
        exp: Math.floor(run.now.getTime() / 1000) + ttlDays * 86_400,
      },
      key,
    );
    const base = config.unsubscribeBaseUrl;
    return `${base}${base.includes('?') ? '&' : '?'}t=${encodeURIComponent(token)}`;
  }

  /**
   * The send's turn at the SES sending rate: undefined when it may go now, else when its slot
   * comes. A touch deferred to a slot it reserved keeps it (it goes when the slot has come, without
   * queueing again); any other reserves the next free slot. Read on the clock at the moment of
   * sending (an invocation may run for a while).
   */
  async function turn(previous?: Touch): Promise<Later | undefined> {
    const rate = config.maxSendRate;
    if (rate === undefined) return undefined;
    const now = deps.clock.now();
    const held = previous?.status === 'deferred' ? reservedSlot(previous.reason) : undefined;
    const slot = held ?? (await deps.sendRate.reserve(now, slotMillis(rate)));
    return slot.getTime() <= now.getTime() ? undefined : { reason: slotReason(rate, slot), until: slot };
  }

  /** When a send SES throttled is tried again: in a new slot when paced, else after a jittered wait. */
  async function afterThrottle(name: string): Promise<Later> {
    const now = deps.clock.now();
    const reason = `throttled:${name}`;
    if (config.maxSendRate === undefined) return { reason, until: throttledRetryAt(now) };
    // At the back of the line (keeping that slot when it comes back), and at least SES's
    // one-second rate window later.
    const rate = config.maxSendRate;
    const slot = await deps.sendRate.reserve(now, slotMillis(rate));
    const floor = new Date(now.getTime() + 1000);
    return slot > floor
      ? { reason: `${reason} ${slotReason(rate, slot)}`, until: slot }
      : { reason, until: floor };
  }

  return {
    windowed: WINDOWED.email,
    begin: (run, step) => ({
      async ineligible(contact) {
        const suppressed = contact.email ? await deps.accounts.isSuppressed(contact.email) : false;
        const eligible = emailEligibility(contact, suppressed);
        return eligible.ok ? undefined : eligible.reason;
      },
      async hold() {
        if (!domain) return undefined;
        if (!breakers.has(run)) breakers.set(run, deps.reputation.state(domain));
        if ((await breakers.get(run))?.status !== 'paused') return undefined;
        return {
          reason: `sending_paused:${domain}`,
          until: new Date(run.now.getTime() + PAUSED_DOMAIN_RECHECK_MS),
        };
      },
      async deliver(touch, contact, previous): Promise<Later | undefined> {
        const tpl = await template(run, step.template);
        if (!tpl) {
          await ledger.failed(run, touch, `template_missing:${step.template}`, true);
          return undefined;
        }
        const link = await unsubscribeUrl(run, contact.contactId);
        const last = run.recent.find((t) => t.status === 'sent' && t.summary && t.stepId !== step.id);
        // Handlebars (its compiler and runtime) is loaded with the first email, not at cold start.
        const { renderTemplate } = await import('../../kernel/template-render');
        const rendered = renderTemplate(
          tpl.template,
          tpl.compiled,
          emailContext({
            account: run.account,
            contact,
            sender: { email: config.senderEmail, name: config.senderName },
            unsubscribeUrl: link,
            lastTouch: last
              ? { stepId: last.stepId, channel: last.channel, summary: last.summary, at: last.at }
              : undefined,
          }),
        );
        const wait = await turn(previous);
        if (wait) return wait;
        // The hand-over, immediately before the call: from here on a crash leaves it uncertain.
        if (!(await ledger.handingOver(run, touch))) return undefined;
        let messageId: string;
        try {
          ({ messageId } = await deps.email.send({
            from: config.senderName ? `${config.senderName} <${config.senderEmail}>` : config.senderEmail,
            to: contact.email as string,
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            headers: [
              { name: 'List-Unsubscribe', value: `<${link}>` },
              { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
            ],
            tags: {
              accountId: run.account.accountId,
              campaignId: run.input.campaignId,
              stepId: step.id,
              contactId: contact.contactId,
            },
          }));
        } catch (err) {
          const name = (err as Error).name;
          switch (classifySesError(err)) {
            case 'throttled':
              // Certainly not accepted (SES drops a throttled message: it never goes out later):
              // the registry records it deferred and the step comes back for it.
              // https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html
              return afterThrottle(name);
            case 'rejected':
              await ledger.failed(run, touch, `ses_rejected:${name}: ${(err as Error).message}`, true);
              return undefined;
            case 'unknown':
              // SES may have accepted it: uncertain (never sent again, never counted as sent).
              await ledger.unknown(run, touch, `unknown_outcome:${name}: ${(err as Error).message}`);
              return undefined;
          }
        }
        // Outside the try: a failure to record the send must not look like a failure to send.
        await ledger.sent(run, touch, messageId, `email "${rendered.subject}"`);
        // Sent is sent: a count that fails leaves the breaker's window one send short, no more.
        if (domain)
          await deps.reputation.countSend(domain, run.now).catch((err: unknown) =>
            deps.log('could not count the send for the sender reputation breaker', {
              domain,
              error: String(err),
            }),
          );
        return undefined;
      },
    }),
  };
};
