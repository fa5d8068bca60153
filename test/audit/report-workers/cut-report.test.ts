/**
 * The report cutter (src/audit/report-workers/cut-report.ts): where a credential report may be cut
 * into parts that worker threads audit alone. A cut lies only where the account changes between two
 * whole, unquoted lines, at an even quote count, and never inside a quoted field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  countLineBreaks,
  findAccountCut,
  readReportStart,
  type ReportStart,
} from '../../../src/audit/report-workers/cut-report.ts';
import { accountOfReportArn } from '../../../src/sources/credential-report/to-inventory.ts';

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
    ['UTF-16BE', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(`${HEADER}\n`, 'utf16le').swap16()])],
    ['gzip', Buffer.from([0x1f, 0x8b, ...Buffer.from(`${HEADER}\n`)])],
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

describe('findAccountCut reads the account as accountOfReportArn does', () => {
  const at = (lines: string[]) => {
    const text = [HEADER, ...lines, ''].join('\n');
    return findAccountCut(bytes(text), 1, START);
  };
  const second = (lines: string[]) => Buffer.byteLength([HEADER, lines[0]].join('\n')) + 1;
  const arnRow = (arn: string) => `u,${arn},2020-01-01T00:00:00+00:00,false`;
  const cases: [string, string, string, boolean][] = [
    ['another partition, same account', 'arn:aws:iam::111:user/a', 'arn:aws-cn:iam::111:user/b', false],
    ['partitions with more parts', 'arn:aws-us-gov:iam::1:user/a', 'arn:aws-iso-b:iam::2:user/b', true],
    ['leading zeros are another account', 'arn:aws:iam::012:user/a', 'arn:aws:iam::12:user/b', true],
    [
      'long ids, equal',
      'arn:aws:iam::1234567890123456789:user/a',
      'arn:aws:iam::1234567890123456789:u',
      false,
    ],
    [
      'long ids, unequal',
      'arn:aws:iam::1234567890123456789:user/a',
      'arn:aws:iam::1234567890123456788:u',
      true,
    ],
    ['14 and 15 digits', 'arn:aws:iam::12345678901234:user/a', 'arn:aws:iam::123456789012345:u', true],
    ['a space before, same account', ' arn:aws:iam::111:user/a', 'arn:aws:iam::111:user/b', false],
    ['a no-break space before', '\u00a0arn:aws:iam::111:user/a', 'arn:aws:iam::222:user/b', true],
    ['no colon after the id', 'arn:aws:iam::111:user/a', 'arn:aws:iam::222', false],
    ['no id', 'arn:aws:iam::111:user/a', 'arn:aws:iam:::user/b', false],
    ['an empty partition part', 'arn:aws:iam::111:user/a', 'arn:aws-:iam::222:user/b', false],
    ['an upper-case partition part', 'arn:aws:iam::111:user/a', 'arn:aws-CN:iam::222:user/b', false],
    ['not IAM', 'arn:aws:iam::111:user/a', 'arn:aws:sts::222:assumed-role/r', false],
    ['a prefix of an ARN', 'arn:aws:iam::111:user/a', 'arn:aws', false],
  ];
  for (const [what, first, next, cuts] of cases) {
    it(`${what}: ${cuts ? 'a cut' : 'no cut'}`, () => {
      const lines = [arnRow(first), arnRow(next)];
      assert.equal(at(lines), cuts ? second(lines) : -1);
      assert.equal(
        accountOfReportArn(first.trim()) !== accountOfReportArn(next.trim()) &&
          accountOfReportArn(next.trim()) !== undefined &&
          accountOfReportArn(first.trim()) !== undefined,
        cuts,
      );
    });
  }
  it('the arn in the last column, before \r\n', () => {
    const header = 'user,user_creation_time,arn';
    const start = { header: header.split(','), newline: '\r\n' as const, arnColumn: 2 };
    const text = `${header}\r\na,t,arn:aws:iam::111:user/a\r\nb,t,arn:aws:iam::222:user/b\r\n`;
    assert.equal(findAccountCut(bytes(text), 1, start), text.indexOf('b,t'));
  });

  /** The cut as specified, on text: each line's account by accountOfReportArn of its trimmed arn cell. */
  function referenceCut(buffer: Buffer, from: number, start: ReportStart): number {
    const lines: { start: number; end: number }[] = [];
    for (let s = 0; s < buffer.length; ) {
      const lf = buffer.indexOf(0x0a, s);
      if (lf === -1) break;
      lines.push({ start: s, end: lf });
      s = lf + 1;
    }
    const accountOf = (l: { start: number; end: number }) => {
      const text = buffer.toString('utf8', l.start, l.end);
      if (text.includes('"')) return undefined;
      const cells = text.split(',');
      return cells.length > start.arnColumn ? accountOfReportArn(cells[start.arnColumn]!.trim()) : undefined;
    };
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.start < from) continue;
      const quotes = [...buffer.subarray(0, line.start)].filter((b) => b === 0x22).length;
      const recordEnd = start.newline === '\n' || buffer[line.start - 2] === 0x0d;
      const account = accountOf(line);
      const previous = accountOf(lines[i - 1]!);
      if (quotes % 2 === 0 && recordEnd && account && previous && account !== previous) return line.start;
    }
    return -1;
  }

  it('equals the reference on random lines (fixed seed)', () => {
    const arn = fc.oneof(
      fc
        .constantFrom('111', '0111', '222', '12345678901234567', '12345678901234568')
        .map((id) => `arn:aws:iam::${id}:user/x`),
      fc.constantFrom(
        'arn:aws-cn:iam::111:user/x',
        ' arn:aws:iam::222:user/y ',
        '\u00a0arn:aws:iam::111:user/z',
        'arn:aws:sts::111:x',
        'arn:aws:iam::333',
        '',
        'not-an-arn',
      ),
    );
    const line = fc.oneof(
      { weight: 6, arbitrary: arn.map((a) => `u,${a},t,false`) },
      { weight: 1, arbitrary: fc.constantFrom('', 'junk', '"q,uoted",arn:aws:iam::444:user/q,t,f', 'x,"') },
    );
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 14 }),
        fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
        fc.nat(400),
        (lines, newline, from) => {
          const buffer = bytes([HEADER, ...lines, ''].join(newline));
          const start = { ...START, newline };
          assert.equal(findAccountCut(buffer, from, start), referenceCut(buffer, from, start));
        },
      ),
      { numRuns: 400, seed: 42 },
    );
  });
});

describe('countLineBreaks', () => {
  it('counts \\n in a range (CRLF lines count once)', () => {
    assert.equal(countLineBreaks(bytes('a\r\nb\nc\r\n')), 3);
    assert.equal(countLineBreaks(bytes('a\nb\nc\n'), 2, 4), 1);
  });
});
