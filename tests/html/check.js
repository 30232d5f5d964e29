#!/usr/bin/env node
// tests/html/check.js: report.html in a real browser (issue 19).
//
//   node tests/html/check.js CALLSURVEY NODE_MODULES_DIR WORK_DIR
//
// Writes two reports with CALLSURVEY (SOURCE_DATE_EPOCH set): the sample
// data, and the hostile text of tests/cli/111-hostile-text/make.py, whose
// custom answers include <script>alert(1)</script> and
// "><img src=x onerror=window.__pwned=1>.  Each is opened from file:// in
// Debian's chromium, headless, driven by puppeteer-core, with every request
// intercepted: the file itself is allowed, anything else fails the check.
// Checks, with the figures printed:
//   - no console error, no page error, no dialog, no other request;
//   - the headline table's numbers equal summary.json's review rows
//     (formatted here, independently: one-decimal percent, points, n);
//   - every <svg> has a non-empty bounding box (the <details> opened);
//   - screenshots at 1280 and 375 px wide are not blank (share of pixels
//     unlike the background colour), and at 375 px the page does not scroll
//     sideways and no element outside a table's scroll box is wider than
//     the viewport;
//   - print to PDF (A4) works; its pages are counted, and every chart fits
//     within a printed page's height (so break-inside: avoid keeps it whole);
//   - axe-core finds no violation of impact serious or critical;
//   - hostile report: the answers are text in the DOM, no <script> or <img>
//     element exists, window.__pwned stays unset and no alert opened.
// compare.html (`compare --by resource`) gets the same request, error, box,
// width and axe checks.
// Screenshots are kept in WORK_DIR (docs/ has a copy of the sample's).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const [csArg, modules, workArg] = process.argv.slice(2);
if (!csArg || !modules || !workArg) {
    console.error('usage: check.js CALLSURVEY NODE_MODULES_DIR WORK_DIR');
    process.exit(2);
}
const cs = path.resolve(csArg);
const work = path.resolve(workArg);
const puppeteer = require(path.resolve(modules, 'puppeteer-core'));
const axeSource = fs.readFileSync(path.resolve(modules, 'axe-core', 'axe.min.js'), 'utf8');
const top = path.resolve(__dirname, '..', '..');
const t0 = Date.now();
let failures = 0;
function check(ok, what) {
    if (!ok) {
        failures++;
        console.log('FAIL ' + what);
    }
}

function report(name, inputDir, cwd) {
    const out = path.join(work, name);
    fs.rmSync(out, { recursive: true, force: true });
    execFileSync(cs, ['report', '--formats', 'json,html', '-q', '-o', out, inputDir], {
        cwd,
        env: { ...process.env, SOURCE_DATE_EPOCH: '1795000000', TZ: 'UTC', LC_ALL: 'C' },
        stdio: ['ignore', 'ignore', 'inherit'],
    });
    return out;
}

// the headline's texts, formatted here from summary.json
const pct = (x) => (x === null || Number.isNaN(x) ? '\u2013' : (100 * x).toFixed(1) + '%');
const pts = (x) => {
    const s = (100 * x).toFixed(1);
    return (x > 0 && s !== '0.0' ? '+' : '') + s.replace('-', '\u2212').replace('\u22120.0', '0.0') + ' pt';
};
const int = (n) => n.toLocaleString('en-US');

async function openPage(browser, file, log) {
    const page = await browser.newPage();
    const url = 'file://' + file;
    await page.setRequestInterception(true);
    page.on('request', (req) => {
        if (req.url() === url) return req.continue();
        log.requests.push(req.url());
        return req.abort('blockedbyclient');
    });
    page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
    page.on('pageerror', (e) => log.errors.push(String(e)));
    page.on('dialog', async (d) => { log.dialogs.push(d.message()); await d.dismiss(); });
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(url, { waitUntil: 'load' });
    return page;
}

// share of pixels unlike the most common colour, decoded in a blank page
async function inkShare(browser, png) {
    const p = await browser.newPage();
    const r = await p.evaluate(async (b64) => {
        const img = new Image();
        img.src = 'data:image/png;base64,' + b64;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const g = c.getContext('2d');
        g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        const count = new Map();
        for (let i = 0; i < d.length; i += 4) {
            const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
            count.set(k, (count.get(k) || 0) + 1);
        }
        const bg = Math.max(...count.values());
        const n = d.length / 4;
        return { w: c.width, h: c.height, share: (n - bg) / n };
    }, png.toString('base64'));
    await p.close();
    return r;
}

