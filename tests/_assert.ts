/**
 * Small assertion helpers for the tests, on top of `node:assert/strict` (built into Deno).
 * Named like `@std/assert` so they read familiarly.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** Asserts `fn` throws an instance of `ErrorClass` and returns it. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass: new (...args: any[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${error}`);
    if (includes) {
      assert.ok(error.message.includes(includes), `'${error.message}' lacks '${includes}'`);
    }
    return error;
  }
  throw new assert.AssertionError({ message: `expected ${ErrorClass.name} to be thrown` });
}

/** Asserts the promise from `fn` rejects with an instance of `ErrorClass` and returns it. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  ErrorClass: new (...args: any[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${error}`);
    if (includes) {
      assert.ok(error.message.includes(includes), `'${error.message}' lacks '${includes}'`);
    }
    return error;
  }
  throw new assert.AssertionError({ message: `expected ${ErrorClass.name} to be rejected` });
}

export { assert };
