#!/usr/bin/env node
// scripts/bundle.mjs: the esbuild bundles behind the fit card, the offline app
// and the single-file build. Needs web/engine/ (scripts/build --wasm-only).
//
//   node scripts/bundle.mjs web            (run by scripts/build)
//       web/engine/embed.js    the fit card for embed.html: ONE classic script with
//                              js/embed.js, the engine glue, headroom.wasm (base64)
//                              and the catalog inlined: a sandboxed iframe has an
//                              opaque origin, so every fetch would be cross-origin
//       web/engine/version.js  the service worker's build version (a hash of the
//                              app's files) and what it caches; sw.js imports it, so
//                              a new build is a new worker and a new cache
//       web/engine/version.json the same version, for anything else that wants it
//   node scripts/bundle.mjs single [OUT]   (run by scripts/build-single)
//       OUT (default dist/headroom.html): index.html with app.css, every module,
//       the engine, the wasm, the catalog and engine/*.json inlined; opens from
//       file:// with no network. The ranking worker becomes a blob: worker that
//       gets the engine's parts from the page; fetches of engine/*.json are
//       answered from memory.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const engineDir = path.join(web, 'engine');

function fail(message) {
    console.error(`bundle: ${message}`);
    process.exit(1);
}

let esbuild;
try {
    esbuild = await import('esbuild');
} catch {
    fail('esbuild is not installed: run scripts/install-deps (npm ci)');
}

for (const file of ['headroom.js', 'headroom.wasm', 'headroom-api.mjs', 'catalog/models.json', 'catalog/hardware.json']) {
    try {
        await stat(path.join(engineDir, file));
    } catch {
        fail(`web/engine/${file} is missing: run scripts/build --wasm-only first`);
    }
}

// Shared by every bundle: the wasm inlined as base64 and the catalog as text
// (the engine parses it); the Emscripten glue's Node branch stays unreachable.
const common = {
    bundle: true,
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    loader: { '.wasm': 'base64', '.json': 'text' },
    external: ['node:*', 'fs', 'path', 'crypto', 'url', 'module', 'worker_threads'],
    define: { 'import.meta.url': 'self.location.href' },
    minify: true,
    legalComments: 'none',
    logLevel: 'error',
    write: false,
};

async function bundleText(options) {
    const result = await esbuild.build({ ...common, ...options });
    return result.outputFiles[0].text;
}

// ---------- web: embed bundle + service worker version ----------

async function listFiles(dir, rel = '') {
    const out = [];
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
        const name = path.posix.join(rel, entry.name);
        if (entry.isDirectory()) out.push(...(await listFiles(dir, name)));
        else if (entry.isFile()) out.push(name);
    }
    return out;
}

// The build's version is a hash of the app's files: all of web/ but the
// Node-only build, the version files themselves (the worker imports version.js)
// and editor leftovers.
const VERSION_SKIP = [/^engine\/headroom\.node\.cjs$/, /^engine\/version\.js(on)?$/, /(^|\/)\./, /~$/, /\.swp$/, /\.map$/];
// What the service worker caches up front: those, less the fit card's 1.5 MB
// bundle (its iframe is sandboxed, so it never goes through the app's worker)
// and the sources that only exist to be bundled.
const PRECACHE_SKIP = [/^engine\/embed\.js$/, /^js\/(embed|engine-bundled|engine-inline)\.js$/];

async function buildWeb() {
    const embed = await bundleText({ entryPoints: [path.join(web, 'js/embed.js')], format: 'iife' });
    await writeFile(path.join(engineDir, 'embed.js'), embed);

    const files = (await listFiles(web)).filter((f) => !VERSION_SKIP.some((re) => re.test(f))).sort();
    const hash = createHash('sha256');
    for (const f of files) {
        hash.update(`${f}\0`);
        hash.update(await readFile(path.join(web, f)));
    }
    const version = hash.digest('hex').slice(0, 16);
    const precache = ['./', ...files.filter((f) => !PRECACHE_SKIP.some((re) => re.test(f)))];
    await writeFile(path.join(engineDir, 'version.js'),
        `// Written by scripts/bundle.mjs (scripts/build): the offline cache's version and contents.\n` +
        `self.HEADROOM_BUILD = ${JSON.stringify({ version, files: precache }, null, 1)};\n`);
    await writeFile(path.join(engineDir, 'version.json'), `${JSON.stringify({ version, files: precache.length })}\n`);
    console.log(`bundle: web/engine/embed.js (${embed.length} bytes), web/engine/version.js (version ${version}, ${precache.length} files)`);
}

