/**
 * Which AWS operation failed: an SDK middleware that writes the operation's name onto the error of a
 * call that failed, so that a failure the service did not explain itself (an endpoint that answered
 * with a web page, an emulator without the operation) can still say which call it was.
 *
 *   nameFailedCalls(client)   // every operation's failure carries its name
 *   failedOperation(e)        // 'ListServiceSpecificCredentials', or undefined
 *   failedAwsCall(e)          // the same, only when AWS's answer or the network failed it
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

/**
 * The operation, when `e` is its failure on AWS's side or on the way there: an answer (the SDK's
 * `$metadata`, `$response` or `$fault`), the network or the system (an errno), a timeout. Not
 * JavaScript's own errors raised inside the call (a TypeError in a credentials provider or a
 * middleware is a bug, named or not).
 */
export function failedAwsCall(e: unknown): string | undefined {
  const operation = failedOperation(e);
  if (operation === undefined) return undefined;
  const err = e as {
    $metadata?: unknown;
    $response?: unknown;
    $fault?: unknown;
    errno?: unknown;
    name?: unknown;
  };
  // (an answer the SDK could not parse is a SyntaxError with the $response: AWS's side, not ours)
  if (err.$metadata !== undefined || err.$response !== undefined || err.$fault !== undefined)
    return operation;
  if (
    e instanceof TypeError ||
    e instanceof RangeError ||
    e instanceof ReferenceError ||
    e instanceof SyntaxError
  )
    return undefined;
  return typeof err.errno === 'number' || err.name === 'TimeoutError' ? operation : undefined;
}
