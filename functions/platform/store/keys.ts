/**
 * The key design of the single table (docs/architecture.md "Data model"), in one place.
 *
 * Everything about one account lives in its partition `ACCOUNT#<accountId>`; sequences, templates,
 * campaigns and the suppression list have partitions of their own. Overloaded GSIs (`gsi1`,
 * `gsi2`, `gsi3`, all projecting ALL) serve the look-ups that do not start from an account id. An index
 * attribute that does not apply to an item is left out, so the indexes stay sparse.
 *
 * | item             | pk                   | sk                       | gsi1pk / gsi1sk                                 | gsi2pk / gsi2sk                                   |
 * |------------------|----------------------|--------------------------|-------------------------------------------------|---------------------------------------------------|
 * | account profile  | ACCOUNT#<id>         | PROFILE                  | DOMAIN#<domain> / ACCOUNT#<id>                  | TIER#<tier> / ACCOUNT#<id>                        |
 * | contact          | ACCOUNT#<id>         | CONTACT#<contactId>      | EMAIL#<email> / ACCOUNT#<id>#CONTACT#<cid>      | CONTACTID#<contactId> / ACCOUNT#<id>              |
 * | enrollment       | ACCOUNT#<id>         | ENROLLMENT#<campaignId>  | CAMPAIGN#<campaignId> / ENROLLMENT#<id>         | ACTIVE#<campaignId> / ENROLLMENT#<id> (active)    |
 * | touch            | ACCOUNT#<id>         | TOUCH#<touchId>          | CAMPAIGN#<campaignId> / TOUCH#<at>#<touchId>    | TOUCHLOG#<id> / <at>#<touchId>                    |
 * | SDR task         | ACCOUNT#<id>         | TASK#<taskId>            | TASKID#<taskId> / ACCOUNT#<id>                  | OWNER#<owner>#<status> / <priority>#<dueAt>#<taskId> |
 *   (gsi3, SDR tasks only: TASKS#<status> / <dueAt>#<taskId>)
 * | score state      | ACCOUNT#<id>         | SCORE                    | SCORES#<scoreStage>#<shard> / <unitAt>#<id> (1) | -                                                 |
 * | sequence version | SEQUENCE#<id>        | V#<00000001>             | -                                               | -                                                 |
 * | sequence head    | SEQUENCE#<id>        | HEAD                     | SEQUENCES / SEQUENCE#<id>                       | -                                                 |
 * | template         | TEMPLATE#<id>        | TEMPLATE                 | TEMPLATES / TEMPLATE#<id>                       | -                                                 |
 * | campaign         | CAMPAIGN#<id>        | CAMPAIGN                 | CAMPAIGNS / AT#<createdAt>#<id>                 | CAMPAIGNS#<status> / AT#<createdAt>#<id>          |
 * | launch lease     | CAMPAIGN#<id>        | LAUNCH_LEASE             | -                                               | -                                                 |
 * | suppression      | SUPPRESSION#<email>  | EMAIL                    | -                                               | -                                                 |
 * | unresolved event | UNRESOLVED#<yyyy-mm-dd> | EVENT#<eventId> (+ttl) | -                                              | -                                                 |
 * | local execution  | LOCALEXEC#<accountId> | <campaignId>            | -                                               | -                                                 |
 * | sending hour     | SENDING#<domain>     | HOUR#<yyyy-mm-ddThh> (+ttl) | -                                            | -                                                 |
 * | sending state    | SENDING#<domain>     | STATE                    | -                                               | -                                                 |
 * | send-rate line   | SENDRATE             | NEXT                     | -                                               | -                                                 |
 * | program          | PROGRAM#<id>         | PROGRAM                  | PROGRAMS / PROGRAM#<id>                         | -                                                 |
 * | webhook receipt  | WEBHOOK#<provider>#<eventId> | RECEIPT (+ttl)   | -                                               | -                                                 |
 *
 * (1) Only while the score stage is `engaged` or `mqa` with a positive score: the accounts that decay
 * can move out of their stage (scoreDecayItem below). `unitAt` is when the score decays to 1 point.
 *
 * Choices that differ from the first sketch, and why:
 * - Touches keep `sk = TOUCH#<touchId>` so the conditional put is keyed by the touch id alone (a
 *   retried step can never write a second touch), and get a time-ordered gsi2 entry
 *   (`TOUCHLOG#<accountId>`) for "recent touches of an account" without reading the whole partition.
 * - Sequences get a `HEAD` item per sequence (latest version, name) indexed under `SEQUENCES`, so
 *   listing sequences reads one item per sequence, not every version. Templates and campaigns are
 *   listed the same way (`TEMPLATES`, `CAMPAIGNS`). These collections are small (tens to hundreds).
 * - Times inside sort keys are normalised to UTC `toISOString()` (fixed width, millisecond
 *   precision), so lexical order is time order even when the stored value carries an offset.
 * - Sequence versions are zero-padded to 8 digits so `V#...` sorts numerically (latest = last).
 *
 * Components: ids are `Id`-validated (no `#`); emails are lower-cased and cannot contain `#`;
 * touch, task and event ids may contain `#` but only ever appear as the last key component.
 */
