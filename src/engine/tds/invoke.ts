/**
 * Calling into a backend safely: a method that throws, or that returns a promise which rejects
 * (an `async` implementation), reports through the failure path instead of escaping into the
 * engine. Results of one-shot calls are taken once (the first callback wins).
 */
import type { FailureCallback } from "./backend.ts";

/** Calls `call()`; a throw or a rejected returned promise goes to `onFailure`. */
export function invokeBackend<R>(call: () => R, onFailure: FailureCallback): R | undefined {
  let r: R;
  try {
    r = call();
  } catch (e) {
    onFailure(e);
    return undefined;
  }
  const then = (r as { then?: unknown } | null | undefined)?.then;
  if (typeof then === "function") (r as Promise<unknown>).then(undefined, onFailure);
  return r;
}

/** Wraps a pair of callbacks so that only the first call of either has an effect. */
export function oneShot<A extends unknown[]>(
  onResult: (...args: A) => void,
  onFailure: FailureCallback,
): { result: (...args: A) => void; failure: FailureCallback } {
  let done = false;
  return {
    result: (...args: A) => {
      if (done) return;
      done = true;
      onResult(...args);
    },
    failure: (e: unknown) => {
      if (done) return;
      done = true;
      onFailure(e);
    },
  };
}
