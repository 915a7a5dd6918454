/**
 * What a PagerDuty stand-in's account holds before any incident exists: services, users,
 * escalation policies, schedules, who is on call, and Events API integration keys; plus the
 * sandbox defaults. IDs have PagerDuty's shape ('P' + 6 upper-case letters or digits). User
 * emails match the Slack stand-in's users, so a test can map a Slack user to a PagerDuty one.
 */

export interface StandInService {
  id: string;
  name: string;
  escalationPolicyId: string;
}

export interface StandInUser {
  id: string;
  name: string;
  email: string;
}

export interface StandInEscalationPolicy {
  id: string;
  name: string;
}

export interface StandInSchedule {
  id: string;
  name: string;
}

/** Who is on call at which level of an escalation policy, directly or through a schedule. */
export interface StandInOncall {
  userId: string;
  escalationPolicyId: string;
  /** 1 is paged first. Level-1 users become the assignees of a new incident. */
  level: number;
  /** The schedule that puts the user on call; absent when the policy names the user directly. */
  scheduleId?: string;
  /**
   * ISO 8601. PagerDuty answers null for a user the policy names directly (always on call).
   * Default for a schedule: the current UTC day to seven days later.
   */
  start?: string;
  end?: string;
}

/** The account as the stand-in keeps it: every option resolved. */
export interface AccountConfig {
  services: StandInService[];
  users: StandInUser[];
  /** Lower-cased emails accepted in the `From` header of write requests. */
  fromEmails: string[];
  escalationPolicies: StandInEscalationPolicy[];
  schedules: StandInSchedule[];
  oncalls: StandInOncall[];
  /** Events API v2 integration key (32 characters) → service id. */
  integrationKeys: Record<string, string>;
}

/** The account part of the stand-in's options. */
export interface AccountOptions {
  /** Default: Checkout API (PSVC001), Payments Gateway (PSVC002), Search Indexer (PSVC003). */
  services?: StandInService[];
  /** More services (PSX0001…) on the first escalation policy, to test paging. Default 0. */
  extraServices?: number;
  /** Default: Pat (PPAT001), Sam (PSAM001), Alex (PALX001) and the bot Firebreak (PBOTUSR). */
  users?: StandInUser[];
  /** Emails accepted in `From` on writes (any case). Default: every user's. */
  fromEmails?: string[];
  /** Default: PEP0001–PEP0003, one per default service. */
  escalationPolicies?: StandInEscalationPolicy[];
  /** Default: PSCH001 (Checkout primary), PSCH002 (Payments primary). */
  schedules?: StandInSchedule[];
  /** Default: Pat level 1 / Sam level 2 on Checkout, Sam / Alex on Payments, Alex on Search. */
  oncalls?: StandInOncall[];
  /** Events API v2 integration key (32 characters) → service id. Default: one per service. */
  integrationKeys?: Record<string, string>;
}

export const DEFAULT_API_KEY = 'sandbox-pd-api-key00';
export const BOT_USER_ID = 'PBOTUSR';

export const DEFAULT_ESCALATION_POLICIES: StandInEscalationPolicy[] = [
  { id: 'PEP0001', name: 'Checkout on-call' },
  { id: 'PEP0002', name: 'Payments on-call' },
  { id: 'PEP0003', name: 'Search on-call' },
];

export const DEFAULT_SERVICES: StandInService[] = [
  { id: 'PSVC001', name: 'Checkout API', escalationPolicyId: 'PEP0001' },
  { id: 'PSVC002', name: 'Payments Gateway', escalationPolicyId: 'PEP0002' },
  { id: 'PSVC003', name: 'Search Indexer', escalationPolicyId: 'PEP0003' },
];

/** Pat, Sam and Alex as in the Slack stand-in, and the bot's own user, whose email it sends. */
export const DEFAULT_USERS: StandInUser[] = [
  { id: 'PPAT001', name: 'Pat Example', email: 'pat@example.com' },
  { id: 'PSAM001', name: 'Sam Example', email: 'sam@example.com' },
  { id: 'PALX001', name: 'Alex Example', email: 'alex@example.com' },
  { id: BOT_USER_ID, name: 'Firebreak', email: 'firebreak@example.com' },
];

export const DEFAULT_SCHEDULES: StandInSchedule[] = [
  { id: 'PSCH001', name: 'Checkout primary' },
  { id: 'PSCH002', name: 'Payments primary' },
];

