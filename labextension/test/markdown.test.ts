import { describe, expect, it } from 'vitest';

import { renderMarkdown } from '../src/views/Markdown';

describe('chat Markdown', () => {
  it('highlights a fenced python block with highlight.js spans', () => {
    const html = renderMarkdown(
      'Here:\n\n```python\ndef add(a, b):\n    return a + 1  # one\n```\n'
    );
    expect(html).toContain('<pre class="sage-code"><code class="hljs language-python">');
    expect(html).toMatch(/<span class="hljs-keyword">def<\/span>/);
    expect(html).toMatch(/<span class="hljs-title function_">add<\/span>/);
    expect(html).toMatch(/<span class="hljs-number">1<\/span>/);
    expect(html).toMatch(/<span class="hljs-comment"># one<\/span>/);
  });

  it('knows the registered languages and their aliases, and leaves others plain', () => {
    for (const [lang, token] of [
      ['ts', 'hljs-keyword">const'],
      ['js', 'hljs-keyword">const'],
      ['bash', 'hljs-built_in">echo'],
      ['json', 'hljs-attr">&quot;a&quot;'],
      ['sql', 'hljs-keyword">SELECT'],
      ['yaml', 'hljs-attr">a:']
    ]) {
      const source =
        lang === 'bash'
          ? 'echo hi'
          : lang === 'json'
            ? '{"a": 1}'
            : lang === 'sql'
              ? 'SELECT 1;'
              : lang === 'yaml'
                ? 'a: 1'
                : 'const x = 1;';
      expect(renderMarkdown('```' + lang + '\n' + source + '\n```'), lang).toContain(token);
    }
    const unknown = renderMarkdown('```cobol\nDISPLAY "<b>".\n```');
    expect(unknown).not.toContain('hljs-');
    expect(unknown).toContain('DISPLAY &quot;&lt;b&gt;&quot;.');
  });

  it('never renders HTML from model output', () => {
    const html = renderMarkdown(
      'Hi <script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[x](javascript:alert(3))'
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img[^>]*onerror/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('href="#"');
    expect(html).not.toContain('javascript:');
  });

  it('escapes markup inside highlighted code', () => {
    const html = renderMarkdown('```python\nx = "<script>alert(1)</script>"\n```');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;');
  });

  it('guesses the language of an unlabelled fence when it is clear', () => {
    const html = renderMarkdown(
      '```\nimport os\n\ndef main():\n    for name in os.listdir("."):\n        print(name)\n```'
    );
    expect(html).toContain('hljs-keyword');
  });
});
