import type { Clock } from './ports.js';

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: unit tests play a 15-minute muster instantly. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.UTC(2026, 10, 2, 9, 0, 0)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(at: number): void {
    this.current = at;
  }
}
