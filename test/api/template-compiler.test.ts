/**
 * Compiled forms in the catalog (docs/architecture.md "Templates"): `PUT /templates` stores one
 * with the template, the API never shows it, and a template stored without one (by an older
 * version) is compiled once, when the engine first asks (functions/api/template-compiler.ts).
 */
import { describe, expect, it } from 'vitest';
import { createTemplateCompiler } from '../../functions/api/template-compiler';
import { decodeCompiled } from '../../functions/kernel/template-compiled';
import { renderTemplate } from '../../functions/kernel/template-render';
import { EmailTemplate } from '../../functions/kernel/templates';
import { CatalogRepository } from '../../functions/platform/store/catalog';
import { getItem, updateItem } from '../../functions/platform/store/table';
import * as keys from '../../functions/platform/store/keys';
import { startHarness, TEMPLATE } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());

const context = {
  account: { accountId: 'acme', name: 'Acme' },
  contact: { contactId: 'c1', name: 'Dana Cole', firstName: 'Dana', role: 'economic_buyer' as const },
  sender: { email: 'abm@vendor.example' },
  unsubscribeUrl: 'https://x.example/u',
};

async function toRender(templateId: string) {
  const read = await h.store.catalog.getTemplateToRender(templateId);
  const template = EmailTemplate.parse({ version: 1, ...read!.template });
  return { read: read!, template, compiled: decodeCompiled(read!.compiled, template) };
}

describe('compiled forms', () => {
  it('PUT /templates stores the compiled form of its parts; the API never shows it', async () => {
    await h.call('PUT', '/templates/intro', { body: TEMPLATE });
    const { template, compiled } = await toRender('intro');
    expect(compiled).toBeDefined();
    expect(renderTemplate(template, compiled!, context).subject).toBe('Payback for Acme');
    const read = await h.call('GET', '/templates/intro');
    expect(read.status).toBe(200);
    expect(read.json).not.toHaveProperty('compiledTemplate');
    expect((await h.call('GET', '/templates')).json.items[0]).not.toHaveProperty('compiledTemplate');

    // A new save replaces it with the new parts' form.
    await h.call('PUT', '/templates/intro', { body: { ...TEMPLATE, byRole: {} } });
    const again = await toRender('intro');
    expect(renderTemplate(again.template, again.compiled!, context).subject).toBe('A note for Acme');
  });

  it('a template stored without one is compiled once, and the form is stored with it', async () => {
    const repo = h.platform.repository(CatalogRepository);
    await repo.putTemplate('legacy', { subject: 'Old {{account.name}}', html: '<p>old</p>', text: 'old' });
    expect((await toRender('legacy')).read.compiled).toBeUndefined();

    const compiler = createTemplateCompiler(repo);
    const bytes = await compiler.compile('legacy');
    const after = await toRender('legacy');
    const same = (a?: Uint8Array, b?: Uint8Array) => expect(Buffer.from(a!)).toEqual(Buffer.from(b!));
    same(after.read.compiled, bytes);
    expect(renderTemplate(after.template, after.compiled!, context).subject).toBe('Old Acme');
    // Compiled already: answered as stored.
    same(await compiler.compile('legacy'), bytes);
    expect(await compiler.compile('nothing-here')).toBeUndefined();
  });

  it('a template with no version (stored before versions) is compiled too', async () => {
    const repo = h.platform.repository(CatalogRepository);
    await repo.putTemplate('ancient', { subject: 'Ancient', html: '<p>a</p>', text: 'a' });
    // As a version before the counter stored it: no version attribute.
    await updateItem(h.table, keys.template('ancient'), { remove: ['version'] });
    expect(await createTemplateCompiler(repo).compile('ancient')).toBeDefined();
    expect((await toRender('ancient')).compiled).toBeDefined();
  });

  it('a form compiled from a version that a save has replaced is not stored over the new one', async () => {
    const repo = h.platform.repository(CatalogRepository);
    const saved = await repo.putTemplate('race', { subject: 'v1', html: '<p>1</p>', text: '1' });
    await h.call('PUT', '/templates/race', { body: { subject: 'v2', html: '<p>2</p>', text: '2' } });
    const current = (await getItem(h.table, keys.template('race')))!.compiledTemplate;
    expect(await repo.saveCompiledTemplate('race', saved.version, new Uint8Array([1, 2, 3]))).toBe(false);
    expect((await getItem(h.table, keys.template('race')))!.compiledTemplate).toEqual(current);
    const { template, compiled } = await toRender('race');
    expect(renderTemplate(template, compiled!, context).subject).toBe('v2');
  });

  it('a stored template that does not compile has no compiled form', async () => {
    const repo = h.platform.repository(CatalogRepository);
    await repo.putTemplate('broken', { subject: '{{#if x}}', html: '<p>b</p>', text: 'b' });
    expect(await createTemplateCompiler(repo).compile('broken')).toBeUndefined();
    expect((await toRender('broken')).read.compiled).toBeUndefined();
  });
});
