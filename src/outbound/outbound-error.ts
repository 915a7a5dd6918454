/**
 * A failure of a call to another system, told apart from our own bugs: which service, what it
 * answered, and whether trying again can help.
 */
export class OutboundError extends Error {
  readonly service: string;
  /** The service's own error code (`channel_not_found`) or HTTP status, when known. */
  readonly code: string | undefined;
  readonly retryable: boolean;
  /**
   * Set when the service asked us to wait (429): the job waits this long, not counted as a failure.
   */
  readonly retryAfterMs: number | undefined;
  /** Problems the service named per field (Jira's `errors` map), for the form to show. */
  readonly fields: Record<string, string> | undefined;

  constructor(input: {
    service: string;
    message: string;
    code?: string;
    retryable?: boolean;
    retryAfterMs?: number;
    fields?: Record<string, string>;
    cause?: unknown;
  }) {
    super(input.message, { cause: input.cause });
    this.name = 'OutboundError';
    this.service = input.service;
    this.code = input.code;
    this.retryable = input.retryable ?? false;
    this.retryAfterMs = input.retryAfterMs;
    this.fields = input.fields;
  }

  /** Anything thrown by a job handler; unknown errors are our bugs and are not retried. */
  static from(error: unknown) {
    if (error instanceof OutboundError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new OutboundError({ service: 'firebreak', message, cause: error });
  }
}

/** A call that got no answer (network, DNS, timeout): worth another try. */
export function unreachable(service: string, what: string, error: unknown) {
  const message = `${what}: ${error instanceof Error ? error.message : 'request failed'}`;
  return new OutboundError({
    service,
    message,
    code: 'request_error',
    retryable: true,
    cause: error,
  });
}
