// The README's configuration table is the option table of server/core/config.c
// (issue 16, "options described once"): `sinau config --markdown` prints the
// variable, flag and default of every option from that table, and each row of
// the README's table must carry exactly those three cells (the fourth, the
// meaning, is prose), with no option missing and none extra.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const bin = process.env.SINAU_BIN;
const root = process.env.SINAU_SOURCE_DIR ?? join(import.meta.dirname, '..', '..');

// The rows of the Markdown table whose header starts with `header`, as cells.
function tableRows(text, header) {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(header));
  assert.ok(at >= 0, `a table headed "${header}"`);
  const rows = [];
  for (let i = at + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    rows.push(lines[i].trim().replace(/^\||\|$/g, '').split(' | ').map((c) => c.trim()));
  }
  return rows;
}

test('the README lists every option with the variable, flag and default of the option table', () => {
  const generated = tableRows(execFileSync(bin, ['config', '--markdown'], { encoding: 'utf8' }),
    '| variable | flag | default |');
  const readme = tableRows(readFileSync(join(root, 'README.md'), 'utf8'),
    '| variable | flag | default | meaning |');
  assert.ok(generated.length >= 50, `the table has its options (${generated.length})`);
  const byVar = new Map(readme.map((r) => [r[0], r]));
  for (const [variable, flag, dflt] of generated) {
    const row = byVar.get(variable);
    assert.ok(row, `README lists ${variable}`);
    assert.deepEqual(row.slice(0, 3), [variable, flag, dflt], `README row of ${variable}`);
    assert.ok(row[3]?.length > 0, `README says what ${variable} means`);
    byVar.delete(variable);
  }
  assert.deepEqual([...byVar.keys()], [], 'README lists no option the table lacks');
});

test('the usage text is made from the same table', () => {
  const usage = execFileSync(bin, ['--help'], { encoding: 'utf8' });
  const generated = tableRows(execFileSync(bin, ['config', '--markdown'], { encoding: 'utf8' }),
    '| variable | flag | default |');
  for (const [variable, flag, dflt] of generated) {
    const v = variable.replaceAll('`', '');
    const f = flag.replaceAll('`', '');
    const line = usage.split('\n').findIndex((l) => l.includes(`${f} `) || l.endsWith(f));
    assert.ok(line >= 0, `usage lists ${f}`);
    const block = usage.split('\n').slice(line, line + 3).join(' ').replace(/\s+/g, ' ');
    assert.ok(block.includes(v), `usage names ${v} beside ${f}`);
    assert.ok(block.includes(`default: ${dflt.replaceAll('`', '').split(' ')[0]}`),
      `usage gives ${f}'s default ${dflt}`);
  }
});
