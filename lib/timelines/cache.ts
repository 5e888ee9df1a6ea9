import type { TTimeline } from "./types";

/**
 * Built timelines kept in this process, each with the fingerprint of the
 * rows it was built from (`selectTimelineFingerprint`). During an incident
 * review the same timeline is read again and again (the incident page, the
 * postmortem, the timeline API, every responder's refresh) while nothing
 * changes; a read whose fingerprint matches skips reading and building.
 * A cached timeline is frozen: callers share it and cannot change it.
 * Bounded by entries and by events in total, least recently used first out.
 */

const MAX_ENTRIES = 16;
const MAX_EVENTS = 150_000;

type TEntry = { fingerprint: string; timeline: TTimeline };

const entries = new Map<string, TEntry>();
let events = 0;

function freeze(o: object | null): void {
  if (o !== null && !Object.isFrozen(o)) Object.freeze(o);
}

/** Freeze a timeline and everything in it, by its known shape (a generic walk allocates per object and costs several times more). */
function freezeTimeline(t: TTimeline): TTimeline {
  for (const e of t.events) {
    freeze(e.source);
    freeze(e.flags);
    freeze(e.marks);
    freeze(e.tags);
    for (const l of e.links) freeze(l);
    freeze(e.links);
    freeze(e.mentions);
    freeze(e.alert);
    freeze(e.execution);
    Object.freeze(e);
  }
  for (const g of t.gaps) Object.freeze(g);
  for (const g of t.threads) {
    Object.freeze(g.eventIds);
    Object.freeze(g);
  }
  for (const o of [t.events, t.gaps, t.threads, t.channel, t.range]) freeze(o);
  return Object.freeze(t);
}

/** The timeline cached under `key` when it was built from rows with this fingerprint. */
export function cachedTimeline(key: string, fingerprint: string): TTimeline | undefined {
  const e = entries.get(key);
  if (!e) return undefined;
  entries.delete(key);
  if (e.fingerprint !== fingerprint) {
    events -= e.timeline.events.length;
    return undefined;
  }
  entries.set(key, e); // most recently used last
  return e.timeline;
}

/** Keep `timeline` (built from rows with `fingerprint`) under `key`; returns it frozen. */
export function cacheTimeline(key: string, fingerprint: string, timeline: TTimeline): TTimeline {
  const old = entries.get(key);
  if (old) {
    entries.delete(key);
    events -= old.timeline.events.length;
  }
  const frozen = freezeTimeline(timeline);
  if (timeline.events.length > MAX_EVENTS) return frozen;
  entries.set(key, { fingerprint, timeline: frozen });
  events += timeline.events.length;
  for (const [k, e] of entries) {
    if (entries.size <= MAX_ENTRIES && events <= MAX_EVENTS) break;
    entries.delete(k);
    events -= e.timeline.events.length;
  }
  return frozen;
}

/** Forget every cached timeline. */
export function clearTimelineCache(): void {
  entries.clear();
  events = 0;
}
