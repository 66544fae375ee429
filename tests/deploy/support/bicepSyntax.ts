// A real Bicep grammar for the syntax check, because the Bicep compiler cannot be installed here
// (it is a .NET tool downloaded from GitHub, and this machine reaches only the npm and Debian
// registries): tree-sitter-bicep's grammar compiled to wasm, loaded by web-tree-sitter. It finds
// what a parser can find (unbalanced braces, broken declarations, bad expressions, a missing
// value); it knows no types, so it cannot see a wrong property, an unknown function or BCP318.
import { readFileSync } from 'node:fs';
import { Language, Parser, type Node } from 'web-tree-sitter';

export interface SyntaxProblem {
  /** 1-based line and column. */
  line: number;
  column: number;
  /** `ERROR` for text the grammar could not place, `MISSING <token>` for one it had to invent. */
  kind: string;
  text: string;
}

let parser: Promise<Parser> | undefined;

function bicepParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const language = await Language.load(
      readFileSync(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm')),
    );
    const instance = new Parser();
    instance.setLanguage(language);
    return instance;
  })();
  return parser;
}

/** Every ERROR and MISSING node in the parse of `text`; empty means it parses as Bicep. */
export async function bicepSyntaxProblems(text: string): Promise<SyntaxProblem[]> {
  const tree = (await bicepParser()).parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  const problems: SyntaxProblem[] = [];
  const visit = (node: Node): void => {
    if (node.isError || node.isMissing) {
      problems.push({
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        kind: node.isMissing ? `MISSING ${node.type}` : 'ERROR',
        text: node.text.split('\n')[0].slice(0, 80),
      });
      return;
    }
    // Only subtrees that contain an error are worth descending into.
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(tree.rootNode);
  tree.delete();
  return problems;
}
