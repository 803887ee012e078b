/**
 * Compiling a stored template that has no compiled form of its parts (docs/architecture.md
 * "Templates"): one saved before compiled forms existed, or by an older version. The engine asks
 * for it when it meets one (on AWS through the compile function, functions/api/handlers/
 * compile-template.ts; local mode and tests in process); the form is stored with the template,
 * so each template is compiled once.
 */
import { compileTemplate, templateCompileErrors } from '../kernel/template-compile';
import { decodeCompiled, encodeCompiled, type TemplateCompiler } from '../kernel/template-compiled';
import { EmailTemplate } from '../kernel/templates';
import type { Platform } from '../platform/compose';
import { CatalogRepository } from '../platform/store/catalog';

export function createTemplateCompiler(catalog: CatalogRepository): TemplateCompiler {
  return {
    async compile(templateId) {
      const stored = await catalog.getTemplateToRender(templateId);
      if (!stored) return undefined;
      const parsed = EmailTemplate.safeParse({ version: 1, ...stored.template });
      if (!parsed.success) return undefined;
      if (decodeCompiled(stored.compiled, parsed.data)) return stored.compiled;
      if (templateCompileErrors(parsed.data).length > 0) return undefined;
      const compiled = encodeCompiled(compileTemplate(parsed.data));
      // At the version read (one stored before versions existed has none): a save since brought its own.
      const version = stored.template.version;
      await catalog.saveCompiledTemplate(
        templateId,
        typeof version === 'number' ? version : undefined,
        compiled,
      );
      return compiled;
    },
  };
}

/** The template compiler of a platform, over its catalog. */
export function templateCompilerFeature(platform: Platform): TemplateCompiler {
  return createTemplateCompiler(platform.repository(CatalogRepository));
}

/**
 * The template compiler in process, over the platform that `platform()` returns when first used
 * (local mode and the test harnesses pass it as the `templateCompiler` adapter of the platform
 * they are composing).
 */
export function inProcessTemplateCompiler(platform: () => Platform): TemplateCompiler {
  let compiler: TemplateCompiler | undefined;
  return { compile: (templateId) => (compiler ??= templateCompilerFeature(platform())).compile(templateId) };
}
