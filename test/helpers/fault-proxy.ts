/**
 * A test-only HTTP proxy on 127.0.0.1 that sits between the SDK (its `endpoint`) and moto_server and
 * injects faults at configurable, seeded rates: IAM/STS throttling (HTTP 400 with the query-protocol
 * XML error `Throttling`; JSON-protocol services get `TooManyRequestsException`), HTTP 500/503,
 * connection resets (before the request reaches moto, or after moto ran it so only the answer is
 * lost), answers held past the SDK's timeout, truncated bodies, and a web page instead of AWS's answer
 * (HTTP 500 text/html, as moto_server gives for an operation it lacks, or a proxy's error page). Every call is attributed to an
 * account the way moto picks it (docs/aws-behaviour.md §7.5): the `x-moto-account-id` header, else the
 * account owning the signing access key, which the proxy learns from the AssumeRole and
 * CreateAccessKey answers passing through it (or from `registerAccessKey`), else moto's default.
 * An AssumeRole call itself counts for the account of the role it names (the member being
 * audited), not for the caller's.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
  Agent,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { seededRandom } from '../../bench/seeded-random.ts';
import { MOTO_DEFAULT_ACCOUNT } from './moto.ts';

/**
 * For an in-process SDK client behind the proxy in a test about what retries do, not how long they
 * wait: the SDK's standard strategy (the same attempts, the same retry quota) with no backoff between
 * attempts. The default backoff waits up to 0.5 s x 2^n per throttled attempt, and 20% throttling
 * kept these tests waiting most of their time.
 */
export function retryWithoutBackoff(maxAttempts: number): ConfiguredRetryStrategy {
  return new ConfiguredRetryStrategy(maxAttempts, () => 0);
}

export type FaultKind =
  | 'throttle'
  | 'serverError'
  | 'reset'
  | 'resetAfter'
  | 'delay'
  | 'truncate'
  | 'webPage';
export const FAULT_KINDS: readonly FaultKind[] = [
  'throttle',
  'serverError',
  'reset',
  'resetAfter',
  'delay',
  'truncate',
  'webPage',
];

/** Probabilities (0..1) per call; they are tried in FAULT_KINDS order and at most one applies. */
export type FaultRates = Partial<Record<FaultKind, number>>;

export interface FaultProxyOptions {
  /** moto_server's base URL, e.g. http://127.0.0.1:5000 */
  target: string;
  seed?: number;
  /** Rates for every account without its own entry in `accounts`. */
  rates?: FaultRates;
  /** Per-account rates, replacing `rates` for that account (`{ '111111111111': { serverError: 1 } }`). */
  accounts?: Record<string, FaultRates>;
  /** Only calls for which this returns true can be faulted (default: all but moto's own /moto-api). */
  eligible?: (call: ProxiedCall) => boolean;
  /** How long a `delay` fault holds the answer (set it past the SDK's request timeout). */
  delayMs?: number;
  /** Latency added to every call, faulted or not (the load benchmark's 50 ms). */
  latencyMs?: number;
  /**
   * The name of the random stream an account's calls draw their faults from (default: the account
   * ID). moto invents member account IDs, so a test that wants the same faults in every run names
   * the streams after something stable (`member-7`).
   */
  streamOf?: (account: string) => string;
}

export interface ProxiedCall {
  account: string;
  /** `iam:ListUsers`, `organizations:ListAccounts`, … (`?` when the proxy cannot tell). */
  operation: string;
  accessKeyId?: string;
  method: string;
  path: string;
}

export interface FaultProxy {
  /** The endpoint to give the SDK. */
  url: string;
  /** Calls seen per account (every attempt, faulted or not). */
  callsByAccount(): Map<string, number>;
  /** Calls seen per account and operation. */
  callsByOperation(): Map<string, Map<string, number>>;
  /** Faults injected per account and kind. */
  faultsByAccount(): Map<string, Record<FaultKind, number>>;
  totalCalls(): number;
  /** The most accounts that had a call in the proxy at the same moment. */
  mostAccountsInFlight(): number;
  /** `delay` faults whose caller hung up before the answer came (the SDK's timeout fired). */
  abandonedDelays(): number;
  /** Changes the rates from now on (counters and fault streams are kept). */
  configure(
    options: Partial<Pick<FaultProxyOptions, 'rates' | 'accounts' | 'delayMs' | 'latencyMs' | 'eligible'>>,
  ): void;
  registerAccessKey(accessKeyId: string, account: string): void;
  /**
   * Clears the counters and restarts every account's fault stream: the n-th call an account makes
   * after a reset meets the same fault (or none) as its n-th call after any other reset.
   */
  resetCounters(): void;
  close(): Promise<void>;
}

