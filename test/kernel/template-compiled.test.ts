/**
 * A template's compiled form (functions/kernel/template-compiled.ts): rendering from the syntax
 * trees stored at save time gives exactly what Handlebars gives from the source, and a form that
 * was not made from the template's current parts is never used.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../functions/kernel/template-compile';
import {
  COMPILED_FORMAT,
  decodeCompiled,
  encodeCompiled,
  templateSourceHash,
} from '../../functions/kernel/template-compiled';
import { renderTemplate } from '../../functions/kernel/template-render';
import { TemplateInput, type TemplateContext } from '../../functions/kernel/templates';

const context: TemplateContext = {
  account: {
    accountId: 'acme',
    name: "O'Brien & Sons <Retail>",
    industry: 'retail',
    sites: [
      { city: 'Lyon', open: true },
      { city: 'Nantes', open: false },
    ],
    tags: { tier: 'one', region: 'emea' },
    zero: 0,
  },
  contact: { contactId: 'c1', name: 'Dana Cole', firstName: 'Dana', role: 'champion', title: '`VP` = "Ops"' },
  sender: { email: 'abm@vendor.example', name: 'Vendor' },
  unsubscribeUrl: 'https://x.example/u?t=a&b=c',
  lastTouch: { stepId: 'intro', channel: 'email', summary: 'the <ROI> note', at: '2026-11-20T10:00:00Z' },
};

/** What Handlebars renders from the source, as the engine rendered before compiled forms. */
const direct = (source: string, noEscape: boolean) =>
  Handlebars.create().compile(source, { noEscape })(context);

// Every construct of the language a template may use (the parser's output differs for each).
const SOURCES = [
  'plain text, no expressions',
  'Hi {{contact.firstName}} at {{account.name}}',
  'raw {{{account.name}}} and {{&account.name}} and escaped {{account.name}}',
  '{{contact.title}} {{lastTouch.summary}}',
  '{{#if lastTouch}}Following up on {{lastTouch.summary}}{{else}}Hello{{/if}}',
  '{{#unless account.zero}}no zero{{/unless}} {{#if account.zero includeZero=true}}zero counts{{/if}}',
  '{{#each account.sites}}{{@index}}:{{city}}{{#if @first}}(first){{/if}}{{#if @last}}(last){{/if}} {{/each}}',
  '{{#each account.tags}}{{@key}}={{this}};{{/each}}',
  '{{#each account.sites as |site i|}}{{i}} {{site.city}} of {{../account.name}} {{@root.contact.name}}|{{/each}}',
  '{{#with contact}}{{firstName}} ({{../account.industry}}){{/with}}',
  '{{#with contact as |c|}}{{c.name}}{{/with}}',
  '{{#each account.missing}}x{{else}}none{{/each}}',
  '{{lookup account.tags "region"}} {{lookup account.sites 1}}',
  '{{#if (lookup account.tags "tier")}}tiered{{/if}}',
  '{{#account.sites}}[{{city}}]{{/account.sites}} {{^account.missing}}absent{{/account.missing}}',
  '{{#contact}}{{firstName}}{{/contact}}',
  '  {{#if contact}}\n    standalone lines\n  {{/if}}\n{{~contact.firstName~}}  ,  {{~account.industry}}',
  '{{! a comment }}{{!-- a {{long}} comment --}}after',
  '{{{{raw}}}}{{not.parsed}}{{{{/raw}}}}',
  'literals: {{"string"}} {{lookup . "unsubscribeUrl"}} {{[account].[name]}} {{this.contact.name}}',
  '{{#if true}}yes{{/if}}{{#if false}}no{{/if}}{{#if null}}no{{/if}}{{#if 0}}no{{/if}}',
  '{{constructor}} {{account.constructor}} {{account.__proto__}} {{contact.name.length}}',
  '{{log "hidden" level="debug"}}after log',
  '{{#each account.sites}}{{#each ../account.sites}}{{city}}{{/each}}/{{/each}}',
  '{{#if lastTouch}}{{#if lastTouch.summary}}{{lastTouch.summary}}{{/if}}{{else if contact}}c{{else}}n{{/if}}',
  '<a href="{{unsubscribeUrl}}">Unsubscribe</a> &amp; = ` \' "',
];

