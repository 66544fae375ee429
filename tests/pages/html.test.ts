import { html, raw } from '../../src/pages/html';

test('html escapes every value, and shrinks only its own indentation', () => {
  const name = 'a <b> & "c"\n    d';
  const out = html`<ul>
    <li title="${name}">${name}</li>
    ${raw('<li>\n   kept</li>')}
  </ul>`.value;
  expect(out).toBe(
    '<ul>\n<li title="a &lt;b&gt; &amp; &quot;c&quot;\n    d">a &lt;b&gt; &amp; &quot;c&quot;\n    d</li>\n<li>\n   kept</li>\n</ul>',
  );
});
