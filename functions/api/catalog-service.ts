/**
 * Email templates and sequences. A template that does not compile is a 400 with the path of the
 * bad part; a sequence is validated in one pass (schema and graph, with field paths) and every
 * template its email steps name must exist.
 */
import {
  DEFAULT_DIRECT_MAIL,
  knowsPiece,
  parseDirectMailSettings,
  type DirectMailSettings,
} from '../kernel/direct-mail-providers';
import { AudienceKindsSchema, unmappedAdsSteps, type AudienceKinds } from '../kernel/ads-providers';
import { BadRequest, Conflict, NotFound, NotImplemented, type ErrorDetail } from '../kernel/errors';
import { compileTemplate, templateCompileErrors } from '../kernel/template-compile';
import { decodeCompiled, encodeCompiled } from '../kernel/template-compiled';
import { renderTemplate, templateVariables } from '../kernel/template-render';
import { EmailTemplate, emailContext, TemplateInput, templateSizeError } from '../kernel/templates';
import { SES_TAGS } from '../kernel/rules';
import { AccountViewReader } from '../platform/store/account-view';
import { classifySesError, EMAIL, type EmailSender } from '../platform/ses';
import { templatesUsed, validateSequence } from '../kernel/sequence';
import type { Clock } from '../kernel/clock';
import type { Platform } from '../platform/compose';
import { CatalogRepository } from '../platform/store/catalog';
import { PreconditionFailedError, type Precondition } from '../platform/store/table';
import { preconditionFailed } from './preconditions';
import { SequenceList, TemplateList } from './catalog-schemas';
import { listView } from './schema-common';
import type * as z from 'zod';

/** A conditional write that lost becomes the API's 409 (docs/api.md "Concurrent writes"). */
async function conditional<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof PreconditionFailedError) throw preconditionFailed(what, err.current);
    throw err;
  }
}

/** What the preview and the test send read and send with (docs/api.md "Template preview and test send"). */
export interface TemplateTryDeps {
  /** The account with its committee (one query of its partition). */
  accounts: Pick<AccountViewReader, 'get'>;
  /** The From address (`config.senderEmail`); without one a test send is a 501. */
  sender?: { email: string; name?: string };
  /** Where unsubscribe links point (`config.unsubscribeBaseUrl`). */
  unsubscribeBaseUrl?: string;
  /** The email port (SES), built when a test send first needs it. */
  email: () => EmailSender;
}

/** The unsubscribe link of a preview or test send: an inert token, so no test unsubscribes the real contact. */
export const PREVIEW_UNSUBSCRIBE_TOKEN = 'preview-not-a-token';

