export interface Problem {
  component: string;
  message: string;
  since: string;
}

/**
 * What /healthz reports beyond "up": misconfigurations found while working (a channel we cannot
 * post to).
 */
export class Health {
  #ready = false;
  /** Set on SIGTERM: new requests are refused while in-flight work finishes. */
  draining = false;
  readonly #problems = new Map<string, Problem>();

  setReady() {
    this.#ready = true;
  }

  get ready() {
    return this.#ready;
  }

  report(component: string, message: string) {
    if (this.#problems.get(component)?.message === message) return;
    this.#problems.set(component, { component, message, since: new Date().toISOString() });
  }

  clear(component: string) {
    this.#problems.delete(component);
  }

  problem(component: string) {
    return this.#problems.get(component);
  }

  problems() {
    return [...this.#problems.values()];
  }
}
