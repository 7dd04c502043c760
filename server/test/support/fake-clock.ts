import type { Clock } from '../../src/domain/clock.ts';

/** A clock tests move by hand: timers become deterministic, nobody sleeps. */
export class FakeClock implements Clock {
  constructor(private t = Date.now()) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
