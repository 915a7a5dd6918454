import { OutboundError } from '../outbound/outbound-error.ts';

/** One line of the doctor's answer: a check, how it went, and how to fix it when it failed. */
export interface DoctorResult {
  name: string;
  status: 'pass' | 'fail' | 'skipped';
  detail: string;
  /** One line saying what to change; set when the check failed. */
  fix?: string;
}

/** Where a service is reached, for the fix line of a timeout or an outage. */
export interface ServiceSite {
  /** 'Slack', 'PagerDuty'… */
  service: string;
  /** The variable that points at it: SLACK_API_URL, JIRA_BASE_URL… */
  urlVariable: string;
}

/** A check that could not pass; `attempt` returns it instead of throwing. */
export class CheckFailed {
  constructor(readonly result: DoctorResult) {}
}

export const pass = (name: string, detail: string): DoctorResult => ({
  name,
  status: 'pass',
  detail,
});

export const fail = (name: string, detail: string, fix: string): DoctorResult => ({
  name,
  status: 'fail',
  detail,
  fix,
});

export const skipped = (name: string, detail: string): DoctorResult => ({
  name,
  status: 'skipped',
  detail,
});

/**
 * Runs one read-only call within `timeoutMs`, so one dead service cannot hang the doctor. A
 * failure becomes the check's fail line: the service's own message, and `fix(error)`, or, for a
 * timeout or an outage, where the service is configured.
 */
export async function attempt<T>(
  name: string,
  site: ServiceSite,
  timeoutMs: number,
  work: () => Promise<T>,
  fix: (error: OutboundError) => string,
): Promise<T | CheckFailed> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const answer = await Promise.race([work(), timeout]);
    if (answer !== 'timeout') return answer;
    const seconds = Math.round(timeoutMs / 100) / 10;
    return new CheckFailed(
      fail(name, `${site.service} did not answer within ${seconds} s`, reachFix(site)),
    );
  } catch (error) {
    const failure = OutboundError.from(error);
    const outage = failure.code === 'request_error' || /^5\d\d$/.test(failure.code ?? '');
    return new CheckFailed(fail(name, failure.message, outage ? reachFix(site) : fix(failure)));
  } finally {
    clearTimeout(timer);
  }
}

function reachFix(site: ServiceSite) {
  return (
    `Check that ${site.service} is reachable from this host ` +
    `(${site.urlVariable}, proxy, firewall), then run the doctor again.`
  );
}