async function layout(page, width) {
    await page.setViewport({ width, height: 900 });
    return page.evaluate(() => {
        const vw = document.documentElement.clientWidth;
        const wide = [];
        for (const el of document.body.querySelectorAll('*')) {
            if (el.closest('.tw') || el.closest('details:not([open])')) continue;
            const r = el.getBoundingClientRect();
            if (r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5)) wide.push(el.tagName + '.' + el.className + ' ' + Math.round(r.width));
        }
        return { vw, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 5), n: wide.length };
    });
}

async function checkSample(browser, dir) {
    const file = path.join(dir, 'report.html');
    const log = { requests: [], errors: [], dialogs: [] };
    const page = await openPage(browser, file, log);
    const sum = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    const rows = sum.review.rows;
    const dom = await page.evaluate(() => [...document.querySelectorAll('#t-headline tbody tr')].map((tr) => {
        const o = { category: tr.dataset.category };
        for (const td of tr.querySelectorAll('[data-f]')) o[td.dataset.f] = td.textContent.trim();
        return o;
    }));
    check(dom.length === rows.length && rows.length > 0, `headline rows ${dom.length} = summary.json ${rows.length}`);
    let compared = 0;
    for (const r of rows) {
        const d = dom.find((x) => x.category === r.category) || {};
        const want = { poor_rate: pct(r.poor_rate), responses: int(r.responses) };
        if (r.previous) {
            want.previous_poor_rate = pct(r.previous.poor_rate);
            want.diff = pts(r.poor_rate_diff);
            want.verdict = r.verdict;
        }
        for (const k of Object.keys(want)) {
            const got = k === 'verdict' ? (d[k] || '').replace(/^\S+\s+/, '') : d[k];
            check(got === want[k], `${r.category} ${k}: page "${got}", summary.json "${want[k]}"`);
            compared++;
        }
    }
    console.log(`html-check: headline: ${rows.length} rows, ${compared} figures equal summary.json's review rows`);
    // every chart has a box (the minor scales' <details> opened for this)
    const svgs = await page.evaluate(() => {
        document.querySelectorAll('details').forEach((d) => { d.open = true; });
        const s = [...document.querySelectorAll('svg')].map((e) => e.getBoundingClientRect());
        document.querySelectorAll('details').forEach((d) => { d.open = false; });
        return { n: s.length, empty: s.filter((r) => !(r.width > 0 && r.height > 0)).length };
    });
    check(svgs.n > 0 && svgs.empty === 0, `${svgs.empty} of ${svgs.n} <svg> with an empty box`);
    console.log(`html-check: ${svgs.n} inline charts, every one with a non-empty box`);
    for (const w of [1280, 375]) {
        const l = await layout(page, w);
        check(l.scroll <= l.vw && l.n === 0, `${w} px: page ${l.scroll} px wide, ${l.n} elements wider: ${l.wide.join('; ')}`);
        const png = await page.screenshot({ type: 'png' });
        fs.writeFileSync(path.join(work, `report-${w}.png`), png);
        const ink = await inkShare(browser, png);
        check(ink.share > 0.03, `${w} px screenshot blank (${ink.share})`);
        console.log(`html-check: screenshot ${ink.w}x${ink.h}: ${(100 * ink.share).toFixed(1)}% non-background; page scroll width ${l.scroll} <= ${l.vw}`);
    }
    await page.setViewport({ width: 1280, height: 900 });
    // print: A4 and Letter; charts no taller than the shorter printed page
    // (Letter, 279 mm less the 2 x 14 mm margins) at the printed width
    await page.setViewport({ width: Math.round((210 - 28) * 96 / 25.4), height: 900 });
    await page.emulateMediaType('print');
    const tall = await page.evaluate(() => {
        const mm = 96 / 25.4;
        return [...document.querySelectorAll('figure.chart')].filter((f) => f.getBoundingClientRect().height > (279 - 28) * mm).length;
    });
    await page.emulateMediaType(null);
    await page.setViewport({ width: 1280, height: 900 });
    const pageCount = (pdf) => (Buffer.from(pdf).toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    const letter = await page.pdf({ format: 'Letter', printBackground: true });
    const pages = pageCount(pdf);
    fs.writeFileSync(path.join(work, 'report.pdf'), pdf);
    check(pdf.length > 1000 && pages >= 2 && pageCount(letter) >= 2 && tall === 0,
        `print to PDF: ${pages} pages, ${tall} charts taller than a page`);
    console.log(`html-check: print to PDF: ${pages} A4 pages (${pageCount(letter)} Letter), ${pdf.length} bytes; no chart taller than a Letter page`);
    // accessibility
    await page.evaluate(axeSource);
    const axe = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, n: v.nodes.length }));
    });
    const bad = axe.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    check(bad.length === 0, 'axe: ' + JSON.stringify(bad));
    console.log(`html-check: axe-core: ${bad.length} serious/critical violations; all: ${axe.length ? JSON.stringify(axe) : 'none'}`);
    check(log.requests.length === 0, 'requests other than the file: ' + log.requests.join(' '));
    check(log.errors.length === 0, 'console errors: ' + log.errors.join(' | '));
    check(log.dialogs.length === 0, 'dialogs: ' + log.dialogs.join(' | '));
    await page.close();
}