import type { IndexName } from './table-definition';

export interface PrimaryKey {
  pk: string;
  sk: string;
}

export interface IndexKeys {
  gsi1pk?: string;
  gsi1sk?: string;
  gsi2pk?: string;
  gsi2sk?: string;
  gsi3pk?: string;
  gsi3sk?: string;
}

export type ItemKeys = PrimaryKey & IndexKeys;

/** Attributes that are storage details, never returned to callers. */
export const STORAGE_ATTRIBUTES: readonly string[] = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'ttl',
  'entity',
  // A template's compiled form (functions/kernel/template-compiled.ts): derived from the template,
  // read only by the engine (CatalogReader.getTemplateToRender).
  'compiledTemplate',
];

/**
 * The fixed sort keys and sort-key prefixes. A string enum rather than an object: esbuild inlines
 * enum values where they are used, so a bundle carries the strings it compares, not the table.
 */
export enum SK {
  profile = 'PROFILE',
  contactPrefix = 'CONTACT#',
  enrollmentPrefix = 'ENROLLMENT#',
  touchPrefix = 'TOUCH#',
  taskPrefix = 'TASK#',
  eventPrefix = 'EVENT#',
  score = 'SCORE',
  sequenceVersionPrefix = 'V#',
  sequenceHead = 'HEAD',
  template = 'TEMPLATE',
  campaign = 'CAMPAIGN',
  launchLease = 'LAUNCH_LEASE',
  suppression = 'EMAIL',
  sendingHourPrefix = 'HOUR#',
  sendingState = 'STATE',
  sendRateLine = 'NEXT',
}

/** A timestamp as it appears inside a sort key: UTC, fixed width. Throws on an invalid time. */
export function sortableTime(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) throw new RangeError(`not a timestamp: ${iso}`);
  return t.toISOString();
}

export function padVersion(version: number): string {
  if (!Number.isInteger(version) || version < 0 || version > 99_999_999) {
    throw new RangeError(`sequence version out of range: ${version}`);
  }
  return String(version).padStart(8, '0');
}

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

const accountPk = (accountId: string) => `ACCOUNT#${accountId}`;

/** Query shapes: a partition (table or index) plus an optional sort-key prefix. */
export interface KeyQuery {
  index?: IndexName;
  pk: string;
  beginsWith?: string;
}

// The key builders, one export each: the store's modules import them as a namespace
// (`import * as keys from './keys'`), so a bundle carries only the builders its repositories call
// (an object of builders would carry all of them into every bundle).

export const accountPartition = accountPk;

export const account = (accountId: string): PrimaryKey => ({ pk: accountPk(accountId), sk: SK.profile });

export const accountItem = (a: { accountId: string; domain: string; tier: number }): ItemKeys => ({
  ...account(a.accountId),
  gsi1pk: `DOMAIN#${a.domain.toLowerCase()}`,
  gsi1sk: `ACCOUNT#${a.accountId}`,
  gsi2pk: `TIER#${a.tier}`,
  gsi2sk: `ACCOUNT#${a.accountId}`,
});

