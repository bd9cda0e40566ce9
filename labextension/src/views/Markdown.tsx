/** Markdown for chat answers: raw HTML from the model is escaped (never injected), code gets a language class. */
import { Marked } from 'marked';
import React, { useMemo } from 'react';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Only web links: `javascript:` and other schemes in model output become inert. */
const safeUrl = (href: string) => (/^(https?:|mailto:|#|\/)/i.test(href) ? href : '#');

const KEYWORDS =
  /\b(def|class|return|import|from|if|else|elif|for|while|in|not|and|or|with|as|try|except|finally|raise|lambda|yield|async|await|const|let|var|function|new|true|false|True|False|None|null)\b/g;

/** A small highlighter (keywords, strings, comments, numbers) that keeps the bundle small. */
function highlight(code: string): string {
  const out: string[] = [];
  const pattern = /("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|#[^\n]*|\/\/[^\n]*|\b\d+(?:\.\d+)?\b)/g;
  let last = 0;
  for (const match of code.matchAll(pattern)) {
    const index = match.index ?? 0;
    out.push(
      escapeHtml(code.slice(last, index)).replace(KEYWORDS, '<span class="sage-kw">$1</span>')
    );
    const token = match[0];
    const cls = /^["']/.test(token)
      ? 'sage-str'
      : /^(#|\/\/)/.test(token)
        ? 'sage-com'
        : 'sage-num';
    out.push(`<span class="${cls}">${escapeHtml(token)}</span>`);
    last = index + token.length;
  }
  out.push(escapeHtml(code.slice(last)).replace(KEYWORDS, '<span class="sage-kw">$1</span>'));
  return out.join('');
}

const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html(token) {
      return escapeHtml(token.text);
    },
    link(token) {
      const text = this.parser.parseInline(token.tokens);
      return `<a href="${escapeHtml(safeUrl(token.href))}" target="_blank" rel="noopener noreferrer">${text}</a>`;
    },
    image(token) {
      return `<img src="${escapeHtml(safeUrl(token.href))}" alt="${escapeHtml(token.text)}" />`;
    },
    code(token) {
      const lang = (token.lang || '').replace(/[^\w-]/g, '');
      return `<pre class="sage-code"><code class="language-${lang}">${highlight(token.text)}</code></pre>`;
    }
  }
});

export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => marked.parse(text || '', { async: false }) as string, [text]);
  return <div className="sage-markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
