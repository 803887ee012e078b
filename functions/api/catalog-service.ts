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
import { BadRequest, NotFound, type ErrorDetail } from '../kernel/errors';
import { compileTemplate, templateCompileErrors } from '../kernel/template-compile';
import { encodeCompiled } from '../kernel/template-compiled';
import { EmailTemplate, TemplateInput, templateSizeError } from '../kernel/templates';
import { templatesUsed, validateSequence } from '../kernel/sequence';
import type { Clock } from '../kernel/clock';
import type { Platform } from '../platform/compose';
import { CatalogRepository } from '../platform/store/catalog';
import { PreconditionFailedError, type Precondition } from '../platform/store/table';
import { preconditionFailed } from './preconditions';
import { listView, SequenceList, TemplateList } from './schemas';
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

export function createCatalogService(deps: {
  catalog: CatalogRepository;
  clock: Clock;
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

  return { putTemplate, getTemplate, listTemplates, putSequence, getSequence, listSequences };
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
  });
}
