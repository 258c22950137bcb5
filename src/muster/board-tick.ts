import type { Incident } from '../incidents/types.js';
import type { MusterContext } from '../kernel/context.js';
import type { Effects } from '../kernel/effects.js';
import type { Timer } from '../ports.js';
import type { IncidentTimerKind } from '../timers/registry.js';

const MINUTE = 60_000;

/**
 * The board's countdown ("Assembly deadline 10:42:00, in 12 min") is true as
 * of its drawing, and the board is drawn when the record changes. While the
 * team assembles (roles missing, deadline ahead), one timer stands for the
 * next moment that countdown changes: a whole minute before the deadline
 * (`deadline - k min`, the moment "in k+1 min" becomes "in k min"). The
 * deadline itself is the deadline timer's, whose breach commit redraws the
 * board saying it passed.
 *
 * Why one timer a minute, each firing a commit: a board is redrawn only for
 * a newer record version (src/delivery/delivery.ts), so every redraw costs a
 * commit anyway, and recording the tick in that same commit (`boardTickAt`)
 * is what lets the record, alone, name the next tick for the reconciler. A
 * timer per minute mark scheduled up front would need the same commits to
 * tell fired marks from lost ones, plus fourteen jobs per declare.
 * Deterministic ids (deadline epoch and mark, never `now`) make scheduling it
 * twice harmless; an ack that staffs the last role, a breach or a resolve
 * leaves no tick expected, so that commit cancels the pending one.
 */
function expected(incident: Incident): Timer[] {
  const deadline = incident.assembleDeadlineAt;
  if (incident.status !== 'assembling' || incident.breachedAt !== undefined || deadline === undefined) return [];
  const mark = minutesBefore(deadline, incident.boardTickAt ?? incident.declaredAt);
  if (mark < 1) return [];
  return [{
    id: `boardtick-${incident.id}-e${incident.deadlineEpoch}-m${mark}`,
    dueAt: deadline - mark * MINUTE,
    incident: incident.id,
    kind: 'board-tick',
    key: 'countdown',
    epoch: incident.deadlineEpoch,
  }];
}

/** The first whole minute before the deadline strictly after `drawnAt`, as minutes before it (0: none left). */
function minutesBefore(deadline: number, drawnAt: number): number {
  return Math.ceil((deadline - drawnAt) / MINUTE) - 1;
}

/**
 * Redraws the board and records when, so the next mark is expected. Fenced by
 * being the very tick the record expects. A tick fired late (every replica
 * was down) draws once and moves on to the first mark after now, instead of
 * catching up minute by minute.
 */
function fire(_ctx: MusterContext, fx: Effects, timer: Timer): void {
  if (expected(fx.incident)[0]?.id !== timer.id) return;
  fx.incident.boardTickAt = fx.now;
  fx.refreshBoard();
}

export const boardTickTimer: IncidentTimerKind = { kind: 'board-tick', scope: 'incident', expected, fire };
