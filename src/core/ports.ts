import type { Incident, NewTimelineEntry, TimelineEntry } from './types.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A small JSON document kept by the store; `write()` resolves once the data is on disk. */
export interface StoredDocument<T> {
  data: T;
  write(): Promise<void>;
}

/**
 * Where incidents and their timelines live. Every write resolves only once durable, and the
 * cost of one write must not grow with the history kept (see docs/architecture.md).
 */
export interface IncidentStore {
  loadIncidents(): Promise<Incident[]>;
  /** Stores the incident alone (an adapter's reference changed, say). */
  saveIncident(incident: Incident): Promise<void>;
  /** Stores the incident with its new timeline entries, numbered in call order, atomically. */
  commit(incident: Incident, entries: NewTimelineEntry[]): Promise<TimelineEntry[]>;
  readTimeline(incidentId: string): Promise<TimelineEntry[]>;
  /** A named document for adapters' own state (jobs, seen delivery IDs). */
  openDocument<T extends object>(name: string, defaults: T): Promise<StoredDocument<T>>;
}

/** The few logger methods the core and adapters use; pino's logger fits. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): Logger;
}
