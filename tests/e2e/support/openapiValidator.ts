// Validates an OpenAPI document with @seriousme/openapi-schema-validator, a real validator of the
// OpenAPI 3.x specification schemas. The package is ESM-only and jest runs CommonJS, so it runs in
// a child node process; the document goes in on stdin and the verdict comes back as JSON.
import { execFile } from 'node:child_process';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

const SCRIPT = `
import { Validator } from '@seriousme/openapi-schema-validator';
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const validator = new Validator();
const result = await validator.validate(JSON.parse(Buffer.concat(chunks).toString('utf8')));
process.stdout.write(JSON.stringify({ valid: result.valid, errors: result.errors ?? null, version: validator.version }));
`;

export interface OpenApiVerdict {
  valid: boolean;
  /** The validator's errors (ajv error objects or a message) when invalid. */
  errors: unknown;
  /** The OpenAPI version the validator detected, e.g. "3.1". */
  version: string;
}

export function validateOpenApi(document: unknown): Promise<OpenApiVerdict> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '-e', SCRIPT],
      { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`The OpenAPI validator failed: ${stderr || error.message}`));
          return;
        }
        resolve(JSON.parse(stdout) as OpenApiVerdict);
      },
    );
    child.stdin?.end(JSON.stringify(document));
  });
}
