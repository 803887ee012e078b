/**
 * The demo scenario: a mid-sized logistics-software vendor with
 * - 3 tier-1 accounts (a national retailer, a freight carrier, a hospital group), each with an
 *   8-person buying committee covering every role;
 * - 12 tier-2 accounts in two clusters (grocery distribution, cold-chain 3PLs);
 * - 200 tier-3 accounts with small committees;
 * plus the email templates (by role for tier 1 with per-account overrides for the three tier-1
 * accounts, cluster variants for tier 2), the three tiered sequences and the three launches.
 *
 * Pure data, deterministic in the seed: the same seed gives byte-identical output.
 */
import type { AccountInput, ContactInput, Role, SequenceInput } from '../../functions/kernel/model';
import type { TemplateInput } from '../../functions/kernel/templates';
import { Rng } from './random';

export const DEFAULT_SEED = 20261123;

export interface DemoTemplate {
  templateId: string;
  template: TemplateInput;
}

export interface DemoSequence extends Omit<SequenceInput, 'id'> {
  id: string;
}

export interface DemoLaunch {
  /** Short key used in campaign ids and the report. */
  key: 'tier1' | 'tier2' | 'tier3';
  name: string;
  sequenceId: string;
  audience: { tier: 1 | 2 | 3 };
  holdoutPercent: number;
}

export interface Scenario {
  seed: number;
  vendor: { name: string; sender: string };
  accounts: AccountInput[];
  templates: DemoTemplate[];
  sequences: DemoSequence[];
  launches: DemoLaunch[];
  /** Every SDR that owns accounts (plus the scorer's default owner of hot-account tasks). */
  sdrs: string[];
  clusters: { id: string; label: string }[];
}

// ---------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------

const FIRST = [
  'Ana', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farah', 'Gabe', 'Hana', 'Ivan', 'Jada', 'Kofi', 'Lena',
  'Marco', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tariq', 'Uma', 'Victor', 'Wen', 'Ximena',
  'Yusuf', 'Zoe', 'Aaron', 'Bianca', 'Carlos', 'Daria', 'Eli', 'Fiona', 'Grace', 'Hugo', 'Iris', 'Jonas',
  'Keiko', 'Luis', 'Maya', 'Noah',
] as const; // prettier-ignore
const LAST = [
  'Abbott', 'Baptiste', 'Chen', 'Diaz', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen',
  'Kowalski', 'Lopez', 'Mensah', 'Nakamura', 'Okafor', 'Patel', 'Quintero', 'Rossi', 'Silva', 'Tanaka',
  'Usman', 'Varga', 'Walsh', 'Xu', 'Yilmaz', 'Zimmer', 'Brennan', 'Castillo', 'Dubois', 'Ferreira',
] as const; // prettier-ignore

const TITLES: Record<Role, readonly string[]> = {
  economic_buyer: ['Chief Operating Officer', 'Chief Financial Officer', 'SVP Supply Chain', 'VP Operations'],
  champion: ['Director of Logistics', 'Head of Transportation', 'Director of Distribution'],
  technical_evaluator: ['Enterprise Architect', 'VP Information Technology', 'Integration Lead'],
  end_user: [
    'Fleet Manager',
    'Dispatch Supervisor',
    'Warehouse Operations Manager',
    'Transportation Planner',
  ],
  blocker: ['Procurement Director', 'Chief Information Security Officer', 'Associate General Counsel'],
  influencer: ['VP Customer Experience', 'Sustainability Lead', 'Finance Business Partner'],
};

/** Tier-1 committees: 8 people, every role present, two technical evaluators and two end users. */
export const TIER1_COMMITTEE: readonly Role[] = [
  'economic_buyer',
  'champion',
  'technical_evaluator',
  'technical_evaluator',
  'end_user',
  'end_user',
  'blocker',
  'influencer',
];

interface Place {
  city: string;
  region: string;
  postalCode: string;
  timeZone: string;
  areaCode: string;
}