export function createCatalogService(deps: {
  catalog: CatalogRepository;
  clock: Clock;
  /** The preview and the test send (local mode, tests, the catalog function). */
  tryOut?: TemplateTryDeps;
  /** The audience names the configured ad providers map (none configured: any name is accepted). */
  adsAudiences?: AudienceKinds;
  /** `config.providers.directMail`: a print-and-mail provider has only the pieces it maps. */
  directMail?: DirectMailSettings;
}) {
  const repo = deps.catalog;

  /** Saves a template: every save is a new version (no read first); with If-Match, only over that version. */
  async function putTemplate(
    templateId: string,
    input: z.infer<typeof TemplateInput>,
    precondition?: Precondition,
  ) {
    const tooLarge = templateSizeError(input);
    if (tooLarge) throw new BadRequest([{ path: 'body', message: tooLarge }], 'the template is too large');
    const errors = templateCompileErrors(input).map((e) => ({ path: `body.${e.path}`, message: e.message }));
    if (errors.length > 0) throw new BadRequest(errors, 'the template does not compile');
    // Stored with its compiled form: the engine renders from it and carries no template parser.
    const compiled = encodeCompiled(compileTemplate(input));
    const saved = await conditional(`template ${templateId}`, () =>
      repo.putTemplate(templateId, input, { precondition, compiled }),
    );
    const template = EmailTemplate.parse(saved.template);
    return { status: saved.created ? 201 : 200, template };
  }

  async function getTemplate(templateId: string) {
    const t = await repo.getTemplate(templateId, EmailTemplate);
    if (!t) throw new NotFound(`no template ${templateId}`);
    return t;
  }

  async function listTemplates(page: { limit: number; cursor?: string }) {
    return listView(await repo.listTemplates(page, EmailTemplate), TemplateList.shape.items.element);
  }

  async function putSequence(sequenceId: string, body: Record<string, unknown>, precondition?: Precondition) {
    if (body.id !== undefined && body.id !== sequenceId) {
      throw new BadRequest([{ path: 'body.id', message: 'must equal the sequenceId in the path' }]);
    }
    const checked = validateSequence({ ...body, id: sequenceId });
    const errors: ErrorDetail[] = checked.ok
      ? []
      : checked.errors.map((e) => ({ path: `body.${e.path}`, message: e.message }));
    if (checked.ok) {
      for (const e of unmappedAdsSteps(checked.sequence.steps, deps.adsAudiences ?? {}))
        errors.push({ path: `body.${e.path}`, message: e.message });
      // A piece the print-and-mail provider does not map would be skipped at every touch: refuse it now.
      const mail = deps.directMail ?? DEFAULT_DIRECT_MAIL;
      checked.sequence.steps.forEach((step, i) => {
        if ('channel' in step && step.channel === 'direct_mail' && !knowsPiece(mail, step.piece))
          errors.push({
            path: `body.steps.${i}.piece`,
            message: `no piece "${step.piece}" in providers.directMail.pieces (${Object.keys(mail.pieces).join(', ') || 'none'})`,
          });
      });
      const used = templatesUsed(checked.sequence);
      const present = await Promise.all(
        [...new Set(used.map((u) => u.templateId))].map(
          async (id) => [id, (await repo.getTemplate(id)) !== undefined] as const,
        ),
      );
      const exists = new Map(present);
      for (const u of used) {
        if (!exists.get(u.templateId))
          errors.push({
            path: `body.steps.${u.stepIndex}.template`,
            message: `no template "${u.templateId}"; PUT /templates/${u.templateId} first`,
          });
      }
    }
    if (errors.length > 0 || !checked.ok) throw new BadRequest(errors, 'the sequence is not valid');
    const saved = await conditional(`sequence ${sequenceId}`, () =>
      repo.saveSequence(checked.sequence, { precondition }),
    );
    return view(saved);
  }

  async function getSequence(sequenceId: string, version?: number) {
    const s = await repo.getSequence(sequenceId, version);
    if (!s)
      throw new NotFound(
        version ? `sequence ${sequenceId} has no version ${version}` : `no sequence ${sequenceId}`,
      );
    return view(s);
  }

  async function listSequences(page: { limit: number; cursor?: string }) {
    return listView(await repo.listSequences(page), SequenceList.shape.items.element);
  }

  /**
   * A template rendered for one account and contact exactly as the engine's email channel renders
   * it (the same context builder, the role variant and the account override resolved by
   * renderTemplate), with the variables it uses that the context lacks or has no value for.
   */
  async function preview(templateId: string, body: { accountId: string; contactId: string }) {
    const tryOut = deps.tryOut;
    if (!tryOut) throw new NotImplemented('template previews are not wired');
    const [stored, whole] = await Promise.all([
      repo.getTemplateToRender(templateId),
      tryOut.accounts.get(body.accountId),
    ]);
    if (!stored) throw new NotFound(`no template ${templateId}`);
    const template = EmailTemplate.parse(stored.template);
    if (!whole) throw new NotFound(`no account ${body.accountId}`);
    const { account } = whole;
    const found = whole.contacts.find((c) => c.contactId === body.contactId);
    if (!found) throw new NotFound(`no contact ${body.contactId} in account ${body.accountId}`);
    const contact = { contact: found };
    const base = tryOut.unsubscribeBaseUrl ?? 'https://unsubscribe.invalid/unsubscribe';
    const context = emailContext({
      account,
      contact: contact.contact,
      sender: tryOut.sender ?? { email: 'sender@unconfigured.invalid' },
      unsubscribeUrl: `${base}${base.includes('?') ? '&' : '?'}t=${PREVIEW_UNSUBSCRIBE_TOKEN}`,
    });
    // The compiled form the engine renders (stored when saved; compiled from the source when the
    // stored one is absent or was compiled from another source), then rendered as the engine renders.
    const compiled = decodeCompiled(stored.compiled, template) ?? compileTemplate(template);
    const rendered = renderTemplate(template, compiled, context);
    const variables = templateVariables(template, compiled, context);
    const variant = {
      role: template.byRole?.[contact.contact.role] ? contact.contact.role : null,
      account: template.byAccount?.[account.accountId] ? account.accountId : null,
    };
    return {
      templateId,
      version: template.version,
      accountId: account.accountId,
      contactId: contact.contact.contactId,
      ...rendered,
      unknownVariables: variables.unknown,
      emptyVariables: variables.empty,
      variant,
      to: contact.contact.email ?? null,
    };
  }

  /**
   * Renders the preview and sends it through SES to `to`, tagged `abmTest=true` (and the template,
   * never a campaign): the SES normaliser drops its events before they become engagement, so it is
   * never scored nor counted in a campaign.
   */
  async function testSend(templateId: string, body: { to: string; accountId: string; contactId: string }) {
    const tryOut = deps.tryOut;
    if (!tryOut?.sender) throw new NotImplemented('no sender address is configured (config.senderEmail)');
    const p = await preview(templateId, body);
    const from = tryOut.sender.name ? `${tryOut.sender.name} <${tryOut.sender.email}>` : tryOut.sender.email;
    try {
      const { messageId } = await tryOut.email().send({
        from,
        to: body.to,
        subject: p.subject,
        html: p.html,
        text: p.text,
        headers: [],
        tags: { [SES_TAGS.test]: 'true', templateId },
      });
      return {
        messageId,
        to: body.to,
        subject: p.subject,
        unknownVariables: p.unknownVariables,
        test: true as const,
      };
    } catch (err) {
      const kind = classifySesError(err);
      if (kind === 'unknown') throw err;
      throw new Conflict(
        `SES ${kind === 'throttled' ? 'is throttling sends; try again shortly' : 'refused the test send'}: ${(err as Error).name}: ${(err as Error).message}`,
      );
    }
  }

  return {
    putTemplate,
    getTemplate,
    listTemplates,
    putSequence,
    getSequence,
    listSequences,
    preview,
    testSend,
  };
}

function view(s: { version: number; createdAt: string } & Record<string, unknown>) {
  const { version, createdAt, ...sequence } = s;
  return { sequence, version, createdAt };
}

/** The catalog service of a platform (its ad audience names from the configuration). */
export function catalogFeature(platform: Platform) {
  return createCatalogService({
    catalog: platform.repository(CatalogRepository),
    clock: platform.clock,
    adsAudiences:
      platform.config.adsAudiences === undefined
        ? undefined
        : AudienceKindsSchema.parse(platform.config.adsAudiences),
    directMail: parseDirectMailSettings(platform.config.directMailProvider),
    tryOut: {
      accounts: platform.repository(AccountViewReader),
      sender: platform.config.senderEmail
        ? { email: platform.config.senderEmail, name: platform.config.senderName }
        : undefined,
      unsubscribeBaseUrl: platform.config.unsubscribeBaseUrl,
      email: () => platform.port(EMAIL),
    },
  });
}