describe('rendering from the compiled form', () => {
  it.each(SOURCES.map((s) => [s]))('renders %j as Handlebars renders its source', (source) => {
    const template = TemplateInput.parse({ subject: source.replace(/\n/g, ' '), html: source, text: source });
    const compiled = compileTemplate(template);
    const out = renderTemplate(template, compiled, context);
    expect(out.text).toBe(direct(source, true));
    expect(out.subject).toBe(
      direct(source.replace(/\n/g, ' '), true)
        .replace(/[\r\n]+/g, ' ')
        .trim(),
    );
    // The html part also goes through the unsubscribe link marking (tested in templates.test.ts).
    expect(out.html.replace(/<a ses:no-track /g, '<a ')).toBe(direct(source, false));
  });

  it('fails as Handlebars fails: a helper that does not exist, a partial (none is registered)', () => {
    for (const source of ['{{missingHelper account.name}}', '{{> header}}']) {
      const template = TemplateInput.parse({ subject: 's', html: source, text: 't' });
      const compiled = compileTemplate(template);
      let message = '';
      try {
        direct(source, false);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).not.toBe('');
      expect(() => renderTemplate(template, compiled, context)).toThrow(message);
    }
  });

  it('keeps each part by its path: the role variant and the account override', () => {
    const template = TemplateInput.parse({
      subject: 'Base {{account.name}}',
      html: '<p>base</p>',
      text: 'base',
      byRole: { champion: { subject: 'Champion {{contact.firstName}}', text: 'role text' } },
      byAccount: { acme: { text: 'acme text {{account.industry}}' } },
    });
    const out = renderTemplate(template, compileTemplate(template), context);
    expect(out).toEqual({ subject: 'Champion Dana', html: '<p>base</p>', text: 'acme text retail' });
    const buyer = renderTemplate(template, compileTemplate(template), {
      ...context,
      account: { ...context.account, accountId: 'globex' },
      contact: { ...context.contact, role: 'economic_buyer' },
    });
    expect(buyer).toEqual({ subject: "Base O'Brien & Sons <Retail>", html: '<p>base</p>', text: 'base' });
  });

  it('holds data only: JSON syntax trees without source locations, no code', () => {
    const template = TemplateInput.parse({ subject: 's {{a}}', html: '{{#if b}}x{{/if}}', text: 't' });
    const compiled = compileTemplate(template);
    expect(compiled.format).toBe(COMPILED_FORMAT);
    expect(compiled.handlebars).toBe(Handlebars.VERSION);
    expect(Object.keys(compiled.parts).sort()).toEqual(['html', 'subject', 'text']);
    expect(JSON.parse(JSON.stringify(compiled))).toEqual(compiled);
    expect(JSON.stringify(compiled)).not.toContain('"loc"');
    expect(JSON.stringify(compiled)).not.toContain('function');
  });
});

describe('the stored bytes', () => {
  const template = TemplateInput.parse({
    subject: 'Hi {{contact.firstName}}',
    html: '<p>Hi</p>',
    text: 'Hi',
    byRole: { champion: { subject: 'Champion' } },
  });

  it('decode to the compiled form of the same parts', () => {
    const compiled = compileTemplate(template);
    expect(decodeCompiled(encodeCompiled(compiled), template)).toEqual(compiled);
  });

  it('are refused when they were made from other parts, in another format, or are not a form', () => {
    const bytes = encodeCompiled(compileTemplate(template));
    expect(decodeCompiled(bytes, { ...template, html: '<p>Changed</p>' })).toBeUndefined();
    expect(decodeCompiled(bytes, { ...template, byRole: {} })).toBeUndefined();
    expect(
      decodeCompiled(bytes, { ...template, byAccount: { acme: { subject: 'Champion' } } }),
    ).toBeUndefined();
    const other = { ...compileTemplate(template), format: 99 } as unknown as Parameters<
      typeof encodeCompiled
    >[0];
    expect(decodeCompiled(encodeCompiled(other), template)).toBeUndefined();
    expect(decodeCompiled(new TextEncoder().encode('not gzip'), template)).toBeUndefined();
    expect(decodeCompiled(undefined, template)).toBeUndefined();
  });

  it('hash the parts with their paths: moving a part to another role is a change', () => {
    const a = templateSourceHash({ ...template, byRole: { champion: { subject: 'x' } } });
    const b = templateSourceHash({ ...template, byRole: { economic_buyer: { subject: 'x' } } });
    expect(a).not.toBe(b);
  });

  it('are a fraction of the syntax trees: gzipped', () => {
    const big = TemplateInput.parse({
      subject: 's',
      html: '<p>Hi {{contact.firstName}}, {{#if lastTouch}}on {{lastTouch.summary}}{{/if}}</p>\n'.repeat(600),
      text: 't',
    });
    const compiled = compileTemplate(big);
    expect(encodeCompiled(compiled).byteLength).toBeLessThan(JSON.stringify(compiled).length / 20);
    expect(encodeCompiled(compiled).byteLength).toBeLessThan(big.html.length / 4);
  });
});

describe('the renderer the engine loads with its first email', () => {
  it('imports Handlebars, types and schema-free modules only (what it imports is loaded late with it)', () => {
    const source = readFileSync(path.join(__dirname, '../../functions/kernel/template-render.ts'), 'utf8');
    const valueImports = [...source.matchAll(/^import (?!type )[^;]*? from '([^']+)';/gms)].map((m) => m[1]);
    expect(valueImports.sort()).toEqual([
      './unsubscribe-links',
      'handlebars/lib/handlebars.runtime',
      'handlebars/lib/handlebars/compiler/compiler',
      'handlebars/lib/handlebars/compiler/javascript-compiler',
    ]);
    const links = readFileSync(path.join(__dirname, '../../functions/kernel/unsubscribe-links.ts'), 'utf8');
    expect(links).not.toMatch(/^import /m);
  });
});