const PLACES: readonly Place[] = [
  { city: 'Minneapolis', region: 'MN', postalCode: '55402', timeZone: 'America/Chicago', areaCode: '612' },
  { city: 'Memphis', region: 'TN', postalCode: '38103', timeZone: 'America/Chicago', areaCode: '901' },
  { city: 'Boston', region: 'MA', postalCode: '02110', timeZone: 'America/New_York', areaCode: '617' },
  { city: 'Atlanta', region: 'GA', postalCode: '30303', timeZone: 'America/New_York', areaCode: '404' },
  { city: 'Denver', region: 'CO', postalCode: '80202', timeZone: 'America/Denver', areaCode: '303' },
  { city: 'Seattle', region: 'WA', postalCode: '98101', timeZone: 'America/Los_Angeles', areaCode: '206' },
  { city: 'Dallas', region: 'TX', postalCode: '75201', timeZone: 'America/Chicago', areaCode: '214' },
  { city: 'Columbus', region: 'OH', postalCode: '43215', timeZone: 'America/New_York', areaCode: '614' },
];

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function committee(
  rng: Rng,
  accountId: string,
  domain: string,
  roles: readonly Role[],
  home: Place,
  options: { postal: boolean; emailConsent: number; adsConsent: number; directMail: boolean },
): ContactInput[] {
  const used = new Set<string>();
  return roles.map((role, i) => {
    let first: string;
    let last: string;
    do {
      first = rng.pick(FIRST);
      last = rng.pick(LAST);
    } while (used.has(`${first} ${last}`));
    used.add(`${first} ${last}`);
    // Most of a committee sits at headquarters; some work from another office.
    const place = rng.chance(0.75) ? home : rng.pick(PLACES);
    const contact: ContactInput = {
      contactId: `${accountId}-c${i + 1}`,
      name: `${first} ${last}`,
      email: `${first}.${last}@${domain}`.toLowerCase(),
      title: rng.pick(TITLES[role]),
      role,
      timeZone: place.timeZone,
      phone: `+1${place.areaCode}555${String(rng.int(0, 9999)).padStart(4, '0')}`,
      consent: {
        email: rng.chance(options.emailConsent),
        ads: rng.chance(options.adsConsent),
        directMail: options.directMail,
      },
    };
    if (options.postal) {
      contact.postalAddress = {
        line1: `${rng.int(10, 9800)} ${rng.pick(['Commerce', 'Harbor', 'Market', 'Union', 'Lake'])} St`,
        city: place.city,
        region: place.region,
        postalCode: place.postalCode,
        country: 'US',
      };
    }
    return contact;
  });
}

// ---------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------

export const TIER1_ACCOUNTS = [
  {
    accountId: 'meridian-retail',
    name: 'Meridian Retail Group',
    domain: 'meridian-retail.example',
    industry: 'retail',
    employees: 64000,
    annualRevenueUsd: 18_500_000_000,
    techStack: ['sap', 'snowflake', 'manhattan-wms'],
    place: PLACES[0]!,
    kind: 'national retailer',
    hook: 'store replenishment across 1,100 stores',
  },
  {
    accountId: 'bluehaul-freight',
    name: 'BlueHaul Freight',
    domain: 'bluehaul.example',
    industry: 'logistics',
    employees: 21000,
    annualRevenueUsd: 6_200_000_000,
    techStack: ['oracle', 'databricks', 'samsara'],
    place: PLACES[1]!,
    kind: 'freight carrier',
    hook: 'empty miles on 9,000 tractors',
  },
  {
    accountId: 'saint-brigid-health',
    name: 'Saint Brigid Health Partners',
    domain: 'saintbrigid-health.example',
    industry: 'healthcare',
    employees: 38000,
    annualRevenueUsd: 9_800_000_000,
    techStack: ['epic', 'workday', 'snowflake'],
    place: PLACES[2]!,
    kind: 'hospital group',
    hook: 'supply runs between 14 hospitals',
  },
] as const;

export const CLUSTERS = [
  { id: 'grocery-distribution', label: 'Regional grocery distribution' },
  { id: 'cold-chain-3pl', label: 'Cold-chain 3PLs' },
] as const;

const TIER2_NAMES: Record<(typeof CLUSTERS)[number]['id'], readonly string[]> = {
  'grocery-distribution': [
    'Prairie Fresh Grocers',
    'Coastal Market Cooperative',
    'Harvest Lane Foods',
    'Valley Pantry Distribution',
    'Greenbasket Supermarkets',
    'Northstar Grocery Supply',
  ],
  'cold-chain-3pl': [
    'Glacier Cold Chain',
    'Polar Link Logistics',
    'Frostline 3PL',
    'Arctic Route Services',
    'Icebridge Warehousing',
    'Chillpoint Transport',
  ],
};

