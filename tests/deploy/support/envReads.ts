// Finds every read of process.env in TypeScript source with the compiler's parser, so comments,
// strings and formatting cannot hide or fake one: `process.env.X`, `process.env['X']`,
// `process.env[name]`, `process['env']`, `const { env } = process` and bare `process.env`.
import ts from 'typescript';

export interface EnvRead {
  line: number;
  /** The setting name when it is a literal; undefined for dynamic or whole-object access. */
  name?: string;
  text: string;
}

export function findEnvReads(fileName: string, source: string): EnvRead[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const reads: EnvRead[] = [];
  const record = (node: ts.Node, name?: string) => {
    const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
    reads.push({ line, name, text: node.getText(file) });
  };

  const isProcess = (node: ts.Node) => ts.isIdentifier(node) && node.text === 'process';
  const isEnvOfProcess = (node: ts.Node): boolean =>
    (ts.isPropertyAccessExpression(node) && isProcess(node.expression) && node.name.text === 'env') ||
    (ts.isElementAccessExpression(node) &&
      isProcess(node.expression) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      node.argumentExpression.text === 'env');

  const visit = (node: ts.Node): void => {
    if (isEnvOfProcess(node)) {
      const parent = node.parent;
      if (ts.isPropertyAccessExpression(parent) && parent.expression === node) {
        record(parent, parent.name.text);
      } else if (ts.isElementAccessExpression(parent) && parent.expression === node) {
        const argument = parent.argumentExpression;
        record(parent, ts.isStringLiteralLike(argument) ? argument.text : undefined);
      } else {
        record(node);
      }
      return;
    }
    // const { env } = process  /  const { env: e } = process
    if (
      ts.isVariableDeclaration(node) &&
      node.initializer &&
      isProcess(node.initializer) &&
      ts.isObjectBindingPattern(node.name) &&
      node.name.elements.some((element) => {
        const property = element.propertyName ?? element.name;
        return ts.isIdentifier(property) && property.text === 'env';
      })
    ) {
      record(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return reads;
}
