/**
 * Which AWS operation failed: an SDK middleware that writes the operation's name onto the error of a
 * call that failed, so that a failure the service did not explain itself (an endpoint that answered
 * with a web page, an emulator without the operation) can still say which call it was.
 *
 *   nameFailedCalls(client)   // every operation's failure carries its name
 *   failedOperation(e)        // 'ListServiceSpecificCredentials', or undefined
 */
import type { MiddlewareClient } from './call-counter.ts';

const OPERATION = Symbol('credsweep.failedOperation');

/** Adds the naming middleware to `client`; returns the client. */
export function nameFailedCalls<C>(client: C): C {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (e) {
        if (typeof e === 'object' && e !== null && !(OPERATION in e)) {
          const operation = (context.commandName ?? '').replace(/Command$/, '');
          if (operation) Object.defineProperty(e, OPERATION, { value: operation });
        }
        throw e;
      }
    },
    { step: 'initialize', name: 'credsweepFailedCallName', override: true },
  );
  return client;
}

/** The operation whose failure `e` is, when it came through a client with the middleware. */
export function failedOperation(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const operation = (e as { [OPERATION]?: unknown })[OPERATION];
  return typeof operation === 'string' ? operation : undefined;
}
