import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from './html-to-text.js';

describe('htmlToText', () => {
  it('keeps headings, links, lists and paragraph breaks and drops scripts and styles', () => {
    const html = `<!doctype html><html><head><title>The  Title</title><style>body { color: red }</style></head>
      <body><script>alert("x")</script><!-- note -->
      <h1>Main   heading</h1>
      <p>First <b>bold</b> paragraph with a <a href="/docs?a=1&amp;b=2">relative link</a>.</p>
      <p>Second&nbsp;paragraph &lt;escaped&gt; &#8212; &#x263A;</p>
      <ul><li>one</li><li>two</li></ul>
      <pre>  indented
    code</pre>
      <a href="#top">Back</a> <a href="javascript:void(0)">JS</a>
      </body></html>`;
    expect(htmlToText(html, 'https://example.com/page')).toBe(
      [
        '# The Title',
        '',
        '# Main heading',
        '',
        'First bold paragraph with a [relative link](https://example.com/docs?a=1&b=2).',
        '',
        'Second paragraph <escaped> — ☺',
        '',
        '- one',
        '- two',
        '',
        '```\n  indented\n    code\n```',
        '',
        'Back JS',
      ].join('\n'),
    );
  });

  it('does not repeat the title when the first heading is the same', () => {
    expect(htmlToText('<title>Same</title><h1>Same</h1><p>x</p>')).toBe('# Same\n\nx');
  });

  it('decodes entities and leaves unknown ones', () => {
    expect(decodeEntities('&amp;&lt;&gt;&quot;&#39;&#x41;&unknown;')).toBe('&<>"\'A&unknown;');
  });
});
