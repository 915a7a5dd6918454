/**
 * Request bodies for the bench, built deterministically from a request's index so the load
 * generator (in a worker thread) and the checks (in the main thread) agree on what was sent.
 */
import { readFileSync } from 'node:fs';
import { slashCommandBody } from '../test/fakes/slack/sign.ts';

interface FixtureAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

interface FixtureGroup {
  alerts: FixtureAlert[];
  [field: string]: unknown;
}

const TEMPLATE = JSON.parse(
  readFileSync(new URL('../test/fixtures/alertmanager/firing-group.json', import.meta.url), 'utf8'),
) as FixtureGroup;

const ALERT_NAMES = [
  'HighRequestLatency',
  'HighErrorRate',
  'DiskWillFillIn4Hours',
  'KubePodCrashLooping',
  'TargetDown',
  'CPUThrottlingHigh',
  'NodeMemoryPressure',
];
const SEVERITIES = ['critical', 'warning', 'error', 'critical', 'info'];

/** What a request sends; the index picks the group, key or command. */
export type Workload =
  /** Full Alertmanager groups (1–5 alerts each), groups picked at random with repeats. */
  | { kind: 'alertmanager-intake'; groups: number; seed: number }
  /** `total` notifications over `groups` groups; a group's alerts join it one at a time. */
  | { kind: 'alertmanager-storm'; total: number; groups: number; seed: number }
  /** Generic webhooks over `keys` dedup keys, round robin; every 10th of a key resolves it. */
  | { kind: 'generic'; keys: number }
  /** Slack slash commands, `/incident <texts[i % n]>`, signed when sent. */
  | { kind: 'slash'; texts: string[] };

/** How many alerts group `g` has (1–5). */
export function groupAlertCount(g: number) {
  return 1 + (g % 5);
}

/** A 16-hex-digit fingerprint, unique per group and alert. */
export function fingerprint(g: number, k: number) {
  return `${g.toString(16).padStart(10, '0')}${k.toString(16).padStart(6, '0')}`;
}

/** The alert's summary annotation, unique per fingerprint (it is what the timeline shows). */
export function alertSummary(g: number, k: number) {
  return `p99 latency is ${(1.5 + ((g * 7 + k) % 20) / 10).toFixed(2)}s on svc-${g}-${k}`;
}

const groupBodies = new Map<string, string>();

/** An Alertmanager (v4) notification for group `g` carrying its first `alertCount` alerts. */
export function alertmanagerBody(g: number, alertCount: number): string {
  const cacheKey = `${g}:${alertCount}`;
  const cached = groupBodies.get(cacheKey);
  if (cached) return cached;

  const alertname = ALERT_NAMES[g % ALERT_NAMES.length] ?? 'HighRequestLatency';
  const cluster = `prod-${['eu', 'us', 'ap'][g % 3]}-${g % 7}`;
  const namespace = `team-${g}`;
  const severity = SEVERITIES[g % SEVERITIES.length] ?? 'warning';
  const job = `svc-${g}`;
  const alerts = Array.from({ length: alertCount }, (_, k) => {
    const base = TEMPLATE.alerts[k % TEMPLATE.alerts.length] as FixtureAlert;
    return {
      ...base,
      labels: {
        ...base.labels,
        alertname,
        cluster,
        namespace,
        job,
        severity,
        instance: `svc-${g}-${k}.prod.example.test:8080`,
      },
      annotations: { ...base.annotations, summary: alertSummary(g, k) },
      fingerprint: fingerprint(g, k),
    };
  });
  const body = JSON.stringify({
    ...TEMPLATE,
    status: 'firing',
    alerts,
    groupLabels: { alertname, cluster, namespace },
    commonLabels: { alertname, cluster, namespace, job, severity, team: 'payments' },
    groupKey: `{}/{severity="${severity}"}:{alertname="${alertname}", cluster="${cluster}", namespace="${namespace}"}`,
  });
  groupBodies.set(cacheKey, body);
  return body;
}

/** A small seeded PRNG (mulberry32), so every run sends the same sequence. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface StormNotification {
  group: number;
  /** How many of the group's alerts this notification carries (they join one at a time). */
  alerts: number;
}

const stormPlans = new Map<string, StormNotification[]>();

/** The storm's notifications in sending order: groups shuffled, each about total/groups times. */
export function stormPlan(total: number, groups: number, seed: number): StormNotification[] {
  const cacheKey = `${total}:${groups}:${seed}`;
  const cached = stormPlans.get(cacheKey);
  if (cached) return cached;

  const order: number[] = [];
  for (let g = 0; g < groups; g += 1) {
    const count = Math.floor(total / groups) + (g < total % groups ? 1 : 0);
    for (let n = 0; n < count; n += 1) order.push(g);
  }
  const random = prng(seed);
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const seen = new Array<number>(groups).fill(0);
  const plan = order.map((group) => {
    const step = seen[group] ?? 0;
    seen[group] = step + 1;
    return { group, alerts: Math.min(groupAlertCount(group), step + 1) };
  });
  stormPlans.set(cacheKey, plan);
  return plan;
}

const intakeGroups = new Map<string, Int32Array>();

/** The group of intake request `i`: uniform at random (seeded) over `groups`. */
export function intakeGroup(groups: number, seed: number, i: number) {
  const cacheKey = `${groups}:${seed}`;
  let table = intakeGroups.get(cacheKey);
  if (!table) {
    const random = prng(seed);
    table = Int32Array.from({ length: 65_536 }, () => Math.floor(random() * groups));
    intakeGroups.set(cacheKey, table);
  }
  return table[i % table.length] ?? 0;
}

/** The generic webhook of request `i`: key i mod keys; every 10th notification of a key resolves. */
export function genericBody(keys: number, i: number) {
  const key = i % keys;
  const round = Math.floor(i / keys);
  return JSON.stringify({
    title: `Queue depth above 10,000 on worker-${key}`,
    dedup_key: `bench-worker-${key}`,
    status: round % 10 === 9 ? 'resolved' : 'firing',
  });
}

/** The body of request `i` of a workload. */
export function bodyFor(workload: Workload, i: number): string {
  switch (workload.kind) {
    case 'alertmanager-intake': {
      const g = intakeGroup(workload.groups, workload.seed, i);
      return alertmanagerBody(g, groupAlertCount(g));
    }
    case 'alertmanager-storm': {
      const plan = stormPlan(workload.total, workload.groups, workload.seed);
      const n = plan[i % plan.length] as StormNotification;
      return alertmanagerBody(n.group, n.alerts);
    }
    case 'generic':
      return genericBody(workload.keys, i);
    case 'slash':
      return slashCommandBody({
        text: workload.texts[i % workload.texts.length] ?? 'help',
        user_id: 'U0PAT0001',
        user_name: 'pat',
      });
  }
}