export const DEFAULT_ONCALLS: StandInOncall[] = [
  { userId: 'PPAT001', escalationPolicyId: 'PEP0001', level: 1, scheduleId: 'PSCH001' },
  { userId: 'PSAM001', escalationPolicyId: 'PEP0001', level: 2 },
  { userId: 'PSAM001', escalationPolicyId: 'PEP0002', level: 1, scheduleId: 'PSCH002' },
  { userId: 'PALX001', escalationPolicyId: 'PEP0002', level: 2 },
  { userId: 'PALX001', escalationPolicyId: 'PEP0003', level: 1 },
];

/** One Events API v2 integration per default service; each key is 32 characters, as PD's are. */
export const DEFAULT_INTEGRATION_KEYS: Record<string, string> = {
  'sandbox-integration-key-checkout': 'PSVC001',
  'sandbox-integration-key-payments': 'PSVC002',
  'sandbox-integration-key-search01': 'PSVC003',
};

/** `count` more services ('PSX0001', 'Generated service 1'…) on the first escalation policy. */
export function generatedServices(count: number, escalationPolicyId: string): StandInService[] {
  if (!Number.isInteger(count) || count < 0 || count > 9999) {
    throw new Error(`PagerDutyStandIn: extraServices must be 0..9999, got ${count}`);
  }

  return Array.from({ length: count }, (_, index) => ({
    id: `PSX${String(index + 1).padStart(4, '0')}`,
    name: `Generated service ${index + 1}`,
    escalationPolicyId,
  }));
}

/** Fails fast on references to things the account does not have. */
export function checkAccountConfig(config: AccountConfig): void {
  const policies = new Set(config.escalationPolicies.map((policy) => policy.id));
  const services = new Set(config.services.map((service) => service.id));
  const users = new Set(config.users.map((user) => user.id));
  const schedules = new Set(config.schedules.map((schedule) => schedule.id));
  const emails = new Set(config.users.map((user) => user.email.toLowerCase()));
  const fail = (problem: string) => {
    throw new Error(`PagerDutyStandIn: ${problem}`);
  };

  for (const service of config.services) {
    if (!policies.has(service.escalationPolicyId)) {
      fail(`service ${service.id} names unknown escalation policy ${service.escalationPolicyId}`);
    }
  }
  for (const oncall of config.oncalls) {
    if (!users.has(oncall.userId)) fail(`on-call entry names unknown user ${oncall.userId}`);
    if (!policies.has(oncall.escalationPolicyId)) {
      fail(`on-call entry names unknown escalation policy ${oncall.escalationPolicyId}`);
    }
    if (oncall.scheduleId !== undefined && !schedules.has(oncall.scheduleId)) {
      fail(`on-call entry names unknown schedule ${oncall.scheduleId}`);
    }
  }
  for (const [key, serviceId] of Object.entries(config.integrationKeys)) {
    if (key.length !== 32) fail(`integration key ${key} is not 32 characters long`);
    if (!services.has(serviceId)) fail(`integration key ${key} names unknown service ${serviceId}`);
  }
  for (const email of config.fromEmails) {
    if (!emails.has(email)) fail(`fromEmails names ${email}, who is not a user`);
  }
}

const DAY_MS = 86_400_000;

/** The account the options describe, defaults filled in; schedule shifts cover `now`. */
export function resolveAccountConfig(options: AccountOptions, now: number): AccountConfig {
  const policies = options.escalationPolicies ?? DEFAULT_ESCALATION_POLICIES;
  const users = options.users ?? DEFAULT_USERS;
  const fromEmails = options.fromEmails ?? users.map((user) => user.email);
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const isoDay = (epochMs: number) => new Date(epochMs).toISOString().replace('.000Z', 'Z');
  const withShift = (oncall: StandInOncall): StandInOncall =>
    oncall.scheduleId === undefined || oncall.start !== undefined
      ? { ...oncall }
      : { ...oncall, start: isoDay(dayStart), end: isoDay(dayStart + 7 * DAY_MS) };

  return {
    services: [
      ...(options.services ?? DEFAULT_SERVICES),
      ...generatedServices(options.extraServices ?? 0, policies[0]?.id ?? ''),
    ],
    users,
    fromEmails: fromEmails.map((email) => email.toLowerCase()),
    escalationPolicies: policies,
    schedules: options.schedules ?? DEFAULT_SCHEDULES,
    oncalls: (options.oncalls ?? DEFAULT_ONCALLS).map(withShift),
    integrationKeys: { ...(options.integrationKeys ?? DEFAULT_INTEGRATION_KEYS) },
  };
}
