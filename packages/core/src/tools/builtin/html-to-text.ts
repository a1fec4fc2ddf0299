const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  copy: '©',
  reg: '®',
  trade: '™',
  laquo: '«',
  raquo: '»',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  bull: '•',
  middot: '·',
};

/** Decodes character references (`&amp;`, `&#39;`, `&#x27;`); unknown names stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const codePoint = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, '');
}

function absoluteUrl(href: string, baseUrl: string | undefined): string {
  try {
    return new URL(href, baseUrl).href;
  } catch {
    return href;
  }
}

const BLOCK_TAGS = 'p|div|section|article|header|footer|main|nav|aside|ul|ol|dl|dt|dd|table|thead|tbody|tr|blockquote|figure|figcaption|form|fieldset|details|summary|hr|address';

/**
 * Turns an HTML page into readable, markdown-like text: scripts, styles and comments dropped;
 * headings as `#` lines, links as `[text](url)`, list items as `- `, paragraph breaks kept, `<pre>`
 * kept verbatim. A small converter for the model to read, not a full HTML parser.
 */
export function htmlToText(html: string, baseUrl?: string): string {
  const preserved: string[] = [];
  // A private-use character marks preserved blocks: it never occurs in whitespace runs or tags.
  const keep = (text: string): string => `\uE000${preserved.push(text) - 1}\uE000`;

  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  let text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|noscript|template|svg|iframe|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<pre\b[^>]*>([\s\S]*?)<\/pre\s*>/gi, (_whole, body: string) => `<div>${keep(`\`\`\`\n${decodeEntities(stripTags(body)).replace(/\n+$/, '')}\n\`\`\``)}</div>`)
    .replace(/\s+/g, ' ')
    .replace(/<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi, (_whole, double?: string, single?: string, bare?: string, body?: string) => {
      const label = stripTags(body ?? '').trim();
      const href = decodeEntities(double ?? single ?? bare ?? '');
      if (href === '' || href.startsWith('#') || href.toLowerCase().startsWith('javascript:')) return label;
      return label === '' ? '' : `[${label}](${absoluteUrl(href, baseUrl)})`;
    })
    .replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi, (_whole, level: string, body: string) => `\n\n${'#'.repeat(Number(level))} ${stripTags(body).trim()}\n\n`)
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/?(?:td|th)\b[^>]*>/gi, ' ')
    .replace(new RegExp(`</?(?:${BLOCK_TAGS})\\b[^>]*>`, 'gi'), '\n\n');
  text = decodeEntities(stripTags(text))
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .replace(/\uE000(\d+)\uE000/g, (_whole, index: string) => preserved[Number(index)] ?? '');
  const heading = title === undefined ? '' : decodeEntities(stripTags(title)).replace(/\s+/g, ' ').trim();
  return heading === '' || text.startsWith(`# ${heading}`) ? text : `# ${heading}\n\n${text}`;
}