export const accountsByDomain = (domain: string): KeyQuery => ({
  index: 'gsi1',
  pk: `DOMAIN#${domain.trim().toLowerCase()}`,
});

export const accountsByTier = (tier: number): KeyQuery => ({ index: 'gsi2', pk: `TIER#${tier}` });

export const contact = (accountId: string, contactId: string): PrimaryKey => ({
  pk: accountPk(accountId),
  sk: `${SK.contactPrefix}${contactId}`,
});

export const contactItem = (c: { accountId: string; contactId: string; email?: string }): ItemKeys => ({
  ...contact(c.accountId, c.contactId),
  ...(c.email
    ? {
        gsi1pk: `EMAIL#${normaliseEmail(c.email)}`,
        gsi1sk: `ACCOUNT#${c.accountId}#CONTACT#${c.contactId}`,
      }
    : {}),
  gsi2pk: `CONTACTID#${c.contactId}`,
  gsi2sk: `ACCOUNT#${c.accountId}`,
});

export const contactsOfAccount = (accountId: string): KeyQuery => ({
  pk: accountPk(accountId),
  beginsWith: SK.contactPrefix,
});

export const contactsByEmail = (email: string): KeyQuery => ({
  index: 'gsi1',
  pk: `EMAIL#${normaliseEmail(email)}`,
});

export const contactsById = (contactId: string): KeyQuery => ({
  index: 'gsi2',
  pk: `CONTACTID#${contactId}`,
});

export const enrollment = (accountId: string, campaignId: string): PrimaryKey => ({
  pk: accountPk(accountId),
  sk: `${SK.enrollmentPrefix}${campaignId}`,
});

/** `active`: the enrollment's execution is still going; only then is it in the sparse gsi2 entry. */
export const enrollmentItem = (e: { accountId: string; campaignId: string }, active = false): ItemKeys => ({
  ...enrollment(e.accountId, e.campaignId),
  gsi1pk: `CAMPAIGN#${e.campaignId}`,
  gsi1sk: `ENROLLMENT#${e.accountId}`,
  ...(active ? { gsi2pk: `ACTIVE#${e.campaignId}`, gsi2sk: `ENROLLMENT#${e.accountId}` } : {}),
});

/** A campaign's active enrollments (running, waiting, paused): the sparse gsi2 entry. */
export const activeEnrollmentsOfCampaign = (campaignId: string): KeyQuery => ({
  index: 'gsi2',
  pk: `ACTIVE#${campaignId}`,
});

export const enrollmentsOfAccount = (accountId: string): KeyQuery => ({
  pk: accountPk(accountId),
  beginsWith: SK.enrollmentPrefix,
});

export const enrollmentsOfCampaign = (campaignId: string): KeyQuery => ({
  index: 'gsi1',
  pk: `CAMPAIGN#${campaignId}`,
  beginsWith: 'ENROLLMENT#',
});

export const touch = (accountId: string, touchId: string): PrimaryKey => ({
  pk: accountPk(accountId),
  sk: `${SK.touchPrefix}${touchId}`,
});

export const touchItem = (t: {
  accountId: string;
  campaignId: string;
  touchId: string;
  at: string;
}): ItemKeys => ({
  ...touch(t.accountId, t.touchId),
  gsi1pk: `CAMPAIGN#${t.campaignId}`,
  gsi2pk: `TOUCHLOG#${t.accountId}`,
  ...touchTimeKeys(t.touchId, t.at),
});

/** A touch's index sort keys: both indexes order touches by their time, which a status change moves. */
export const touchTimeKeys = (touchId: string, at: string) => ({
  gsi1sk: `TOUCH#${sortableTime(at)}#${touchId}`,
  gsi2sk: `${sortableTime(at)}#${touchId}`,
});

export const touchesOfAccount = (accountId: string): KeyQuery => ({
  index: 'gsi2',
  pk: `TOUCHLOG#${accountId}`,
});

