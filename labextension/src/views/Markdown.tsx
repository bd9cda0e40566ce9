/**
 * Markdown for chat answers: raw HTML from the model is escaped (never injected); fenced code is highlighted by
 * highlight.js (a few common languages registered, to keep the bundle small), coloured by JupyterLab's editor
 * theme variables so light and dark themes both work.
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';
import { Marked } from 'marked';
import React, { useMemo } from 'react';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Only web links: `javascript:` and other schemes in model output become inert. */
const safeUrl = (href: string) => (/^(https?:|mailto:|#|\/)/i.test(href) ? href : '#');

hljs.registerLanguage('python', python);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('bash', bash);
hljs.registerLanguage('json', json);
hljs.registerLanguage('sql', sql);
hljs.registerLanguage('yaml', yaml);
hljs.registerLanguage('markdown', markdown);
hljs.registerAliases(['sh', 'shell', 'console', 'zsh'], { languageName: 'bash' });

/** Guessing a fence without a language costs a pass per language: only for short blocks. */
const AUTO_LIMIT = 4000;

/** highlight.js escapes the code itself; its output holds only `<span class="hljs-…">` markup. */
function highlight(code: string, lang: string): { html: string; language: string } {
  if (lang && hljs.getLanguage(lang)) {
    return {
      html: hljs.highlight(code, { language: lang, ignoreIllegals: true }).value,
      language: lang
    };
  }
  if (!lang && code.length <= AUTO_LIMIT) {
    const guess = hljs.highlightAuto(code);
    if (guess.language && guess.relevance >= 3) {
      return { html: guess.value, language: guess.language };
    }
  }
  return { html: escapeHtml(code), language: lang };
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
      const lang = (token.lang || '')
        .split(/\s/)[0]
        .toLowerCase()
        .replace(/[^\w+-]/g, '');
      const out = highlight(token.text, lang);
      const cls = out.language ? ` language-${out.language.replace(/[^\w-]/g, '')}` : '';
      return `<pre class="sage-code"><code class="hljs${cls}">${out.html}</code></pre>`;
    }
  }
});

/** Answer text → safe HTML (exported for tests). */
export function renderMarkdown(text: string): string {
  return marked.parse(text || '', { async: false }) as string;
}

export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div className="sage-markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
