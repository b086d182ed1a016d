/**
 * Poller: runs a task every `ms` while it is wanted, never two runs at once. `now()` runs it at
 * once (or right after the run in progress) and settles with that run, which is how a new
 * subscription gets a fresh listing and how tests step polls without waiting. R2Backend keeps
 * one per table.
 */
import type { TimerLike } from "./timer.ts";

export interface PollerOptions {
  /** ms between the end of one run and the start of the next. */
  ms: number;
  timer: TimerLike;
  /** Whether to keep polling (checked when a run ends and when asked to stop). */
  wanted: () => boolean;
  /** A run that failed (a run started by `now()` also rejects its promise). */
  onError: (e: unknown) => void;
  /** A run that succeeded. */
  onSuccess?: () => void;
}

export class Poller {
  readonly #task: () => Promise<void>;
  readonly #options: PollerOptions;
  #handle: unknown = null;
  #running = false;
  #again = false;
  #waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(task: () => Promise<void>, options: PollerOptions) {
    this.#task = task;
    this.#options = options;
  }

  /** Runs the task now, or right after the run in progress; settles with that run. */
  now(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      if (this.#running) {
        this.#again = true;
        return;
      }
      this.#clear();
      this.#run();
    });
  }

  /** Starts polling if wanted and not already polling. */
  ensure(): void {
    if (this.#handle === null && !this.#running) this.#schedule();
  }

  /** Stops the timer when polling is no longer wanted. */
  idle(): void {
    if (!this.#options.wanted()) this.#clear();
  }

  /** Stops the timer. */
  stop(): void {
    this.#clear();
  }

  #clear(): void {
    if (this.#handle !== null) this.#options.timer.clearTimeout(this.#handle);
    this.#handle = null;
  }

  #schedule(): void {
    if (this.#handle !== null || !this.#options.wanted()) return;
    this.#handle = this.#options.timer.setTimeout(() => {
      this.#handle = null;
      this.#run();
    }, this.#options.ms);
  }

  #run(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    this.#again = false;
    this.#running = true;
    this.#task()
      .then(
        () => {
          this.#options.onSuccess?.();
          for (const w of waiters) w.resolve();
        },
        (e) => {
          for (const w of waiters) w.reject(e);
          this.#options.onError(e);
        },
      )
      .finally(() => {
        this.#running = false;
        if (this.#again || this.#waiters.length > 0) this.#run();
        else this.#schedule();
      });
  }
}
