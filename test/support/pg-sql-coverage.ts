/**
 * Which store statements never ran on PostgreSQL in the tests. Run the store tests with
 * PG_SQL_LOG=<folder> (test/support/engines.ts writes the texts PgDatabase executed there), then:
 *
 *   PG_SQL_LOG=/tmp/pgsql npx vitest run src/store && npx tsx test/support/pg-sql-coverage.ts /tmp/pgsql
 *
 * Every `prepare(…)`/`stmt(…)` argument in src/store/*.ts is read with the TypeScript compiler:
 * constants are followed, other interpolations match any text. A statement no executed text
 * matches is listed, with its file and line; the exit code is the number listed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Files whose SQL is SQLite's own (pragmas, another program's file) or PostgreSQL-only bookkeeping. */
const NOT_STORE_SQL = new Set(['db.ts', 'cached-statements.ts', 'wal-sync.ts', 'foreign-sessions.ts', 'open.ts', 'sql.ts', 'migration.ts', 'migrations.ts', 'migrations-pg.ts']);
const ANY = '\u0000';

const root = resolve(import.meta.dirname, '../..');
const storeDir = join(root, 'src/store');
const logDir = process.argv[2] ?? process.env.PG_SQL_LOG;
if (!logDir) throw new Error('usage: pg-sql-coverage.ts <PG_SQL_LOG folder>');

const executed = new Set<string>();
for (const f of readdirSync(logDir)) if (f.endsWith('.json')) for (const s of JSON.parse(readFileSync(join(logDir, f), 'utf8')) as string[]) executed.add(s);

const files = readdirSync(storeDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !NOT_STORE_SQL.has(f))
  .map((f) => join(storeDir, f));
const program = ts.createProgram(files, { allowImportingTsExtensions: true, noEmit: true, target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.NodeNext });
const checker = program.getTypeChecker();

interface Site {
  where: string;
  pattern: string;
}
const sites: Site[] = [];

function text(node: ts.Expression, depth = 0): string {
  if (depth > 5) return ANY;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return text(node.expression, depth);
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => text(s.expression, depth + 1) + s.literal.text).join('');
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return text(node.left, depth + 1) + text(node.right, depth + 1);
  if (ts.isIdentifier(node)) {
    const decl = checker.getSymbolAtLocation(node)?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) return text(decl.initializer, depth + 1);
  }
  return ANY;
}

for (const file of files) {
  const sf = program.getSourceFile(file)!;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ['prepare', 'stmt'].includes(node.expression.name.text) && node.arguments[0]) {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
      sites.push({ where: `${relative(root, file)}:${line + 1}`, pattern: text(node.arguments[0]) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const never: Site[] = [];
let dynamic = 0;
for (const site of sites) {
  if (site.pattern.replaceAll(ANY, '').trim() === '') {
    dynamic++;
    console.log(`built at run time, check by hand: ${site.where}`);
    continue;
  }
  const re = new RegExp(`^${site.pattern.split(ANY).map(escape).join('[\\s\\S]*?')}$`);
  if (![...executed].some((e) => re.test(e))) never.push(site);
}
console.log(`${sites.length} statements in the stores, ${executed.size} distinct texts executed on PostgreSQL, ${dynamic} built at run time`);
for (const n of never) console.log(`never run on PostgreSQL: ${n.where}: ${n.pattern.replaceAll(ANY, '…').replace(/\s+/g, ' ').slice(0, 160)}`);
process.exitCode = never.length;
