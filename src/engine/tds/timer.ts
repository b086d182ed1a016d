/**
 * TimerLike: the timers a backend polls, pings or reconnects with. The globals by default, which
 * Workers, Durable Objects (while awake), Deno, Node and browsers all have; tests pass a timer
 * they fire by hand, so no test waits for real time.
 */
export interface TimerLike {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `setTimeout` / `clearTimeout` of the global scope. */
export const globalTimer: TimerLike = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