/** The touches of one execution (touch ids start with the execution name). */
export const touchesOfExecution = (accountId: string, executionName: string): KeyQuery => ({
  pk: accountPk(accountId),
  beginsWith: `${SK.touchPrefix}${executionName}#`,
});

export const touchesOfCampaign = (campaignId: string): KeyQuery => ({
  index: 'gsi1',
  pk: `CAMPAIGN#${campaignId}`,
  beginsWith: 'TOUCH#',
});

export const task = (accountId: string, taskId: string): PrimaryKey => ({
  pk: accountPk(accountId),
  sk: `${SK.taskPrefix}${taskId}`,
});

export const taskItem = (t: {
  accountId: string;
  taskId: string;
  owner: string;
  status: string;
  priority: number;
  dueAt: string;
}): ItemKeys => ({
  ...task(t.accountId, t.taskId),
  gsi1pk: `TASKID#${t.taskId}`,
  gsi1sk: `ACCOUNT#${t.accountId}`,
  gsi2pk: `OWNER#${t.owner}#${t.status}`,
  gsi2sk: `${t.priority}#${sortableTime(t.dueAt)}#${t.taskId}`,
  gsi3pk: `TASKS#${t.status}`,
  gsi3sk: `${sortableTime(t.dueAt)}#${t.taskId}`,
});

/** Every task of a status, whoever owns it, by due time (gsi3: `GET /tasks` without an owner). */
export const tasksOfStatus = (status: string): KeyQuery => ({ index: 'gsi3', pk: `TASKS#${status}` });

/** The sort key below which a task of `tasksOfStatus` is due before `at` (overdue). */
export const dueBefore = (at: string): string => sortableTime(at);

export const taskById = (taskId: string): KeyQuery => ({ index: 'gsi1', pk: `TASKID#${taskId}` });

export const tasksOfOwner = (owner: string, status: string): KeyQuery => ({
  index: 'gsi2',
  pk: `OWNER#${owner}#${status}`,
});

export const tasksOfAccount = (accountId: string): KeyQuery => ({
  pk: accountPk(accountId),
  beginsWith: SK.taskPrefix,
});

export const score = (accountId: string): PrimaryKey => ({ pk: accountPk(accountId), sk: SK.score });

/**
 * The decay index is split over this many partitions (`SCORES#<stage>#0..7`), so the writes of
 * every scored account do not land on one index partition. Fixed: an entry is found only under
 * the shard of its account id.
 */
export const SCORE_SHARDS = 8;

/** An account's shard of the decay index: FNV-1a of its id, modulo SCORE_SHARDS. */
export function scoreShard(accountId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) h = Math.imul(h ^ accountId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % SCORE_SHARDS;
}

/** Epoch ms clamped to what a fixed-width ISO timestamp spells (years 1970 to 9999). */
const LATEST_SORTABLE = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const sortableEpoch = (at: number): string =>
  new Date(Math.min(Math.max(Math.floor(at), 0), LATEST_SORTABLE)).toISOString();

/**
 * The SCORE item's decay-index entry (gsi1): under its score stage, sorted by `unitAt`, the time its
 * score decays to 1 point. Since score(t) = 2^((unitAt - t) / halfLife), the score is below `floor`
 * at `t` exactly when unitAt < t + halfLife * log2(floor): one range query per stage and shard
 * finds the accounts whose score has fallen below a stage's floor, whatever the floor.
 */
export const scoreDecayItem = (accountId: string, scoreStage: string, unitAt: number): IndexKeys => ({
  gsi1pk: `SCORES#${scoreStage}#${scoreShard(accountId)}`,
  gsi1sk: `${sortableEpoch(unitAt)}#${accountId}`,
});

/** The decay-index entries of one stage and shard whose `unitAt` is before `before` (epoch ms). */
export const scoresDecayedBefore = (scoreStage: string, shard: number, before: number) => ({
  query: { index: 'gsi1', pk: `SCORES#${scoreStage}#${shard}` } as KeyQuery,
  lt: sortableEpoch(before),
});

