/**
 * An alert storm as Alertmanager sends one: `groups` alert groups, each notified `perGroup`
 * times; a group's alerts start firing one after another (up to 5), so notifications both
 * repeat and change. Every alert has a unique fingerprint and summary.
 */
export function stormNotifications(groups: number, perGroup: number) {
  const notifications: Array<{ group: number; body: Record<string, unknown>; firing: string[] }> =
    [];
  for (let round = 0; round < perGroup; round += 1) {
    for (let g = 0; g < groups; g += 1) {
      const count = Math.min(5, 1 + Math.floor(round / 3));
      const alerts = Array.from({ length: count }, (_, a) => alert(g, a));
      notifications.push({
        group: g,
        body: group(g, alerts),
        firing: alerts.map((x) => x.annotations.summary),
      });
    }
  }
  return notifications;
}

function alert(g: number, a: number) {
  return {
    status: 'firing',
    labels: {
      alertname: `StormAlert-${g}`,
      instance: `host-${g}-${a}`,
      severity: a === 0 ? 'critical' : 'warning',
    },
    annotations: { summary: `storm ${g}/${a} is failing` },
    startsAt: '2026-03-14T02:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example.test/graph',
    fingerprint: `f${String(g).padStart(4, '0')}${String(a).padStart(2, '0')}`,
  };
}

function group(g: number, alerts: unknown[]) {
  return {
    version: '4',
    status: 'firing',
    receiver: 'firebreak',
    groupKey: `{}:{alertname="StormAlert-${g}"}`,
    groupLabels: { alertname: `StormAlert-${g}` },
    commonLabels: { alertname: `StormAlert-${g}` },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.test',
    alerts,
  };
}

/** Sends requests with at most `concurrency` in flight; resolves with each one's status (0 = no answer). */
export async function sendAll(requests: Array<() => Promise<Response>>, concurrency: number) {
  const statuses: number[] = new Array<number>(requests.length).fill(0);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      try {
        statuses[index] = (await requests[index]?.())?.status ?? 0;
      } catch {
        statuses[index] = 0;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}
