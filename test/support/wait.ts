// Polling for a condition that another process makes true.

/** Resolves once `cond` holds (checked every 50 ms); fails naming `what` after `ms`. */
export async function waitFor(cond: () => Promise<boolean>, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The value `read` returns once it stopped changing: the same twice in a row, `quietMs` apart
 * (e.g. the sessions at Twilio while requests sent before a kill still land).
 */
export async function settledValue<T>(
  read: () => Promise<T>,
  what: string,
  quietMs = 400,
  ms = 60_000,
): Promise<T> {
  let last: T | undefined;
  let seen = false;
  let value!: T;
  await waitFor(
    async () => {
      value = await read();
      const stable = seen && value === last;
      last = value;
      seen = true;
      if (!stable) await new Promise((r) => setTimeout(r, quietMs));
      return stable;
    },
    what,
    ms,
  );
  return value;
}
