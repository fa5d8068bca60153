/**
 * The report cutter (src/audit/report-workers/cut-report.ts): where a credential report may be cut
 * into parts that worker threads audit alone. A cut lies only where the account changes between two
 * whole, unquoted lines, at an even quote count, and never inside a quoted field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countLineBreaks,
  findAccountCut,
  readReportStart,
  type ReportStart,
} from '../../../src/audit/report-workers/cut-report.ts';

const HEADER = 'user,arn,user_creation_time,password_enabled';
const row = (name: string, account: string) =>
  `${name},arn:aws:iam::${account}:user/${name},2020-01-01T00:00:00+00:00,false`;
const START: ReportStart = { header: HEADER.split(','), newline: '\n', arnColumn: 1 };
const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('readReportStart', () => {
  it('reads the header, its line end and the arn column', () => {
    assert.deepEqual(readReportStart(bytes(`${HEADER}\n${row('a', '111')}\n`)), START);
    assert.deepEqual(readReportStart(bytes(`x,${HEADER}\r\n`)), {
      header: `x,${HEADER}`.split(','),
      newline: '\r\n',
      arnColumn: 2,
    });
  });
  it('skips a UTF-8 byte-order mark', () => {
    assert.deepEqual(readReportStart(bytes(`\uFEFF${HEADER}\n`)), START);
  });
  const serial: [string, Uint8Array][] = [
    ['UTF-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n`, 'utf16le')])],
    ['a quoted header', bytes(`"user",arn\n`)],
    ['old Mac line ends', bytes(`${HEADER}\r${row('a', '111')}\r`)],
    ['no line end yet', bytes(HEADER)],
    ['no arn column', bytes('user,password_enabled\n')],
    ['a blank first line', bytes(`\n${HEADER}\n`)],
  ];
  for (const [what, head] of serial) {
    it(`leaves ${what} to the serial parser`, () => assert.equal(readReportStart(head), undefined));
  }
});

describe('findAccountCut', () => {
  const text = [HEADER, row('a', '111'), row('b', '111'), row('c', '222'), row('d', '222'), ''].join('\n');
  const lineStart = (n: number) => text.split('\n').slice(0, n).join('\n').length + 1;

  it('cuts at the first line of a new account at or after `from`', () => {
    assert.equal(findAccountCut(bytes(text), 1, START), lineStart(3));
    assert.equal(findAccountCut(bytes(text), lineStart(3), START), lineStart(3));
  });
  it('never between two rows of one account (duplicates merge within it)', () => {
    assert.equal(findAccountCut(bytes(text), lineStart(3) + 1, START), -1);
    const dup = [HEADER, row('a', '111'), row('a', '111'), row('a', '111'), ''].join('\n');
    assert.equal(findAccountCut(bytes(dup), 1, START), -1);
  });
  it('needs the line after the cut complete', () => {
    const partial = text.slice(0, lineStart(3) + 5);
    assert.equal(findAccountCut(bytes(partial), 1, START), -1);
  });
  it('not inside a quoted field that holds line breaks and rows of other accounts', () => {
    const quoted = [
      HEADER,
      `"a\n${row('x', '999')}\n${row('y', '888')}\nz",arn:aws:iam::111:user/a,t,false`,
      row('b', '222'),
      row('c', '333'),
      '',
    ].join('\n');
    assert.equal(findAccountCut(bytes(quoted), 1, START), quoted.indexOf(row('c', '333')));
  });
  it('not beside a line with a quote (its cells are not read by commas)', () => {
    const quoted = [
      HEADER,
      row('a', '111'),
      `"b,c",arn:aws:iam::222:user/b,t,false`,
      row('d', '333'),
      row('e', '444'),
      '',
    ].join('\n');
    assert.equal(findAccountCut(bytes(quoted), 1, START), quoted.indexOf(row('e', '444')));
  });
  it('not after a blank line or a line that is no record', () => {
    const gaps = [
      HEADER,
      row('a', '111'),
      '',
      row('b', '222'),
      'junk',
      row('c', '333'),
      row('d', '444'),
      '',
    ].join('\n');
    assert.equal(findAccountCut(bytes(gaps), 1, START), gaps.indexOf(row('d', '444')));
  });
  it('in a CRLF report, only after \\r\\n (a bare \\n is inside a record there)', () => {
    const crlf = `${HEADER}\r\n${row('a', '111')}\n${row('b', '222')}\r\n${row('c', '333')}\r\n`;
    const start = { ...START, newline: '\r\n' as const };
    assert.equal(findAccountCut(bytes(crlf), 1, start), crlf.indexOf(row('c', '333')));
  });
  it('reads the arn cell trimmed, as the parser does', () => {
    const spaced = [
      HEADER,
      `a, arn:aws:iam::111:user/a ,t,false`,
      `b,arn:aws:iam::111:user/b,t,false`,
      row('c', '2'),
      '',
    ].join('\n');
    assert.equal(findAccountCut(bytes(spaced), 1, START), spaced.indexOf(row('c', '2')));
  });
});

describe('countLineBreaks', () => {
  it('counts \\n in a range (CRLF lines count once)', () => {
    assert.equal(countLineBreaks(bytes('a\r\nb\nc\r\n')), 3);
    assert.equal(countLineBreaks(bytes('a\nb\nc\n'), 2, 4), 1);
  });
});
