import { describe, expect, it } from 'vitest';
import { compileTemplate, templateCompileErrors } from '../../functions/kernel/template-compile';
import { renderTemplate as renderCompiled } from '../../functions/kernel/template-render';
import { TemplateInput, type TemplateContext } from '../../functions/kernel/templates';

const template = TemplateInput.parse({
  subject: 'A note for {{account.name}}',
  html: '<p>Hi {{contact.firstName}}</p>',
  text: 'Hi {{contact.firstName}} & team at {{account.name}}',
  byRole: { economic_buyer: { subject: 'Payback for {{account.name}}' } },
  byAccount: { 'northwind-retail': { html: '<p>Written for Northwind alone</p>' } },
});

const context = (accountId: string, role: TemplateContext['contact']['role']): TemplateContext => ({
  account: { accountId, name: "O'Brien & Sons <Retail>" },
  contact: { contactId: 'c1', name: 'Dana Cole', firstName: 'Dana', role },
  sender: { email: 'abm@vendor.example' },
  unsubscribeUrl: 'https://x.example/unsubscribe?t=abc',
});

/** Compiled as `PUT /templates` compiles it, then rendered from the compiled form as the engine does. */
const renderTemplate = (t: TemplateInput, ctx: TemplateContext) => {
  const parsed = TemplateInput.parse(t);
  return renderCompiled(parsed, compileTemplate(parsed), ctx);
};

describe('templates', () => {
  it('uses the base parts by default, escaping html but not text', () => {
    const out = renderTemplate(template, context('acme', 'champion'));
    expect(out.subject).toBe("A note for O'Brien & Sons <Retail>");
    expect(out.html).toBe('<p>Hi Dana</p>');
    expect(out.text).toBe("Hi Dana & team at O'Brien & Sons <Retail>");
  });

  it('takes the role variant, then the account override, field by field', () => {
    const buyer = renderTemplate(template, context('acme', 'economic_buyer'));
    expect(buyer.subject).toBe("Payback for O'Brien & Sons <Retail>");
    const northwind = renderTemplate(template, context('northwind-retail', 'economic_buyer'));
    expect(northwind.subject).toMatch(/^Payback for/);
    expect(northwind.html).toBe('<p>Written for Northwind alone</p>');
  });

  it('keeps a subject on one line', () => {
    const t = TemplateInput.parse({ subject: '{{account.name}}', html: 'x', text: 'x' });
    const ctx = context('a', 'champion');
    ctx.account.name = 'Evil\r\nBcc: everyone@example.com';
    expect(renderTemplate(t, ctx).subject).toBe('Evil Bcc: everyone@example.com');
  });

  it('reports each part that does not compile, with its path', () => {
    const bad = TemplateInput.parse({
      subject: 'Hi {{#if account.name}}',
      html: 'ok',
      text: 'ok',
      byRole: { champion: { html: '{{/each}}' } },
    });
    expect(templateCompileErrors(bad).map((e) => e.path)).toEqual(['subject', 'byRole.champion.html']);
    expect(templateCompileErrors(template)).toEqual([]);
  });
});

describe('the unsubscribe link is not click-tracked', () => {
  const ctx = context('acme', 'champion');
  const render = (html: string) =>
    renderTemplate(TemplateInput.parse({ subject: 's', html, text: 't' }), ctx).html;

  it('marks every anchor to the unsubscribe URL ses:no-track (escaped, raw, single-quoted), and no other', () => {
    const html = render(
      '<a href="{{unsubscribeUrl}}">Unsubscribe</a> <a class="x" href=\'{{{unsubscribeUrl}}}\'>Stop</a> ' +
        '<a href="https://vendor.example/roi">ROI</a> <A HREF="{{unsubscribeUrl}}&extra=1">near miss</A>',
    );
    expect(html.match(/<a ses:no-track/g)).toHaveLength(2);
    expect(html).toContain('<a ses:no-track href="https://x.example/unsubscribe?t&#x3D;abc">Unsubscribe</a>');
    expect(html).toContain('<a ses:no-track class="x" href=\'https://x.example/unsubscribe?t=abc\'>Stop</a>');
    expect(html).toContain('<a href="https://vendor.example/roi">ROI</a>');
    expect(html).toContain('<A HREF="https://x.example/unsubscribe?t&#x3D;abc&extra=1">near miss</A>');
  });

  it('does not mark a link twice', () => {
    expect(render('<a ses:no-track href="{{unsubscribeUrl}}">u</a>')).toBe(
      '<a ses:no-track href="https://x.example/unsubscribe?t&#x3D;abc">u</a>',
    );
  });
});
