/**
 * The schedule domain's records. A shift change is stored as absolute
 * intervals (epoch ms) per team and position, never as "week 3 of the
 * rotation", so editing the rotation in muster.yaml never shifts or drops it.
 */

export type Position = 'primary' | 'backup';
export const POSITIONS: readonly Position[] = ['primary', 'backup'];

/**
 * cover: someone holds the position for an interval in place of the rotation.
 * swap: two people trade shifts; pending until the other person decides.
 * take: someone takes the position now (e.g. while the holder is busy in an incident).
 */
export type ChangeKind = 'cover' | 'swap' | 'take';
export type ChangeStatus = 'pending' | 'accepted' | 'declined' | 'cancelled';

/** Pending and accepted changes hold their intervals: new requests must not overlap them. */
export const OPEN_STATUSES: readonly ChangeStatus[] = ['pending', 'accepted'];

/** One interval [start, end) during which `person` holds the change's team and position. */
export interface ShiftLeg {
  start: number;
  end: number;
  person: string;
  /** Who held it by the rotation when the change was made (for notices; may be stale later). */
  replaces?: string;
}

export interface ShiftChange {
  /** "CHG-12": short enough to type in `/oncall cancel CHG-12`. */
  id: string;
  team: string;
  position: Position;
  kind: ChangeKind;
  status: ChangeStatus;
  /** A cover or take has one leg; a swap has two (each person's shift given to the other). */
  legs: ShiftLeg[];
  requestedBy: string;
  requestedAt: number;
  reason?: string;
  /** For a swap: the person who must accept or decline. */
  counterpart?: string;
  decidedBy?: string;
  decidedAt?: number;
  /** Bumped on every write; the store refuses a write made from an older read. */
  version: number;
}

export const changeId = (n: number): string => `CHG-${n}`;

/** "chg-12", "CHG12", "12" → "CHG-12"; undefined when it is not a change id. */
export function normaliseChangeId(text: string): string | undefined {
  const match = /^(?:chg-?)?(\d+)$/i.exec(text.trim());
  return match ? changeId(Number(match[1])) : undefined;
}

export function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** The legs of `change` that overlap any leg of `other` (same team and position assumed). */
export function changesOverlap(change: ShiftChange, other: ShiftChange): boolean {
  if (change.team !== other.team || change.position !== other.position) return false;
  return change.legs.some((leg) => other.legs.some((theirs) => overlaps(leg, theirs)));
}

export const changeEnd = (change: ShiftChange): number => Math.max(...change.legs.map((leg) => leg.end));
export const changeStart = (change: ShiftChange): number => Math.min(...change.legs.map((leg) => leg.start));