async function checkHostile(browser, dir) {
    const log = { requests: [], errors: [], dialogs: [] };
    const page = await openPage(browser, path.join(dir, 'report.html'), log);
    const r = await page.evaluate(() => ({
        pwned: window.__pwned,
        scripts: document.querySelectorAll('script').length,
        imgs: document.querySelectorAll('img').length,
        text: [...document.querySelectorAll('#t-answers td')].map((td) => td.textContent),
    }));
    await new Promise((res) => setTimeout(res, 200)); // an onerror would have fired by now
    const pwned = await page.evaluate(() => window.__pwned);
    for (const a of ['<script>alert(1)</script>', '"><img src=x onerror=window.__pwned=1>'])
        check(r.text.includes(a), `answer shown as text: ${a}`);
    check(r.pwned === undefined && pwned === undefined, 'window.__pwned was set');
    check(r.scripts === 0 && r.imgs === 0, `${r.scripts} <script>, ${r.imgs} <img> in the page`);
    check(log.dialogs.length === 0, 'a dialog opened: ' + log.dialogs.join(' | '));
    check(log.requests.length === 0, 'requests other than the file: ' + log.requests.join(' '));
    check(log.errors.length === 0, 'console errors: ' + log.errors.join(' | '));
    console.log(`html-check: hostile text: answers shown as text, no <script> or <img>, window.__pwned unset, no dialog, no request`);
    await page.close();
}

// compare.html: the same page rules (requests, errors, boxes, width, axe)
async function checkCompare(browser, file) {
    const log = { requests: [], errors: [], dialogs: [] };
    const page = await openPage(browser, file, log);
    const svgs = await page.evaluate(() => [...document.querySelectorAll('svg')].filter((e) => {
        const r = e.getBoundingClientRect();
        return !(r.width > 0 && r.height > 0);
    }).length);
    check(svgs === 0, `compare.html: ${svgs} <svg> with an empty box`);
    const l = await layout(page, 375);
    check(l.scroll <= l.vw && l.n === 0, `compare.html 375 px: ${l.scroll} px wide, ${l.wide.join('; ')}`);
    await page.evaluate(axeSource);
    const axe = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
        .violations.map((v) => ({ id: v.id, impact: v.impact, n: v.nodes.length })));
    const bad = axe.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    check(bad.length === 0, 'compare.html axe: ' + JSON.stringify(bad));
    check(log.requests.length === 0 && log.errors.length === 0 && log.dialogs.length === 0,
        'compare.html: ' + JSON.stringify(log));
    console.log(`html-check: compare.html: no request, no error, charts with boxes, fits 375 px, axe ${bad.length} serious/critical`);
    await page.close();
}

(async () => {
    fs.mkdirSync(work, { recursive: true });
    const sample = report('sample', 'sample-data', top); // as typed in the repository
    const hdir = path.join(work, 'hostile');
    fs.rmSync(hdir, { recursive: true, force: true });
    fs.mkdirSync(hdir, { recursive: true });
    execFileSync('python3', [path.join(top, 'tests/cli/111-hostile-text/make.py')], { cwd: hdir });
    const hostile = report('hostile/out', 'in', hdir);
    const cmpDir = path.join(work, 'compare');
    fs.rmSync(cmpDir, { recursive: true, force: true });
    execFileSync(cs, ['compare', '--by', 'resource', '-q', '-o', cmpDir, path.join(top, 'sample-data')], {
        env: { ...process.env, SOURCE_DATE_EPOCH: '1795000000', TZ: 'UTC', LC_ALL: 'C' },
        stdio: ['ignore', 'ignore', 'inherit'],
    });
    const args = ['--headless=new', '--disable-gpu', '--no-first-run', '--no-default-browser-check',
        '--disable-extensions', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--disable-dev-shm-usage', '--font-render-hinting=none'];
    if (process.getuid && process.getuid() === 0) args.push('--no-sandbox'); // chromium refuses root otherwise
    const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args });
    try {
        await checkSample(browser, sample);
        await checkHostile(browser, hostile);
        await checkCompare(browser, path.join(cmpDir, 'compare.html'));
    } finally {
        await browser.close();
    }
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (failures) {
        console.log(`html-check: ${failures} failures (${secs} s)`);
        process.exit(1);
    }
    console.log(`html-check: all passed in ${secs} s`);
})().catch((e) => {
    console.error('html-check: ' + (e && e.stack ? e.stack : e));
    process.exit(1);
});
