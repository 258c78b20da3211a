// The dictionaries (web/i18n/<lang>/<area>.json): every area exists in id
// and en with the same keys, texts are non-empty strings with the same
// {placeholders}, no key is in two areas, and every key the app names
// literally (t('…'), route titles, nav labels) is in some area.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SOURCE_DIR } from '../api/lib/harness.mjs';

const I18N = path.join(SOURCE_DIR, 'web', 'i18n');
const APP = path.join(SOURCE_DIR, 'web', 'app');
const LANGS = ['id', 'en'];

function areas(lang) {
  return fs
    .readdirSync(path.join(I18N, lang))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

function load(lang, area) {
  const text = fs.readFileSync(path.join(I18N, lang, `${area}.json`), 'utf8');
  const d = JSON.parse(text);
  assert.equal(typeof d, 'object', `${lang}/${area}.json is an object`);
  assert.ok(d !== null && !Array.isArray(d), `${lang}/${area}.json is an object`);
  return d;
}

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('id and en have the same areas and the same keys', () => {
  assert.deepEqual(areas('en'), areas('id'));
  assert.ok(areas('id').includes('common') && areas('id').includes('participant'));
  for (const area of areas('id')) {
    const id = load('id', area);
    const en = load('en', area);
    const onlyId = Object.keys(id).filter((k) => !(k in en));
    const onlyEn = Object.keys(en).filter((k) => !(k in id));
    assert.deepEqual(onlyId, [], `${area}: keys only in id`);
    assert.deepEqual(onlyEn, [], `${area}: keys only in en`);
    for (const k of Object.keys(id)) {
      assert.equal(typeof id[k], 'string', `id/${area} ${k}`);
      assert.equal(typeof en[k], 'string', `en/${area} ${k}`);
      assert.ok(id[k].trim() && en[k].trim(), `${area} ${k} is empty in a language`);
      assert.deepEqual(placeholders(en[k]), placeholders(id[k]), `${area} ${k}: the placeholders differ`);
    }
  }
});

test('no key is defined in two areas', () => {
  for (const lang of LANGS) {
    const seen = new Map();
    for (const area of areas(lang)) {
      for (const k of Object.keys(load(lang, area))) {
        assert.ok(!seen.has(k), `${lang}: ${k} is in ${seen.get(k)} and ${area}`);
        seen.set(k, area);
      }
    }
  }
});

function jsFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? jsFiles(p) : e.name.endsWith('.js') ? [p] : [];
  });
}

test('every key the app names literally is in a dictionary', () => {
  const all = new Set(areas('id').flatMap((a) => Object.keys(load('id', a))));
  const missing = [];
  for (const file of jsFiles(APP)) {
    // comments may show made-up keys
    const src = fs.readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
    const found = [
      ...[...src.matchAll(/\bt\(\s*'([a-z0-9_]+(?:\.[a-z0-9_]+)+)'/g)].map((m) => m[1]),
      ...[...src.matchAll(/\b(?:title|label):\s*'([a-z0-9_]+(?:\.[a-z0-9_]+)+)'/g)].map((m) => m[1]),
    ];
    for (const k of found) if (!all.has(k)) missing.push(`${path.relative(SOURCE_DIR, file)}: ${k}`);
  }
  assert.deepEqual([...new Set(missing)], []);
});

// Counts take the plural form of the language (issue 12: "1 current
// cohorts"): tn('key', n) reads key.<category> of Intl.PluralRules, with
// key.other always there; English has a distinct .one wherever the
// Indonesian has a count.
test('every counted text (tn) has its plural forms in both languages', () => {
  const dicts = Object.fromEntries(LANGS.map((l) => [l, Object.assign({}, ...areas(l).map((a) => load(l, a)))]));
  const missing = [];
  const used = new Set();
  for (const file of jsFiles(APP)) {
    const src = fs.readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const m of src.matchAll(/\btn\(\s*'([a-z0-9_]+(?:\.[a-z0-9_]+)+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size >= 10, `tn() is used for the counts (found ${used.size})`);
  for (const k of used) {
    for (const l of LANGS) if (!(`${k}.other` in dicts[l])) missing.push(`${l}: ${k}.other`);
    if (!(`${k}.one` in dicts.en)) missing.push(`en: ${k}.one`);
    if (`${k}` in dicts.id) missing.push(`id: ${k} is also a plain key`);
  }
  assert.deepEqual(missing, []);
  // English says "1 lesson", not "1 lessons"
  for (const [k, v] of Object.entries(dicts.en)) {
    if (!k.endsWith('.one') || !/\{n\} /.test(v)) continue;
    const words = v.split('{n} ')[1].split(/[\s.,;]+/);
    const noun = ['current', 'published'].includes(words[0]) ? words[1] : words[0];
    if (noun !== 'of') assert.ok(!noun.endsWith('s'), `${k}: "${v}" reads like a plural`);
  }
});