const T3_PREFIX = [
  'Acme', 'Apex', 'Atlas', 'Beacon', 'Bridgeway', 'Cascade', 'Cedar', 'Compass', 'Crescent', 'Delta',
  'Eagle', 'Ember', 'Evergreen', 'Falcon', 'Frontier', 'Granite', 'Harbor', 'Horizon', 'Ironwood', 'Juniper',
  'Keystone', 'Lakeside', 'Liberty', 'Lighthouse', 'Maple', 'Meadow', 'Mesa', 'Midland', 'Monarch', 'Northgate',
  'Oakridge', 'Pacific', 'Pinnacle', 'Prairie', 'Redwood', 'Ridgeline', 'Riverbend', 'Summit', 'Timber', 'Vantage',
] as const; // prettier-ignore
const T3_SUFFIX = [
  'Logistics', 'Freight', 'Distribution', 'Supply', 'Wholesale', 'Foods', 'Manufacturing', 'Medical',
  'Transport', 'Outfitters', 'Brands', 'Industries', 'Goods', 'Parts', 'Home',
] as const; // prettier-ignore
const T3_INDUSTRY: Record<(typeof T3_SUFFIX)[number], string> = {
  Logistics: 'logistics',
  Freight: 'logistics',
  Distribution: 'wholesale',
  Supply: 'wholesale',
  Wholesale: 'wholesale',
  Foods: 'food and beverage',
  Manufacturing: 'manufacturing',
  Medical: 'healthcare',
  Transport: 'logistics',
  Outfitters: 'retail',
  Brands: 'retail',
  Industries: 'manufacturing',
  Goods: 'retail',
  Parts: 'manufacturing',
  Home: 'retail',
};

export const SDRS = {
  tier1: 'sdr-ana',
  'grocery-distribution': 'sdr-ben',
  'cold-chain-3pl': 'sdr-chloe',
  tier3: 'sdr-dev',
} as const;

function buildAccounts(rng: Rng): AccountInput[] {
  const accounts: AccountInput[] = [];
  for (const a of TIER1_ACCOUNTS) {
    accounts.push({
      accountId: a.accountId,
      name: a.name,
      domain: a.domain,
      industry: a.industry,
      employees: a.employees,
      annualRevenueUsd: a.annualRevenueUsd,
      region: 'NA',
      techStack: [...a.techStack],
      tier: 1,
      cluster: null,
      ownerSdr: SDRS.tier1,
      directMailBudgetCents: 20_000,
      contacts: committee(rng, a.accountId, a.domain, TIER1_COMMITTEE, a.place, {
        postal: true,
        emailConsent: 1,
        adsConsent: 1,
        directMail: true,
      }),
    });
  }
  for (const cluster of CLUSTERS) {
    for (const name of TIER2_NAMES[cluster.id]) {
      const accountId = slug(name);
      const domain = `${accountId}.example`;
      const roles: Role[] = [
        'economic_buyer',
        'champion',
        'technical_evaluator',
        'end_user',
        rng.pick(['blocker', 'influencer'] as const),
      ];
      accounts.push({
        accountId,
        name,
        domain,
        industry: cluster.id === 'cold-chain-3pl' ? 'logistics' : 'retail',
        employees: rng.int(25, 140) * 100,
        annualRevenueUsd: rng.int(8, 60) * 100_000_000,
        region: 'NA',
        techStack: rng.shuffle(['snowflake', 'sap', 'netsuite', 'blue-yonder', 'oracle']).slice(0, 2),
        tier: 2,
        cluster: cluster.id,
        ownerSdr: SDRS[cluster.id],
        contacts: committee(rng, accountId, domain, roles, rng.pick(PLACES), {
          postal: false,
          emailConsent: 1,
          adsConsent: 0.9,
          directMail: false,
        }),
      });
    }
  }
  const names = new Set<string>();
  while (names.size < 200) names.add(`${rng.pick(T3_PREFIX)} ${rng.pick(T3_SUFFIX)}`);
  for (const name of names) {
    const accountId = `t3-${slug(name)}`;
    const domain = `${slug(name)}.example`;
    const suffix = name.split(' ')[1] as (typeof T3_SUFFIX)[number];
    const roles: Role[] = ['economic_buyer', 'champion'];
    if (rng.chance(0.6)) roles.push(rng.pick(['technical_evaluator', 'end_user', 'influencer'] as const));
    accounts.push({
      accountId,
      name,
      domain,
      industry: T3_INDUSTRY[suffix],
      employees: rng.int(3, 60) * 100,
      annualRevenueUsd: rng.int(2, 90) * 10_000_000,
      region: 'NA',
      techStack: rng
        .shuffle(['snowflake', 'netsuite', 'quickbooks', 'sap', 'shopify'])
        .slice(0, rng.int(0, 2)),
      tier: 3,
      cluster: null,
      ownerSdr: SDRS.tier3,
      contacts: committee(rng, accountId, domain, roles, rng.pick(PLACES), {
        postal: false,
        emailConsent: 0.95,
        adsConsent: 0.85,
        directMail: false,
      }),
    });
  }
  return accounts;
}

