#!/usr/bin/env node
// tests/kql/check.js: is every query `callsurvey kql` prints valid KQL for the
// real tables, and does it return exactly the contract's columns?
//
//   node tests/kql/check.js CALLSURVEY NODE_MODULES_DIR
//
// For each command line of tests/kql/cases.txt: run `CALLSURVEY kql ARGS`,
// parse and analyse the query with Microsoft's Kusto language service
// (@kusto/language-service-next, installed by mk/kql.mk) against a database
// holding ACSCallSurvey, ACSCallSummary, customEvents and AppEvents with the
// columns of tests/kql/schema.json (FORMATS.md sections 1, 8 and 5), and
// require (1) no diagnostic of severity Error and (2) the analysed result
// schema (KustoCode.ResultType columns: names, order, types) equal to
// `CALLSURVEY kql ARGS --print-columns`.
//
// One substitution: Log Analytics' app("NAME") is not part of the Kusto
// language the service knows (it is the workspace's cross-resource function),
// so app("NAME").customEvents is analysed as the declared customEvents table.
// Everything else is analysed as printed.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const [csArg, modules] = process.argv.slice(2);
const cs = csArg && path.resolve(csArg);
if (!cs || !modules) {
    console.error('usage: check.js CALLSURVEY NODE_MODULES_DIR');
    process.exit(2);
}
const pkg = path.resolve(modules, '@kusto', 'language-service-next');
require(path.join(pkg, 'bridge.js'));          // the Bridge.NET runtime (defines Bridge, System)
require(path.join(pkg, 'Kusto.Language.Bridge.js'));
const L = global.Kusto.Language;
const S = L.Symbols;

const here = __dirname;
const schema = JSON.parse(fs.readFileSync(path.join(here, 'schema.json'), 'utf8'));
const tables = Object.keys(schema).filter((k) => !k.startsWith('_')).map((name) =>
    new S.TableSymbol.$ctor7(name, '(' + schema[name].map(([c, t]) => `${c}:${t}`).join(', ') + ')', null));
if (schema.ACSCallSurvey.length !== 34) {
    console.error('schema.json: ACSCallSurvey must have the 34 columns of FORMATS.md section 1');
    process.exit(1);
}
const globals = L.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.$ctor2('workspace', null, tables));

// the contract for one command line: its --by dimensions add columns
const columns = (args) => execFileSync(cs, ['kql', ...args, '--print-columns'], { encoding: 'utf8' })
    .trim().split('\n').map((l) => l.split('\t'));

const cases = fs.readFileSync(path.join(here, 'cases.txt'), 'utf8').split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
        const tab = l.indexOf('\t');
        const name = tab < 0 ? l : l.slice(0, tab);
        const rest = tab < 0 ? '' : l.slice(tab + 1).trim();
        return { name, args: rest === '' ? [] : rest.split(/ +/) };
    });

let failed = 0;
for (const c of cases) {
    const query = execFileSync(cs, ['kql', ...c.args], { encoding: 'utf8' });
    const text = query.replace(/app\("(?:[^"\\]|\\.)*"\)\.customEvents/g, 'customEvents');
    const code = L.KustoCode.ParseAndAnalyze(text, globals);
    const problems = [];
    let warnings = 0;
    for (const d of Bridge.toArray(code.GetDiagnostics())) {
        if (d.Severity !== 'Error') {
            warnings++;
            continue;
        }
        const line = text.slice(0, d.Start).split('\n').length;
        problems.push(`line ${line}: ${d.Code} ${d.Message} at ${JSON.stringify(text.substr(d.Start, 40))}`);
    }
    const rt = code.ResultType;
    const got = rt && rt.Columns ? Bridge.toArray(rt.Columns).map((col) => [col.Name, col.Type.Name]) : [];
    const a = got.map((x) => x.join(' ')).join(', ');
    const b = columns(c.args).map((x) => x.join(' ')).join(', ');
    if (a !== b)
        problems.push(`result columns differ from --print-columns:\n    got:  ${a}\n    want: ${b}`);
    if (problems.length) {
        failed++;
        console.log(`FAIL kql ${c.name} (${c.args.join(' ')})`);
        for (const p of problems)
            console.log('  ' + p);
    } else {
        console.log(`PASS kql ${c.name}: ${query.length} bytes, ${got.length} columns, 0 errors` +
            (warnings ? `, ${warnings} other diagnostics` : ''));
    }
}
console.log(`kql-check: ${cases.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
