import { toAdf, toWiki } from './jira-document.format';

describe('jira text formats', () => {
  const text =
    'Intro line\nsecond line\n\n## How to fix it\n- Link the change `CHG0030042`\n- See https://x.example/a.';

  it('turns the Markdown subset into ADF, with hard breaks inside a paragraph', () => {
    const doc = toAdf(text);
    expect(doc.content.map((n) => n.type)).toEqual(['paragraph', 'heading', 'bulletList']);
    expect(doc.content[0].content).toEqual([
      { type: 'text', text: 'Intro line' },
      { type: 'hardBreak' },
      { type: 'text', text: 'second line' },
    ]);
    // The sentence's full stop is not part of the link.
    expect(doc.content[2].content?.[1].content?.[0].content).toEqual([
      { type: 'text', text: 'See ' },
      {
        type: 'text',
        text: 'https://x.example/a',
        marks: [{ type: 'link', attrs: { href: 'https://x.example/a' } }],
      },
      { type: 'text', text: '.' },
    ]);
  });

  it('never produces an empty document or empty text nodes', () => {
    expect(toAdf('')).toEqual({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [] }] });
    expect(JSON.stringify(toAdf('`a`'))).not.toContain('"text":""');
  });

  it('turns it into wiki markup, escaping what wiki would read as links or macros', () => {
    expect(toWiki(text)).toBe(
      'Intro line\nsecond line\n\nh3. How to fix it\n\n* Link the change {{CHG0030042}}\n* See [https://x.example/a].',
    );
    expect(toWiki('a [b] {c} *d* e-f -g')).toBe('a \\[b\\] \\{c\\} \\*d\\* e-f \\-g');
  });
});
