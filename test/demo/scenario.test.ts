import { describe, expect, it } from 'vitest';
import { AccountInput, ROLES } from '../../functions/kernel/model';
import { validateSequence } from '../../functions/kernel/sequence';
import { compileTemplate, templateCompileErrors } from '../../functions/kernel/template-compile';
import { renderTemplate } from '../../functions/kernel/template-render';
import { TemplateInput } from '../../functions/kernel/templates';
import { buildScenario, DEFAULT_SEED, TIER1_ACCOUNTS } from '../../lib/demo/scenario';

const scenario = buildScenario();
const byTier = (tier: number) => scenario.accounts.filter((a) => a.tier === tier);

describe('demo scenario: accounts', () => {
  it('has 3 tier-1, 12 tier-2 in two clusters of 6, and 200 tier-3 accounts', () => {
    expect(byTier(1)).toHaveLength(3);
    expect(byTier(2)).toHaveLength(12);
    expect(byTier(3)).toHaveLength(200);
    expect(scenario.accounts).toHaveLength(215);
    const clusters = new Map<string, number>();
    for (const a of byTier(2)) clusters.set(a.cluster!, (clusters.get(a.cluster!) ?? 0) + 1);
    expect(Object.fromEntries(clusters)).toEqual({ 'grocery-distribution': 6, 'cold-chain-3pl': 6 });
    expect(byTier(1).every((a) => a.cluster === null) && byTier(3).every((a) => !a.cluster)).toBe(true);
  });

  it('names the retailer, the freight carrier and the hospital group as tier 1', () => {
    expect(byTier(1).map((a) => a.industry)).toEqual(['retail', 'logistics', 'healthcare']);
    expect(byTier(1).map((a) => a.accountId)).toEqual(TIER1_ACCOUNTS.map((a) => a.accountId));
  });

  it('gives every tier-1 account an 8-person committee covering every role, reachable on every channel', () => {
    for (const a of byTier(1)) {
      expect(a.contacts).toHaveLength(8);
      expect(new Set(a.contacts!.map((c) => c.role))).toEqual(new Set(ROLES));
      for (const c of a.contacts!) {
        expect(c.consent).toEqual({ email: true, ads: true, directMail: true });
        expect(c.postalAddress).toBeDefined();
      }
      expect(new Set(a.contacts!.map((c) => c.name)).size).toBe(8);
    }
  });

  it('gives tier-2 committees 5 people and tier-3 committees 2 or 3, always with an economic buyer', () => {
    for (const a of byTier(2)) expect(a.contacts).toHaveLength(5);
    for (const a of byTier(3)) expect([2, 3]).toContain(a.contacts!.length);
    for (const a of scenario.accounts)
      expect(a.contacts!.some((c) => c.role === 'economic_buyer')).toBe(true);
  });

  it('is valid import input with unique account ids, domains, contact ids and emails', () => {
    const rows = scenario.accounts.map((a) => AccountInput.safeParse(a));
    const bad = rows.flatMap((r, i) => (r.success ? [] : [{ i, issues: r.error.issues.slice(0, 2) }]));
    expect(bad).toEqual([]);
    const unique = (xs: string[]) => new Set(xs).size === xs.length;
    expect(unique(scenario.accounts.map((a) => a.accountId!))).toBe(true);
    expect(unique(scenario.accounts.map((a) => a.domain))).toBe(true);
    const contacts = scenario.accounts.flatMap((a) => a.contacts!);
    expect(unique(contacts.map((c) => c.contactId))).toBe(true);
    expect(unique(contacts.map((c) => c.email!))).toBe(true);
    // One import request: far below the API's 20,000-row and 6 MB limits.
    expect(JSON.stringify({ accounts: scenario.accounts }).length).toBeLessThan(1_000_000);
  });

  it('gives each SDR its accounts', () => {
    const owners = new Set(scenario.accounts.map((a) => a.ownerSdr!));
    for (const o of owners) expect(scenario.sdrs).toContain(o);
  });
});

