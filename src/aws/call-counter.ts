/**
 * Counts AWS API calls with an SDK middleware, for the benchmark and for `--verbose`-style
 * diagnostics.
 *
 *   const counter = new AwsCallCounter();
 *   countCalls(client, counter)        // every operation the client sends is counted once
 *   counter.total, counter.byOperation  // e.g. { 'IAM:ListUsers': 3 }
 *
 * One count per operation (initialize step), not per HTTP attempt: retries are the SDK's business.
 */
export class AwsCallCounter {
  total = 0;
  readonly byOperation = new Map<string, number>();

  record(operation: string): void {
    this.total += 1;
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
  }
}

/** The part of an SDK v3 client a middleware is added through. */
export interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/** Adds the counting middleware to `client` (no-op without a counter); returns the client. */
export function countCalls<C>(client: C, counter: AwsCallCounter | undefined): C {
  if (!counter) return client;
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      counter.record(`${service}:${operation}`);
      return next(args);
    },
    { step: 'initialize', name: 'credsweepCallCounter', override: true },
  );
  return client;
}