export const sequenceVersion = (sequenceId: string, version: number): PrimaryKey => ({
  pk: `SEQUENCE#${sequenceId}`,
  sk: `${SK.sequenceVersionPrefix}${padVersion(version)}`,
});

export const sequenceVersions = (sequenceId: string): KeyQuery => ({
  pk: `SEQUENCE#${sequenceId}`,
  beginsWith: SK.sequenceVersionPrefix,
});

export const sequenceHead = (sequenceId: string): PrimaryKey => ({
  pk: `SEQUENCE#${sequenceId}`,
  sk: SK.sequenceHead,
});

export const sequenceHeadItem = (sequenceId: string): ItemKeys => ({
  ...sequenceHead(sequenceId),
  gsi1pk: 'SEQUENCES',
  gsi1sk: `SEQUENCE#${sequenceId}`,
});

export const sequenceList = (): KeyQuery => ({ index: 'gsi1', pk: 'SEQUENCES' });

export const template = (templateId: string): PrimaryKey => ({
  pk: `TEMPLATE#${templateId}`,
  sk: SK.template,
});

export const templateItem = (templateId: string): ItemKeys => ({
  ...template(templateId),
  gsi1pk: 'TEMPLATES',
  gsi1sk: `TEMPLATE#${templateId}`,
});

export const templateList = (): KeyQuery => ({ index: 'gsi1', pk: 'TEMPLATES' });

export const campaign = (campaignId: string): PrimaryKey => ({
  pk: `CAMPAIGN#${campaignId}`,
  sk: SK.campaign,
});

/**
 * A campaign is listed newest first (`GET /campaigns`): under `CAMPAIGNS` on gsi1 and under its
 * status on gsi2, both sorted by `AT#<createdAt>#<id>`. An item written before this key (sort key
 * `CAMPAIGN#<id>`) sorts after every `AT#` key, so it is listed first (newest-first order reads the
 * index backwards) until its next write gives it the new keys; it has no status entry until then.
 */
export const campaignItem = (c: { campaignId: string; createdAt: string; status: string }): ItemKeys => ({
  ...campaign(c.campaignId),
  gsi1pk: 'CAMPAIGNS',
  gsi1sk: `AT#${sortableTime(c.createdAt)}#${c.campaignId}`,
  gsi2pk: `CAMPAIGNS#${c.status}`,
  gsi2sk: `AT#${sortableTime(c.createdAt)}#${c.campaignId}`,
});

export const campaignList = (): KeyQuery => ({ index: 'gsi1', pk: 'CAMPAIGNS' });

/** The campaigns of one status (sparse: only items written with the status key). */
export const campaignsOfStatus = (status: string): KeyQuery => ({ index: 'gsi2', pk: `CAMPAIGNS#${status}` });

export const program = (programId: string): PrimaryKey => ({ pk: `PROGRAM#${programId}`, sk: 'PROGRAM' });

export const programItem = (programId: string): ItemKeys => ({
  ...program(programId),
  gsi1pk: 'PROGRAMS',
  gsi1sk: `PROGRAM#${programId}`,
});

export const programList = (): KeyQuery => ({ index: 'gsi1', pk: 'PROGRAMS' });

export const launchLease = (campaignId: string): PrimaryKey => ({
  pk: `CAMPAIGN#${campaignId}`,
  sk: SK.launchLease,
});

/** An engagement event whose account could not be resolved, kept by the day it arrived. */
export const unresolvedEvent = (receivedAt: string, eventId: string): PrimaryKey => ({
  pk: `UNRESOLVED#${receivedAt.slice(0, 10)}`,
  sk: `${SK.eventPrefix}${eventId}`,
});

/**
 * A provider webhook event the product has applied (or is applying): one partition per event, so a
 * burst of deliveries spreads over partitions. The event id is the last component.
 */
export const webhookReceipt = (provider: string, eventId: string): PrimaryKey => ({
  pk: `WEBHOOK#${provider}#${eventId}`,
  sk: 'RECEIPT',
});

