/**
 * A local HTTP server that gives every request the same canned answer, standing in for an endpoint
 * that is not AWS (a proxy's error page, a wrong --endpoint-url) or for AWS's own error answers.
 *
 *   const server = await startCannedHttp();
 *   server.answer = { status: 500, contentType: 'text/html', body: '<html>…' };
 *   … endpoint: server.endpoint …
 *   await server.close();
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CannedAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface CannedHttp {
  endpoint: string;
  answer: CannedAnswer;
  close(): Promise<void>;
}

export async function startCannedHttp(): Promise<CannedHttp> {
  const canned: CannedHttp = {
    endpoint: '',
    answer: { status: 500, contentType: 'text/plain', body: 'no answer set' },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(canned.answer.status, { 'content-type': canned.answer.contentType });
      res.end(canned.answer.body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  canned.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return canned;
}
