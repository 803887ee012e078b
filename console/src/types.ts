/** The API's answers as the console reads them (functions/api/schemas.ts is the source of truth). */
// The domain's word lists, from the server's own source (no schema library comes with them).
export { ROLES, STAGES, SDR_OUTCOMES as OUTCOMES } from '../../functions/kernel/model/vocabulary';

export interface Fit {
  score: number;
  suggestedTier: number;
  fits: string[];
  misses: string[];
  summary: string;
}

export interface AccountSummary {
  accountId: string;
  name: string;
  domain: string;
  tier: number;
  stage: string;
  cluster?: string | null;
  ownerSdr?: string;
  suppressed: boolean;
  fit?: Fit;
  /** GET /accounts rows: the score now, a week ago and the change (null: never scored). */
  score?: { now: number | null; weekAgo: number | null; change: number | null };
  /** GET /accounts rows: the committee's roles mapped, reached, engaged, required, missing. */
  coverage?: {
    mapped: string[];
    reached: string[];
    engaged: string[];
    required: string[];
    missing: string[];
  };
}

export interface Progress {
  value: number;
  threshold: number;
  met: boolean;
}

export interface Contact {
  contactId: string;
  accountId: string;
  name: string;
  role: string;
  title?: string;
  email?: string;
  phone?: string;
  timeZone?: string;
  unsubscribedAt?: string;
}

export interface AccountView extends Omit<AccountSummary, 'coverage' | 'score'> {
  industry?: string;
  employees?: number;
  annualRevenueUsd?: number;
  region?: string;
  score: { value: number; asOf: string } | null;
  /** The score over time (one point per scorer fold, oldest first) and the MQA threshold. */
  scoreHistory?: { points: { at: string; value: number }[]; mqaThreshold: number };
  mqaProgress: {
    asOf: string;
    met: boolean;
    score: Progress;
    engagedContacts: Progress;
    engagedRoles: Progress & { roles: string[] };
    keptAtScore: number;
    engagingTypes: string[];
    engagedWindow: string;
  };
  coverage: { required: string[]; byRole: Record<string, number>; missing: string[] };
  contacts: Contact[];
  enrollments: { campaignId: string; sequenceId: string; status: string; stepId?: string }[];
  touches: {
    stepId: string;
    channel: string;
    contactId: string;
    status: string;
    reason?: string;
    at: string;
  }[];
}

export interface StepProgress {
  stepId: string;
  channel: string | null;
  sent: number;
  skipped: number;
  failed: number;
  deferred: number;
  uncertain: number;
  inFlight: number;
  skippedByReason?: Record<string, number>;
}

export interface CampaignView {
  campaignId: string;
  name: string;
  sequenceId: string;
  version: number;
  status: string;
  holdoutPercent: number;
  enrolled: number;
  heldOut: number;
  byStatus: Record<string, number>;
  byStep?: Record<string, number>;
  steps: StepProgress[];
  createdAt: string;
  updatedAt: string;
}

export interface Ci {
  lower: number;
  upper: number;
}

export interface Rate {
  accounts: number;
  engaged: number;
  mqa: number;
  engagementRate: number;
  mqaRate: number;
  engagementRateCi95: Ci;
  mqaRateCi95: Ci;
}

export interface CampaignReport {
  campaignId: string;
  sequenceId: string;
  version: number;
  enrolled: number;
  heldOut: number;
  steps: (StepProgress & { skippedByReason: Record<string, number> })[];
  coverage: {
    reached: number;
    committee: number;
    ratio: number;
    byRole: Record<string, { reached: number; committee: number; ratio: number }>;
  };
  accountsEngaged: number;
  mqa: number;
  treated: Rate;
  holdout: Rate;
  lift: {
    engagement: number | null;
    mqa: number | null;
    engagementPoints: number;
    mqaPoints: number;
    engagementRate: { value: number; ci95: Ci } | null;
    mqaRate: { value: number; ci95: Ci } | null;
    minimumDetectableLift: number | null;
    note?: string;
  };
  scoreHistory: { accountId: string; points: { at: string; value: number }[] }[];
  generatedAt: string;
}

export interface Task {
  taskId: string;
  accountId: string;
  contactId?: string;
  owner: string;
  type: string;
  status: string;
  priority: number;
  dueAt: string;
  reason: string;
  context: {
    contact?: { name?: string; role?: string; phone?: string; timeZone?: string; localTime?: string };
    score?: number;
    stage?: string;
    talkingPoints?: string[];
    recentEngagement?: string[];
  } & Record<string, unknown>;
  outcome?: string;
  notes?: string;
  completedAt?: string;
  /** Open and due before the queue's now (the server's clock). */
  overdue?: boolean;
  accountName?: string;
  /** Who to call, with the time it is where they are now (`YYYY-MM-DD HH:mm`). */
  call?: { name: string; role: string; phone?: string; timeZone: string; localTime: string };
}

export interface Page<T> {
  items: T[];
  cursor: string | null;
}

export interface LaunchResult {
  campaignId: string;
  status: string;
  dryRun: boolean;
  mode: string;
  sequenceId: string;
  version: number;
  audienceSize: number;
  enrolled: number;
  heldOut: number;
  skipped: { accountId: string; reason: string }[];
  skippedTotal: number;
  skippedByReason: Record<string, number>;
  skippedTruncated: boolean;
  wouldEnroll?: string[];
  wouldHoldOut?: string[];
  minimumDetectableLift?: { points: number | null; baselineRate: number; treated: number; holdout: number };
  forecast?: {
    touches: { byChannel: Record<string, number> };
    finish: { earliest: string | null; latest: string | null };
    cost: { usd: number };
  };
}
