import { describe, expect, it } from 'vitest';
import { sanitizeContent, sanitizeWithImages } from './sanitize.ts';

const BASE = 'https://news.example/2020/10/story.html';

// payload, text that must not survive (case-insensitive)
const XSS: [string, RegExp][] = [
  ['<script>alert(1)</script><p>ok</p>', /script|alert/],
  ['<img src="x.png" onerror="alert(1)">', /onerror|alert/],
  ['<a href="javascript:alert(1)">x</a>', /javascript|alert/],
  ['<a href="JaVaScRiPt:alert(1)">x</a>', /javascript|alert/],
  ['<a href="jav&#x61;script:alert(1)">x</a>', /javascript|alert/],
  [
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    /javascript|alert/,
  ],
  ['<a href="java\tscript:alert(1)">x</a>', /script|alert/],
  ['<a href="  javascript:alert(1)">x</a>', /javascript|alert/],
  ['<a href="vbscript:msgbox(1)">x</a>', /vbscript|msgbox/],
  ['<svg onload="alert(1)"><circle r="1"/></svg>', /svg|onload|alert/],
  ['<iframe src="https://evil.example/x"></iframe>', /iframe|evil/],
  ['<iframe src="javascript:alert(1)"></iframe>', /iframe|alert/],
  ['<style>body{display:none}</style><p style="color:red">t</p>', /style|display|color/],
  ['<meta http-equiv="refresh" content="0;url=https://evil.example">', /meta|refresh|evil/],
  ['<base href="https://evil.example/">', /base|evil/],
  [
    '<form action="https://evil.example"><input name="q"><button>go</button></form>',
    /form|input|button|evil/,
  ],
  ['<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', /data:|base64/],
  ['<object data="x.swf"></object><embed src="x.swf">', /object|embed|swf/],
  ['<div onclick="alert(1)" onmouseover="alert(2)">t</div>', /onclick|onmouseover|alert/],
  ['<img src="data:text/html,<script>alert(1)</script>">', /data:text|script|alert/],
  ['<math><mi xlink:href="javascript:alert(1)">x</mi></math>', /javascript|alert/],
  [
    '<a href="https://ok.example/" target="_blank" style="x">fine</a><link rel="stylesheet" href="x.css">',
    /target|style|stylesheet|x\.css/,
  ],
];

describe('sanitizeContent: XSS payloads', () => {
  it.each(XSS)('%s', (payload, forbidden) => {
    const out = sanitizeContent(payload, BASE);
    expect(out).not.toMatch(forbidden);
    expect(out.toLowerCase()).not.toMatch(
      /javascript:|on[a-z]+=|<script|<style|<iframe src="(?!https:\/\/(www\.)?youtube)/,
    );
  });

  it('keeps data: images and allowed embeds', () => {
    const png =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    expect(sanitizeContent(`<img src="${png}" alt="dot">`, BASE)).toBe(
      `<img src="${png}" alt="dot" />`,
    );
    expect(
      sanitizeContent(
        '<iframe src="https://www.youtube.com/embed/abc" width="560" height="315" onload="x()"></iframe>',
        BASE,
      ),
    ).toBe('<iframe src="https://www.youtube.com/embed/abc" width="560" height="315"></iframe>');
    expect(
      sanitizeContent('<iframe src="https://player.vimeo.com/video/1"></iframe>', BASE),
    ).toContain('player.vimeo.com');
  });
});

describe('sanitizeContent: URLs, images, direction', () => {
  it('makes relative URLs absolute against the base', () => {
    expect(
      sanitizeContent(
        '<a href="../other.html">o</a> <img src="/img/a.jpg"> <a href="//cdn.example/x">p</a>',
        BASE,
      ),
    ).toBe(
      '<a href="https://news.example/2020/other.html">o</a> <img src="https://news.example/img/a.jpg" /> <a href="https://cdn.example/x">p</a>',
    );
  });

  it('resolves lazy images (data-src, data-lazy-src, srcset) and drops tracking pixels', () => {
    const r = sanitizeWithImages(
      '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/lazy.jpg">' +
        '<img data-lazy-src="lazy2.jpg">' +
        '<img srcset="s.jpg 320w, l.jpg 1024w, m.jpg 640w">' +
        '<img src="https://track.example/p.gif" width="1" height="1">' +
        '<img src="https://track.example/q.gif" style="display:none" height="1">',
      BASE,
    );
    expect(r.html).toBe(
      '<img src="https://news.example/lazy.jpg" /><img src="https://news.example/2020/10/lazy2.jpg" /><img src="https://news.example/2020/10/l.jpg" />',
    );
    expect(r.firstImage).toEqual({
      url: 'https://news.example/lazy.jpg',
      width: null,
      height: null,
    });
  });

  it('keeps dir and lang attributes for Arabic', () => {
    expect(
      sanitizeContent('<p dir="rtl" lang="ar" class="x">نص <span dir="ltr">GPS</span></p>', BASE),
    ).toBe('<p dir="rtl" lang="ar">نص <span dir="ltr">GPS</span></p>');
  });

  it('removes invalid XML characters', () => {
    expect(sanitizeContent('<p>a\u0001b\uFFFEc</p>', null)).toBe('<p>abc</p>');
  });
});