// ---------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------

const FOOTER_HTML =
  '<p>{{sender.name}}<br>Routewise: load and route planning</p><p><a href="{{{unsubscribeUrl}}}">Unsubscribe</a></p>';
const FOOTER_TEXT = '\n\n{{sender.name}}, Routewise\nUnsubscribe: {{unsubscribeUrl}}';

const email = (subject: string, body: string) => ({
  subject,
  html: `<p>Hi {{contact.firstName}},</p><p>${body}</p>${FOOTER_HTML}`,
  text: `Hi {{contact.firstName}},\n\n${body.replace(/<[^>]+>/g, '')}${FOOTER_TEXT}`,
});

const ROLE_ANGLES: Record<Role, { subject: string; body: string }> = {
  economic_buyer: {
    subject: 'A 9-month payback for {{account.name}}',
    body: 'Carriers like yours cut freight spend 6-11% in the first year with Routewise. I can walk you through the payback model we built for a company of your size.',
  },
  champion: {
    subject: 'Fewer exceptions for the {{account.name}} logistics team',
    body: 'Your team spends its mornings on exceptions. Routewise plans loads and re-plans routes automatically, so planners handle the few that matter.',
  },
  technical_evaluator: {
    subject: 'How Routewise integrates with your stack at {{account.name}}',
    body: 'Native connectors for your ERP and warehouse, a documented REST API, SSO and SOC 2 Type II. The architecture notes are one click away.',
  },
  end_user: {
    subject: 'Dispatch without the spreadsheets',
    body: 'Drivers and dispatchers see the same live plan. No more calling around to find out where a load is.',
  },
  blocker: {
    subject: 'Security and procurement pack for {{account.name}}',
    body: 'Our SOC 2 report, DPA, standard MSA and security questionnaire answers are ready, so a review takes days, not months.',
  },
  influencer: {
    subject: 'Cutting empty miles and emissions at {{account.name}}',
    body: 'Better routing means fewer empty miles: customers report 8-14% lower transport emissions within two quarters.',
  },
};

function byRole(suffix: string): TemplateInput['byRole'] {
  return Object.fromEntries(
    (Object.keys(ROLE_ANGLES) as Role[]).map((role) => {
      const a = ROLE_ANGLES[role];
      return [role, email(`${a.subject}${suffix}`, a.body)];
    }),
  );
}

