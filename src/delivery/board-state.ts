/**
 * Where an incident's board is, and which version of the incident it shows:
 * one stored value (`board-ref:<id>` = "v2|<version>|<message ref>"), read and
 * written in one call each. Records written before this format held the bare
 * reference there and the version in `board-drawn:<id>`; they are still read.
 */
import type { IncidentStore } from '../ports.js';

export interface BoardState {
  ref?: string;
  version: number;
}

const FORMAT = 'v2|';

export const boardStateKey = (incident: string) => `board-ref:${incident}`;

export function formatBoardState(state: { ref: string; version: number }): string {
  return `${FORMAT}${state.version}|${state.ref}`;
}

export function parseBoardState(value: string | undefined): BoardState | 'legacy' {
  if (value === undefined) return { version: 0 };
  if (!value.startsWith(FORMAT)) return 'legacy';
  const rest = value.slice(FORMAT.length);
  const bar = rest.indexOf('|');
  const version = Number(rest.slice(0, bar));
  const ref = rest.slice(bar + 1);
  return { version: Number.isFinite(version) ? version : 0, ...(ref ? { ref } : {}) };
}

/** The state a stored value says (read with the board's lease); a legacy record costs one more read. */
export async function boardStateOf(store: Pick<IncidentStore, 'getValue'>, incident: string, value: string | undefined): Promise<BoardState> {
  const state = parseBoardState(value);
  if (state !== 'legacy') return state;
  const drawn = Number((await store.getValue(`board-drawn:${incident}`)) ?? '0');
  return { ref: value!, version: Number.isFinite(drawn) ? drawn : 0 };
}