// ---------- single: one self-contained HTML file ----------

/** Text safe inside <script>…</script> or <style>…</style>. */
function inlineSafe(text, tag) {
    return text.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1');
}

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

function replaceOnce(text, pattern, replacement, what) {
    const count = text.split(pattern).length - 1;
    if (count !== 1) fail(`single: expected one ${what} in the source, found ${count}`);
    return text.replace(pattern, () => replacement);
}

async function buildSingle(out) {
    const apiPath = path.join(engineDir, 'headroom-api.mjs');
    const inlinePath = path.join(web, 'js/engine-inline.js');

    // The ranking worker: its engine starts from the parts the page hands over.
    const workerSource = await bundleText({
        entryPoints: [path.join(web, 'js/rank-worker.js')],
        format: 'iife',
        plugins: [{
            name: 'worker-engine',
            setup(build) {
                build.onResolve({ filter: /headroom-api\.mjs$/ }, (args) => (args.importer === inlinePath
                    ? { path: apiPath } : { path: 'worker-engine', namespace: 'headroom' }));
                build.onLoad({ filter: /^worker-engine$/, namespace: 'headroom' }, () => ({
                    contents: `import { createInlineEngine } from ${JSON.stringify(inlinePath)};
                               export const createEngine = () => createInlineEngine(self.HEADROOM_INLINE);`,
                    loader: 'js',
                    resolveDir: web,
                }));
            },
        }],
    });

    // Data files the page fetches from engine/ (e.g. accuracy.json), served from
    // memory by a fetch wrapper: a file:// page can fetch nothing. The catalog is
    // already in the engine's parts.
    const dataFiles = {};
    for (const name of (await readdir(engineDir)).sort()) {
        if (name.endsWith('.json') && name !== 'version.json') dataFiles[`engine/${name}`] = await readFile(path.join(engineDir, name), 'utf8');
    }
    const prelude = `
        // The modules were written at js/*.js: relative URLs resolve from there.
        globalThis.__HEADROOM_MODULE_URL__ = new URL('js/main.js', location.href).href;
        const files = ${JSON.stringify(dataFiles)};
        const base = new URL('./', location.href).href;
        const fetchFromNetwork = globalThis.fetch.bind(globalThis);
        globalThis.fetch = (input, init) => {
            const href = new URL(typeof input === 'string' || input instanceof URL ? input : input.url, location.href).href.replace(/[?#].*$/, '');
            const rel = href.startsWith(base) ? href.slice(base.length) : null;
            if (rel !== null && Object.prototype.hasOwnProperty.call(files, rel)) {
                return Promise.resolve(new Response(files[rel], { status: 200, headers: { 'content-type': 'application/json' } }));
            }
            return fetchFromNetwork(input, init);
        };`;

    // The page: main.js with the bundled engine, and a blob: URL for the worker.
    const mainPath = path.join(web, 'js/main.js');
    const workerUrlPattern = "new URL('./rank-worker.js', import.meta.url)";
    const workerTypePattern = "new Worker(workerUrl, { type: 'module' })";
    const page = await bundleText({
        entryPoints: [mainPath],
        format: 'esm',
        define: { 'import.meta.url': 'globalThis.__HEADROOM_MODULE_URL__' },
        plugins: [{
            name: 'single-file',
            setup(build) {
                build.onResolve({ filter: /headroom-api\.mjs$/ }, (args) => (args.importer === inlinePath
                    ? { path: apiPath } : { path: path.join(web, 'js/engine-bundled.js') }));
                build.onResolve({ filter: /^headroom:(rank-worker|prelude)$/ }, (args) => ({ path: args.path.slice(9), namespace: 'headroom' }));
                build.onLoad({ filter: /^prelude$/, namespace: 'headroom' }, () => ({ contents: prelude, loader: 'js' }));
                build.onLoad({ filter: /^rank-worker$/, namespace: 'headroom' }, () => ({
                    contents: `import { parts } from ${JSON.stringify(path.join(web, 'js/engine-bundled.js'))};
                               const source = ${JSON.stringify(workerSource)};
                               let url = null;
                               export function rankWorkerUrl() {
                                   url ??= URL.createObjectURL(new Blob(['self.HEADROOM_INLINE=', JSON.stringify(parts), ';\\n', source], { type: 'text/javascript' }));
                                   return url;
                               }`,
                    loader: 'js',
                    resolveDir: web,
                }));
                build.onLoad({ filter: /[\\/]js[\\/]main\.js$/ }, async (args) => {
                    let text = await readFile(args.path, 'utf8');
                    text = replaceOnce(text, workerUrlPattern, 'rankWorkerUrl()', `"${workerUrlPattern}"`);
                    return { contents: `import 'headroom:prelude';\nimport { rankWorkerUrl } from 'headroom:rank-worker';\n${text}`, loader: 'js' };
                });
                // From file:// the page's origin is opaque, and Chromium refuses a module
                // worker from its blob: URL; the bundled worker is a classic script anyway.
                build.onLoad({ filter: /[\\/]js[\\/]rank-view\.js$/ }, async (args) => {
                    const text = await readFile(args.path, 'utf8');
                    return { contents: replaceOnce(text, workerTypePattern, 'new Worker(workerUrl)', `"${workerTypePattern}"`), loader: 'js' };
                });
            },
        }],
    });

    const css = await readFile(path.join(web, 'app.css'), 'utf8');
    let html = await readFile(path.join(web, 'index.html'), 'utf8');
    const script = inlineSafe(page, 'script');
    const style = inlineSafe(css, 'style');
    html = replaceOnce(html, /<link rel="stylesheet" href="app\.css">/, `<style>${style}</style>`, 'app.css link');
    html = replaceOnce(html, /<script type="module" src="js\/main\.js"><\/script>/, `<script type="module">${script}</script>`, 'main.js script');
    // Only what the file itself holds: its one script and one style (by hash),
    // blob: for the ranking worker, data: images; no connection anywhere. Eval
    // only if the Emscripten glue still uses it (built without -sDYNAMIC_EXECUTION=0).
    const glue = await readFile(path.join(engineDir, 'headroom.js'), 'utf8');
    const evalNeeded = /\bnew Function\b|\beval\(/.test(glue);
    const csp = [
        "default-src 'none'",
        `script-src ${sha256(script)}${evalNeeded ? " 'unsafe-eval'" : ''} 'wasm-unsafe-eval'`,
        `style-src ${sha256(style)}`,
        'img-src data: blob:',
        'worker-src blob:',
        "connect-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ].join('; ');
    html = replaceOnce(html, /<meta http-equiv="Content-Security-Policy" content="[^"]*">/,
        `<meta http-equiv="Content-Security-Policy" content="${csp}">`, 'CSP meta');
    html = html.replace('<html lang="en">', '<html lang="en" data-build="single-file">');

    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, html);
    const shown = path.relative(process.cwd(), out);
    console.log(`bundle: ${shown.startsWith('..') ? out : shown} (${(html.length / 1024 / 1024).toFixed(2)} MiB, self-contained)`);
}

const [mode, outArg] = process.argv.slice(2);
if (mode === 'web') await buildWeb();
else if (mode === 'single') await buildSingle(path.resolve(outArg ?? path.join(root, 'dist/headroom.html')));
else fail('usage: node scripts/bundle.mjs web | single [OUT]');