function buildTemplates(accounts: AccountInput[]): DemoTemplate[] {
  const tier1ByAccount = Object.fromEntries(
    TIER1_ACCOUNTS.map((a) => [
      a.accountId,
      {
        html: `<p>Hi {{contact.firstName}},</p><p>We have been studying ${a.hook} at ${a.name}, and put together a short plan written for your team alone. Could we walk you through it?</p>${FOOTER_HTML}`,
        text: `Hi {{contact.firstName}},\n\nWe have been studying ${a.hook} at ${a.name}, and put together a short plan written for your team alone. Could we walk you through it?${FOOTER_TEXT}`,
      },
    ]),
  );
  const clusterCopy: Record<string, { subject: string; body: string }> = {
    'grocery-distribution': {
      subject: 'How regional grocers cut spoilage in transit',
      body: 'Grocery distributors like {{account.name}} use Routewise to plan store deliveries around shelf life, cutting spoilage and overtime.',
    },
    'cold-chain-3pl': {
      subject: 'Temperature-aware routing for cold-chain 3PLs',
      body: '3PLs like {{account.name}} use Routewise to route reefers by temperature window and dwell time, with proof of cold chain for every shipper.',
    },
  };
  const clusterVariants = (step: string) =>
    Object.fromEntries(
      accounts
        .filter((a) => a.tier === 2 && a.cluster)
        .map((a) => {
          const c = clusterCopy[a.cluster!]!;
          return [a.accountId, email(`${c.subject}${step}`, c.body)];
        }),
    );

  return [
    {
      templateId: 't1-intro',
      template: {
        ...email('A plan written for {{account.name}}', 'We put together a short plan for {{account.name}}.'),
        byRole: byRole(''),
        byAccount: tier1ByAccount,
      },
    },
    {
      templateId: 't1-followup',
      template: {
        ...email('Following up, {{contact.firstName}}', 'Following up on my note about {{account.name}}.'),
        byRole: byRole(' (follow-up)'),
      },
    },
    {
      templateId: 't1-exec-brief',
      template: email(
        'Executive briefing for {{account.name}}',
        'Your team has been looking at Routewise closely. Would a 30-minute executive briefing with our COO be useful next week?',
      ),
    },
    {
      templateId: 't1-nurture',
      template: {
        ...email(
          'What peers of {{account.name}} did this quarter',
          'Three logistics leaders shared what changed after their first 90 days with Routewise.',
        ),
        byRole: { economic_buyer: { subject: 'The CFO view: three Routewise rollouts' } },
      },
    },
    {
      templateId: 't2-intro',
      template: {
        ...email(
          'Logistics planning for {{account.name}}',
          'Routewise helps companies like {{account.name}}.',
        ),
        byAccount: clusterVariants(''),
      },
    },
    {
      templateId: 't2-case-study',
      template: {
        ...email('A case study for {{account.name}}', 'Here is how a company like yours did it.'),
        byAccount: clusterVariants(': the case study'),
      },
    },
    {
      templateId: 't2-followup',
      template: {
        ...email('Worth a conversation?', 'Would a short call to compare notes be useful?'),
        byRole: { technical_evaluator: { subject: 'Integration notes for {{account.name}}' } },
      },
    },
    {
      templateId: 't3-intro',
      template: email(
        'Smarter routing for {{account.name}}',
        'Routewise plans loads and routes automatically for teams like yours. Take a look at the two-minute tour.',
      ),
    },
    {
      templateId: 't3-nurture',
      template: email(
        'The 2026 logistics benchmark',
        'Our benchmark of 400 shippers is out: see where {{account.name}} stands on cost per mile and on-time delivery.',
      ),
    },
    {
      templateId: 't3-case-study',
      template: email(
        'How a {{account.industry}} company cut cost per mile by 9%',
        'A company much like {{account.name}} rolled out Routewise in six weeks. Here is what changed, in their words.',
      ),
    },
    {
      templateId: 't3-webinar',
      template: email(
        'Live: route planning teardown, next Thursday',
        'Join 30 minutes with our solutions team: we re-plan a real week of loads, live. Seats for {{account.name}} are reserved.',
      ),
    },
    {
      templateId: 't3-last-call',
      template: email(
        'Should I close your file, {{contact.firstName}}?',
        'If routing is not a priority for {{account.name}} this year, no problem. If it is, the pricing page has a calculator.',
      ),
    },
  ];
}

// ---------------------------------------------------------------------------
// Sequences and launches
// ---------------------------------------------------------------------------

