/**
 * A template's compiled form (docs/architecture.md "Templates"): each part's Handlebars syntax tree
 * (`Handlebars.parse`, whitespace control applied), made when the template is saved, so the engine
 * renders with Handlebars' compiler and runtime and carries no template parser. Pure data (JSON,
 * gzipped: a tree is about ten times its source), never generated code.
 *
 * This module neither parses nor renders: the saving side is `./template-compile`, the rendering
 * side `./template-render`.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { EmailTemplate } from './templates';

/** Bumped when the stored form changes; a stored form of another format is compiled again. */
export const COMPILED_FORMAT = 1;

/** The syntax tree of one part, as `Handlebars.parse` returns it (source locations left out). */
export type TemplateAst = { type: 'Program'; body: unknown[]; [k: string]: unknown };

export interface CompiledTemplate {
  format: typeof COMPILED_FORMAT;
  /** The Handlebars version that parsed it (the compiler that renders it is the same package). */
  handlebars: string;
  /** `templateSourceHash` of the parts it was compiled from: a stale form is never rendered. */
  sourceHash: string;
  /** By part path: `subject`, `byRole.champion.html`, `byAccount.acme.text`. */
  parts: Record<string, TemplateAst>;
}

type Parts = Pick<EmailTemplate, 'subject' | 'html' | 'text' | 'byRole' | 'byAccount'>;

export const PART_NAMES = ['subject', 'html', 'text'] as const;
export type PartName = (typeof PART_NAMES)[number];

/** Every part a template has, with its path (`byRole.champion.subject`). */
export function templateParts(template: Parts): { path: string; source: string }[] {
  const out: { path: string; source: string }[] = [];
  for (const part of PART_NAMES) {
    if (template[part] !== undefined) out.push({ path: part, source: template[part] });
    for (const [role, parts] of Object.entries(template.byRole ?? {}))
      if (parts?.[part] !== undefined) out.push({ path: `byRole.${role}.${part}`, source: parts[part] });
    for (const [account, parts] of Object.entries(template.byAccount ?? {}))
      if (parts?.[part] !== undefined)
        out.push({ path: `byAccount.${account}.${part}`, source: parts[part] });
  }
  return out;
}

/** A digest of every part's path and source: what a compiled form must have been made from. */
export function templateSourceHash(template: Parts): string {
  const hash = createHash('sha256');
  for (const { path, source } of templateParts(template))
    hash.update(path).update('\u0000').update(source).update('\u0000');
  return hash.digest('base64url');
}

/** The bytes stored with the template (a DynamoDB binary attribute). */
export function encodeCompiled(compiled: CompiledTemplate): Uint8Array {
  return gzipSync(JSON.stringify(compiled), { level: 9 });
}

/**
 * The compiled form in these bytes if it was made from exactly these parts, in this format;
 * undefined otherwise (absent, stale, another format, unreadable): the caller compiles again.
 */
export function decodeCompiled(bytes: Uint8Array | undefined, template: Parts): CompiledTemplate | undefined {
  if (!bytes || bytes.byteLength === 0) return undefined;
  let compiled: Partial<CompiledTemplate>;
  try {
    compiled = JSON.parse(gunzipSync(bytes).toString('utf8')) as Partial<CompiledTemplate>;
  } catch {
    return undefined;
  }
  if (compiled.format !== COMPILED_FORMAT || typeof compiled.parts !== 'object' || !compiled.parts)
    return undefined;
  if (compiled.sourceHash !== templateSourceHash(template)) return undefined;
  return compiled as CompiledTemplate;
}

/**
 * Compiles a stored template that has no compiled form of its parts (saved before compiled forms
 * existed, or by an older version): the bytes to render from, stored with it too; undefined when
 * there is no such template or it does not compile.
 */
export interface TemplateCompiler {
  compile(templateId: string): Promise<Uint8Array | undefined>;
}