const IAM_XMLNS: Record<string, string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

/** Reads the SigV4 credential scope: `Credential=AKID/20261123/us-east-1/iam/aws4_request`. */
function parseAuthorization(header: string | undefined): { accessKeyId?: string; service?: string } {
  const m = /Credential=([^/,\s]+)\/\d{8}\/[^/]+\/([^/]+)\//.exec(header ?? '');
  return m ? { accessKeyId: m[1], service: m[2] } : {};
}

function operationOf(req: IncomingMessage, body: Buffer, service: string | undefined): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return `${service ?? '?'}:${target.split('.').pop()}`;
  const action =
    /(?:^|&)Action=([A-Za-z0-9]+)/.exec(body.toString('latin1'))?.[1] ??
    /[?&]Action=([A-Za-z0-9]+)/.exec(req.url ?? '')?.[1];
  return `${service ?? '?'}:${action ?? `${req.method} ${(req.url ?? '').split('?')[0]}`}`;
}

function isJsonProtocol(req: IncomingMessage): boolean {
  return typeof req.headers['x-amz-target'] === 'string';
}

/** A small string hash (FNV-1a) to derive one random stream per account from the seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function errorBody(
  req: IncomingMessage,
  service: string | undefined,
  code: string,
  message: string,
): {
  contentType: string;
  body: string;
} {
  if (isJsonProtocol(req)) {
    return { contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: code, message }) };
  }
  const xmlns = IAM_XMLNS[service ?? ''] ?? IAM_XMLNS.iam!;
  return {
    contentType: 'text/xml',
    body: `<ErrorResponse xmlns="${xmlns}"><Error><Type>${code === 'Throttling' ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`,
  };
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  let settings = {
    rates: options.rates ?? {},
    accounts: options.accounts ?? {},
    delayMs: options.delayMs ?? 10_000,
    latencyMs: options.latencyMs ?? 0,
    eligible: options.eligible ?? ((call: ProxiedCall) => !call.path.startsWith('/moto-api')),
  };
  const seed = options.seed ?? 1;
  const keyAccounts = new Map<string, string>();
  const randoms = new Map<string, () => number>();
  const calls = new Map<string, Map<string, number>>();
  const faults = new Map<string, Record<FaultKind, number>>();
  const sockets = new Set<Socket>();
  let abandoned = 0;
  const inFlight = new Map<string, number>();
  let mostAccountsInFlight = 0;
  const timers = new Set<NodeJS.Timeout>();
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const streamOf = options.streamOf ?? ((account: string) => account);
  const randomFor = (account: string) => {
    let r = randoms.get(account);
    if (!r) {
      r = seededRandom(seed ^ hash(streamOf(account)));
      randoms.set(account, r);
    }
    return r;
  };
  const sleep = (ms: number) =>
    new Promise<void>((ok) => {
      const t = setTimeout(() => {
        timers.delete(t);
        ok();
      }, ms);
      timers.add(t);
    });

  function pickFault(call: ProxiedCall): FaultKind | undefined {
    if (!settings.eligible(call)) return undefined;
    const rates = settings.accounts[call.account] ?? settings.rates;
    const roll = randomFor(call.account)();
    let threshold = 0;
    for (const kind of FAULT_KINDS) {
      threshold += rates[kind] ?? 0;
      if (roll < threshold) return kind;
    }
    return undefined;
  }

  function count(call: ProxiedCall, fault: FaultKind | undefined) {
    const ops = calls.get(call.account) ?? new Map<string, number>();
    calls.set(call.account, ops);
    ops.set(call.operation, (ops.get(call.operation) ?? 0) + 1);
    if (fault) {
      let f = faults.get(call.account);
      if (!f) {
        f = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
        faults.set(call.account, f);
      }
      f[fault]++;
    }
  }

  /** Learns which account a new key belongs to from the answers moto gives. */
  function learnKeys(call: ProxiedCall, responseBody: string) {
    if (call.operation.endsWith(':AssumeRole') || call.operation.endsWith(':AssumeRoleWithWebIdentity')) {
      const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(responseBody)?.[1];
      const account = /<Arn>arn:aws[\w-]*:sts::(\d{12}):assumed-role\//.exec(responseBody)?.[1];
      if (key && account) keyAccounts.set(key, account);
    } else if (call.operation === 'iam:CreateAccessKey') {
      const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(responseBody)?.[1];
      if (key) keyAccounts.set(key, call.account);
    }
  }

  function forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    return new Promise((ok, fail) => {
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'content-length': String(body.length) },
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            ok({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', fail);
        },
      );
      upstream.on('error', fail);
      upstream.end(body);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const { accessKeyId, service } = parseAuthorization(req.headers.authorization);
    const headerAccount = req.headers['x-moto-account-id'];
    // AssumeRole is made for the account whose role it names: count (and fault) it there.
    const roleAccount = /(?:^|&)RoleArn=arn%3Aaws[\w-]*%3Aiam%3A%3A(\d{12})%3A/.exec(
      body.toString('latin1'),
    )?.[1];
    const account =
      roleAccount ??
      (typeof headerAccount === 'string' ? headerAccount : undefined) ??
      (accessKeyId ? keyAccounts.get(accessKeyId) : undefined) ??
      MOTO_DEFAULT_ACCOUNT;
    const call: ProxiedCall = {
      account,
      operation: operationOf(req, body, service),
      accessKeyId,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
    };
    const fault = pickFault(call);
    count(call, fault);
    inFlight.set(account, (inFlight.get(account) ?? 0) + 1);
    mostAccountsInFlight = Math.max(mostAccountsInFlight, inFlight.size);
    try {
      await answer(req, res, call, fault, body, service);
    } finally {
      const left = inFlight.get(account)! - 1;
      if (left === 0) inFlight.delete(account);
      else inFlight.set(account, left);
    }
  }

  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    call: ProxiedCall,
    fault: FaultKind | undefined,
    body: Buffer,
    service: string | undefined,
  ) {
    const { account } = call;
    if (settings.latencyMs > 0) await sleep(settings.latencyMs);

    if (fault === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === 'throttle' || fault === 'serverError') {
      const [status, code, message] =
        fault === 'throttle'
          ? [400, isJsonProtocol(req) ? 'TooManyRequestsException' : 'Throttling', 'Rate exceeded']
          : randomFor(account)() < 0.5
            ? [500, 'InternalFailure', 'injected by the fault proxy']
            : [503, 'ServiceUnavailable', 'injected by the fault proxy'];
      const err = errorBody(req, service, code, message);
      res.writeHead(status, {
        'content-type': err.contentType,
        'content-length': Buffer.byteLength(err.body),
        'x-amzn-requestid': 'fault-proxy',
        ...(isJsonProtocol(req) ? { 'x-amzn-query-error': `${code};Sender` } : {}),
      });
      res.end(err.body);
      return;
    }

    if (fault === 'webPage') {
      const page =
        '<!doctype html>\n<html><head><title>500 Internal Server Error</title></head><body></body></html>\n';
      res.writeHead(500, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(page),
      });
      res.end(page);
      return;
    }

    const answer = await forward(req, body);
    learnKeys(call, answer.body.toString('utf8'));
    if (fault === 'resetAfter') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === 'delay') {
      await sleep(settings.delayMs);
      if (req.socket.destroyed) {
        abandoned++;
        return;
      }
    }
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    if (fault === 'truncate') {
      // The promised length never arrives: half the body, then the connection drops.
      res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)), () => req.socket.destroy());
      return;
    }
    res.end(answer.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (res.headersSent || req.socket.destroyed) return;
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: upstream failed: ${e.message}`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    callsByAccount: () =>
      new Map([...calls].map(([a, ops]) => [a, [...ops.values()].reduce((x, y) => x + y, 0)])),
    callsByOperation: () => new Map([...calls].map(([a, ops]) => [a, new Map(ops)])),
    faultsByAccount: () => new Map([...faults].map(([a, f]) => [a, { ...f }])),
    totalCalls: () =>
      [...calls.values()].reduce((n, ops) => n + [...ops.values()].reduce((x, y) => x + y, 0), 0),
    configure(next) {
      settings = {
        ...settings,
        ...Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)),
      };
    },
    abandonedDelays: () => abandoned,
    mostAccountsInFlight: () => mostAccountsInFlight,
    registerAccessKey: (key, account) => {
      keyAccounts.set(key, account);
    },
    resetCounters() {
      calls.clear();
      faults.clear();
      randoms.clear();
      abandoned = 0;
      mostAccountsInFlight = inFlight.size;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