export const SEQUENCES: DemoSequence[] = [
  {
    id: 'demo-tier1-strategic',
    name: 'Tier 1 strategic (1:1)',
    description: 'Role-specific email, committee ads, SDR calls, an ROI booklet by direct mail.',
    steps: [
      {
        id: 'intro',
        channel: 'email',
        after: 'P0D',
        to: ['economic_buyer', 'champion', 'technical_evaluator'],
        template: 't1-intro',
      },
      { id: 'ads', channel: 'ads', after: 'P0D', audience: 'tier1-committees', to: 'all' },
      { id: 'call-1', channel: 'sdr_task', after: 'P3D', to: ['champion'], taskType: 'call', priority: 1 },
      {
        id: 'wait-1',
        type: 'await_engagement',
        timeout: 'P10D',
        until: { minScore: 30 },
        onTimeout: 'next',
      },
      {
        id: 'gift',
        channel: 'direct_mail',
        after: 'P2D',
        to: ['economic_buyer'],
        piece: 'roi-booklet',
        maxCostCents: 5000,
        costCents: 3500,
      },
      { id: 'followup', channel: 'email', after: 'P5D', to: 'all', template: 't1-followup' },
      {
        id: 'call-2',
        channel: 'sdr_task',
        after: 'P4D',
        to: ['economic_buyer', 'technical_evaluator'],
        taskType: 'call',
        priority: 2,
      },
      {
        id: 'check',
        type: 'branch',
        cases: [{ if: { minEngagedRoles: 3 }, goto: 'exec-brief' }],
        default: 'next',
      },
      { id: 'nurture', channel: 'email', after: 'P10D', to: 'all', template: 't1-nurture' },
      {
        id: 'call-3',
        channel: 'sdr_task',
        after: 'P7D',
        to: ['champion', 'influencer'],
        taskType: 'call',
        next: 'done',
      },
      { id: 'exec-brief', channel: 'email', after: 'P2D', to: ['economic_buyer'], template: 't1-exec-brief' },
      {
        id: 'exec-call',
        channel: 'sdr_task',
        after: 'P2D',
        to: ['economic_buyer'],
        taskType: 'call',
        priority: 1,
      },
      { id: 'done', type: 'exit', reason: 'sequence complete' },
    ],
  },
  {
    id: 'demo-tier2-clusters',
    name: 'Tier 2 clusters (1:few)',
    description: 'Cluster-specific email copy, cluster ads, SDR calls for the engaged.',
    steps: [
      {
        id: 'intro',
        channel: 'email',
        after: 'P0D',
        to: ['economic_buyer', 'champion'],
        template: 't2-intro',
      },
      { id: 'ads', channel: 'ads', after: 'P0D', audience: 'tier2-clusters', to: 'all' },
      { id: 'case-study', channel: 'email', after: 'P7D', to: 'all', template: 't2-case-study' },
      { id: 'call-1', channel: 'sdr_task', after: 'P5D', to: ['champion'], taskType: 'call' },
      {
        id: 'wait-1',
        type: 'await_engagement',
        timeout: 'P14D',
        until: { minScore: 20 },
        onTimeout: 'next',
      },
      {
        id: 'followup',
        channel: 'email',
        after: 'P3D',
        to: ['economic_buyer', 'technical_evaluator'],
        template: 't2-followup',
      },
      {
        id: 'call-2',
        channel: 'sdr_task',
        after: 'P10D',
        to: ['economic_buyer'],
        taskType: 'call',
        if: { minScore: 10 },
      },
    ],
  },
  {
    id: 'demo-tier3-programmatic',
    name: 'Tier 3 programmatic (1:many)',
    description: 'Email and ad audiences only.',
    steps: [
      { id: 'intro', channel: 'email', after: 'P0D', to: 'all', template: 't3-intro' },
      { id: 'ads', channel: 'ads', after: 'P0D', audience: 'tier3-programmatic', to: 'all' },
      { id: 'nurture', channel: 'email', after: 'P14D', to: 'all', template: 't3-nurture' },
      {
        id: 'retarget',
        channel: 'ads',
        after: 'P7D',
        audience: 'tier3-retarget',
        to: 'all',
        if: { minScore: 4 },
      },
      { id: 'case-study', channel: 'email', after: 'P14D', to: 'all', template: 't3-case-study' },
      { id: 'webinar', channel: 'email', after: 'P21D', to: 'all', template: 't3-webinar' },
      {
        id: 'last-call',
        channel: 'email',
        after: 'P21D',
        to: ['economic_buyer', 'champion'],
        template: 't3-last-call',
      },
    ],
  },
];

export const LAUNCHES: DemoLaunch[] = [
  {
    key: 'tier1',
    name: 'Tier 1: strategic accounts',
    sequenceId: 'demo-tier1-strategic',
    audience: { tier: 1 },
    holdoutPercent: 0,
  },
  {
    key: 'tier2',
    name: 'Tier 2: cluster plays',
    sequenceId: 'demo-tier2-clusters',
    audience: { tier: 2 },
    holdoutPercent: 0,
  },
  {
    key: 'tier3',
    name: 'Tier 3: programmatic',
    sequenceId: 'demo-tier3-programmatic',
    audience: { tier: 3 },
    holdoutPercent: 10,
  },
];

export function buildScenario(seed: number = DEFAULT_SEED): Scenario {
  const rng = new Rng(seed);
  const accounts = buildAccounts(rng);
  return {
    seed,
    vendor: { name: 'Routewise', sender: 'Routewise demo' },
    accounts,
    templates: buildTemplates(accounts),
    sequences: SEQUENCES.map((s) => structuredClone(s)),
    launches: LAUNCHES.map((l) => ({ ...l, audience: { ...l.audience } })),
    sdrs: [SDRS.tier1, SDRS['grocery-distribution'], SDRS['cold-chain-3pl'], SDRS.tier3, 'unassigned'],
    clusters: CLUSTERS.map((c) => ({ ...c })),
  };
}