describe('demo scenario: templates and sequences', () => {
  const templateIds = new Set(scenario.templates.map((t) => t.templateId));

  it('has templates that parse and compile', () => {
    for (const t of scenario.templates) {
      const parsed = TemplateInput.parse(t.template);
      expect(templateCompileErrors(parsed), t.templateId).toEqual([]);
    }
  });

  it('varies tier-1 copy by role and by account, and tier-2 copy by cluster', () => {
    const intro = TemplateInput.parse(scenario.templates.find((t) => t.templateId === 't1-intro')!.template);
    expect(Object.keys(intro.byRole).sort()).toEqual([...ROLES].sort());
    expect(Object.keys(intro.byAccount).sort()).toEqual(TIER1_ACCOUNTS.map((a) => a.accountId).sort());
    const t2 = TemplateInput.parse(scenario.templates.find((t) => t.templateId === 't2-intro')!.template);
    expect(Object.keys(t2.byAccount).sort()).toEqual(
      byTier(2)
        .map((a) => a.accountId!)
        .sort(),
    );
    const subjects = (cluster: string) =>
      new Set(
        byTier(2)
          .filter((a) => a.cluster === cluster)
          .map((a) => t2.byAccount[a.accountId!]!.subject),
      );
    expect(subjects('grocery-distribution').size).toBe(1);
    expect(subjects('cold-chain-3pl').size).toBe(1);
    expect([...subjects('grocery-distribution')]).not.toEqual([...subjects('cold-chain-3pl')]);

    const render = (accountId: string, role: (typeof ROLES)[number]) =>
      renderTemplate(intro, compileTemplate(intro), {
        account: { accountId, name: accountId },
        contact: { contactId: 'c', name: 'Ana Chen', firstName: 'Ana', role },
        sender: { name: 'Routewise', email: 'demo@routewise.example' },
        unsubscribeUrl: 'http://localhost/unsubscribe?t=x',
      });
    const retailer = render('meridian-retail', 'economic_buyer');
    expect(retailer.html).toContain('store replenishment');
    expect(retailer.html).toContain('http://localhost/unsubscribe?t=x');
    expect(render('meridian-retail', 'economic_buyer').subject).not.toEqual(
      render('meridian-retail', 'blocker').subject,
    );
  });

  it('has three sequences that pass validateSequence and use only existing templates', () => {
    expect(scenario.sequences.map((s) => s.id)).toEqual([
      'demo-tier1-strategic',
      'demo-tier2-clusters',
      'demo-tier3-programmatic',
    ]);
    for (const s of scenario.sequences) {
      const result = validateSequence(s);
      expect(result.ok ? [] : result.errors, s.id).toEqual([]);
      for (const step of s.steps as { template?: string }[]) {
        if (step.template) expect(templateIds.has(step.template), step.template).toBe(true);
      }
    }
  });

  it('uses the channels each tier calls for', () => {
    const channels = (id: string) =>
      new Set(
        (scenario.sequences.find((s) => s.id === id)!.steps as { channel?: string; type?: string }[]).map(
          (s) => s.channel ?? s.type,
        ),
      );
    const t1 = channels('demo-tier1-strategic');
    for (const c of ['email', 'sdr_task', 'direct_mail', 'await_engagement', 'branch'])
      expect(t1).toContain(c);
    const gift = (scenario.sequences[0]!.steps as { channel?: string; maxCostCents?: number }[]).find(
      (s) => s.channel === 'direct_mail',
    );
    expect(gift?.maxCostCents).toBeGreaterThan(0);
    expect([...channels('demo-tier3-programmatic')].sort()).toEqual(['ads', 'email']);
  });

  it('launches one campaign per tier with a 10% holdout on tier 3 only', () => {
    expect(scenario.launches.map((l) => [l.audience.tier, l.holdoutPercent])).toEqual([
      [1, 0],
      [2, 0],
      [3, 10],
    ]);
  });
});

describe('demo scenario: determinism', () => {
  it('gives the same scenario for the same seed', () => {
    expect(JSON.stringify(buildScenario(DEFAULT_SEED))).toEqual(JSON.stringify(scenario));
    expect(JSON.stringify(buildScenario(7))).toEqual(JSON.stringify(buildScenario(7)));
  });

  it('gives different people for another seed, with the same shape', () => {
    const other = buildScenario(7);
    expect(other.accounts).toHaveLength(215);
    const names = (s: typeof scenario) => s.accounts.flatMap((a) => a.contacts!.map((c) => c.name)).join();
    expect(names(other)).not.toEqual(names(scenario));
  });
});