/**
 * Local mode's execution journal (Step Functions keeps execution state on AWS): a partition of
 * its own, so the account partition the scorer and the API read is exactly what it is on AWS.
 */
export const localExecution = (accountId: string, campaignId: string): PrimaryKey => ({
  pk: `LOCALEXEC#${accountId}`,
  sk: campaignId,
});

export const suppression = (email: string): PrimaryKey => ({
  pk: `SUPPRESSION#${normaliseEmail(email)}`,
  sk: SK.suppression,
});

/**
 * The sender reputation breaker of one sending domain (docs/architecture.md "Sender reputation"):
 * one counter item per hour (sends, hard bounces, complaints; ADD updates, TTL) and one state item.
 */
export const sendingHour = (domain: string, hour: string): PrimaryKey => ({
  pk: `SENDING#${domain.toLowerCase()}`,
  sk: `${SK.sendingHourPrefix}${hour}`,
});

export const sendingState = (domain: string): PrimaryKey => ({
  pk: `SENDING#${domain.toLowerCase()}`,
  sk: SK.sendingState,
});

/**
 * The ad-audience membership ledger (functions/ads): one item per (member, provider, audience), in
 * the member's partition, so an erasure finds every audience a person was added to with one query.
 * A contact member's id is its contact id, a company member's its account id.
 */
export const adsMemberships = (kind: 'contact' | 'company', memberId: string): string =>
  `ADSMEMBER#${kind}#${memberId}`;

export const adsMembership = (
  kind: 'contact' | 'company',
  memberId: string,
  provider: string,
  audience: string,
): PrimaryKey => ({ pk: adsMemberships(kind, memberId), sk: `${provider}#${audience}` });

/**
 * An SDR task's link to the task created for it in the CRM (functions/crm): one item per task id
 * (the task id is the last component), a reverse item per CRM id (a CRM webhook names the CRM's
 * id), and a sparse index of the links still open, least recently polled first.
 */
export const crmTaskLink = (taskId: string): PrimaryKey => ({ pk: `CRMTASK#${taskId}`, sk: 'LINK' });
export const crmIdLink = (provider: string, crmId: string): PrimaryKey => ({
  pk: `CRMID#${provider}#${crmId}`,
  sk: 'LINK',
});
export const openCrmTasks = (provider: string): KeyQuery => ({ index: 'gsi1', pk: `CRMOPEN#${provider}` });

/**
 * Email pacing (docs/architecture.md "Email pacing"): the next free slot of the SES account's
 * sending rate, one item per table.
 */
export const sendRateLine = (): PrimaryKey => ({ pk: 'SENDRATE', sk: SK.sendRateLine });

/** Every builder in one object, for scripts and tests (the store's modules use the namespace import). */
export const keys = {
  accountPartition,
  account,
  accountItem,
  accountsByDomain,
  accountsByTier,
  contact,
  contactItem,
  contactsOfAccount,
  contactsByEmail,
  contactsById,
  enrollment,
  enrollmentItem,
  enrollmentsOfAccount,
  enrollmentsOfCampaign,
  activeEnrollmentsOfCampaign,
  touch,
  touchItem,
  touchTimeKeys,
  touchesOfAccount,
  touchesOfCampaign,
  touchesOfExecution,
  task,
  taskItem,
  taskById,
  tasksOfOwner,
  tasksOfStatus,
  tasksOfAccount,
  score,
  scoreDecayItem,
  scoresDecayedBefore,
  sequenceVersion,
  sequenceVersions,
  sequenceHead,
  sequenceHeadItem,
  sequenceList,
  template,
  templateItem,
  templateList,
  campaign,
  campaignItem,
  campaignList,
  campaignsOfStatus,
  program,
  programItem,
  programList,
  launchLease,
  unresolvedEvent,
  webhookReceipt,
  localExecution,
  suppression,
  sendingHour,
  sendingState,
  adsMemberships,
  adsMembership,
  crmTaskLink,
  crmIdLink,
  openCrmTasks,
  sendRateLine,
} as const;
