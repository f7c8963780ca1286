import { describe, expect, it } from 'vitest';
import { htmlToLine, htmlToText, truncateOnWord } from './html-text.ts';

describe('htmlToText', () => {
  it('turns blocks into lines, decodes entities, drops scripts and styles', () => {
    const html = `<h1>Title&nbsp;here</h1><p>One   &amp; <b>two</b>\n three</p><script>alert("x")</script>
      <style>p{color:red}</style><ul><li>a</li><li>b&lt;c</li></ul>x<br>y<div>caf&eacute; &#x1F600;</div>`;
    expect(htmlToText(html)).toBe('Title here\nOne & two three\na\nb<c\nx\ny\ncafé 😀');
  });

  it('keeps inline elements inline and handles plain text and empty input', () => {
    expect(htmlToText('a<span>b</span><em> c</em>')).toBe('ab c');
    expect(htmlToText('just text')).toBe('just text');
    expect(htmlToText('')).toBe('');
    expect(htmlToText('<p dir="rtl">مرحبا <b>بالعالم</b></p>')).toBe('مرحبا بالعالم');
  });
});

describe('truncateOnWord', () => {
  it('returns short text unchanged', () => {
    expect(truncateOnWord('hello world', 11)).toBe('hello world');
  });

  it('cuts at a word boundary and appends an ellipsis', () => {
    expect(truncateOnWord('hello wonderful world', 12)).toBe('hello…');
    expect(truncateOnWord('hello wonderful world', 16)).toBe('hello wonderful…');
    expect(truncateOnWord('one, two three', 9)).toBe('one, two…');
    expect(truncateOnWord('one, two three', 6)).toBe('one…');
    for (let n = 1; n < 30; n++)
      expect(truncateOnWord('the quick brown fox jumps over it', n).length).toBeLessThanOrEqual(n);
  });

  it('cuts a single overlong word hard', () => {
    expect(truncateOnWord('abcdefghijkl', 5)).toBe('abcd…');
  });

  it('never splits a surrogate pair', () => {
    const s = '😀😀😀😀😀';
    for (let n = 1; n <= 10; n++) {
      const out = truncateOnWord(s, n);
      expect(out.length).toBeLessThanOrEqual(n);
      expect(out).not.toMatch(
        /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
      );
    }
  });

  it('works for Arabic', () => {
    const ar = 'أعلنت وزارة الدفاع الأذربيجانية سيطرتها على مدينة جديدة في إقليم قره باغ';
    const out = truncateOnWord(ar, 30);
    expect(out.length).toBeLessThanOrEqual(30);
    expect(out.endsWith('…')).toBe(true);
    expect(ar.startsWith(out.slice(0, -1))).toBe(true);
    expect(ar.charAt(out.length - 1)).toBe(' ');
  });
});

describe('htmlToLine', () => {
  it('is htmlToText with its whitespace collapsed to single spaces', () => {
    for (const html of [
      '<p>One\n two</p><p>three&nbsp; four</p>',
      '<div> <ul><li>a</li><li>b\r\n c</li></ul>tail<br>end </div>',
      '<p>مرحبا\u2028 بالعالم</p>\t<p>\u00a0</p><script>x()</script>',
      'plain text',
      '',
    ])
      expect(htmlToLine(html)).toBe(htmlToText(html).replace(/\s+/g, ' ').trim());
  });
});
